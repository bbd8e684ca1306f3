"""Every module stays solvent and the supply adds up (DESIGN.md §6): the check behind the
`/solvency` query, the in-process driver's audit after every block and `miles bench`.

Per precompile: its balance, what its records owe (the module's `owed`, by kind) and whether the
balance covers it. Only `>=` can be required: staking keeps reward dust, and anyone can force
CMT into an account (a self-destructing contract); coupons, arbitration, ads, groups and identity are exact, and
their tests assert equality. The supply: the sum of
every balance (a walk of the whole account trie) == staking's recorded total == genesis +
minted - burned. Read-only.
"""

from dataclasses import dataclass

from .. import staking
from ..evm.reader import StateReader
from .modules import BOUNDARY_MODULES

MODULES = tuple(sorted((staking, *BOUNDARY_MODULES), key=lambda module: module.ADDRESS))


@dataclass(frozen=True, slots=True)
class ModuleSolvency:
    name: str
    address: bytes
    balance_wei: int
    owed_wei: dict[str, int]    # by kind of record

    @property
    def owed_total_wei(self) -> int:
        return sum(self.owed_wei.values())

    @property
    def solvent(self) -> bool:
        return self.balance_wei >= self.owed_total_wei

    def to_json(self) -> dict:
        return {"address": "0x" + self.address.hex(), "balance": str(self.balance_wei),
                "owed": {kind: str(wei) for kind, wei in self.owed_wei.items()},
                "owed_total": str(self.owed_total_wei), "surplus": str(self.balance_wei - self.owed_total_wei),
                "solvent": self.solvent}


@dataclass(frozen=True, slots=True)
class Supply:
    total_wei: int              # staking's record
    genesis_wei: int
    minted_wei: int
    burned_wei: int
    sum_balances_wei: int       # every account's balance, walked

    @property
    def ok(self) -> bool:
        return self.sum_balances_wei == self.total_wei == self.genesis_wei + self.minted_wei - self.burned_wei

    def to_json(self) -> dict:
        return {"total": str(self.total_wei), "genesis": str(self.genesis_wei), "minted": str(self.minted_wei),
                "burned": str(self.burned_wei), "sum_balances": str(self.sum_balances_wei), "ok": self.ok}


@dataclass(frozen=True, slots=True)
class Solvency:
    modules: tuple[ModuleSolvency, ...]
    supply: Supply

    @property
    def solvent(self) -> bool:
        return self.supply.ok and all(m.solvent for m in self.modules)

    def failures(self) -> list[str]:
        """One line per broken invariant, naming the module and the amounts."""
        lines = [f"{m.name} (0x{m.address.hex()}) is insolvent: balance {m.balance_wei} wei < owed "
                 f"{m.owed_total_wei} wei ({', '.join(f'{kind} {wei}' for kind, wei in m.owed_wei.items())})"
                 for m in self.modules if not m.solvent]
        s = self.supply
        if not s.ok:
            lines.append(f"supply broken: sum of balances {s.sum_balances_wei} wei, recorded total {s.total_wei} "
                         f"wei, genesis + minted - burned {s.genesis_wei + s.minted_wei - s.burned_wei} wei")
        return lines

    def to_json(self) -> dict:
        return {"solvent": self.solvent, "supply": self.supply.to_json(),
                "modules": {m.name: m.to_json() for m in self.modules}}


def check(reader: StateReader) -> Solvency:
    """The check on the state a reader sees (a committed block's)."""
    state = reader.state
    modules = tuple(ModuleSolvency(m.NAME, m.ADDRESS, state.get_balance(m.ADDRESS), m.owed(state)) for m in MODULES)
    st = staking.state_view(state)
    supply = Supply(st.supply_wei, st.genesis_supply_wei, st.mint_state().minted_total_wei, st.burned_wei,
                    reader.sum_balances())
    return Solvency(modules, supply)
