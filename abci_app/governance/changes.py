"""What a PARAM_CHANGE proposal may change: "module.param" for every module's params record, and
"chain.block_gas_limit" and "chain.min_gas_price_wei" (the fee market's floor) of the app.

A change is checked when it is submitted (the module exists, the param exists and may change,
the new record passes the module's own `validate()`) and again when it is applied, against the
params of that moment. Params whose change would break records already made are fixed
(README.md, "What a proposal may not change").
"""

import dataclasses
from dataclasses import dataclass

from .. import staking
from ..economics import MintParams
from ..middleware import MODULES as MIDDLEWARE
from ..precompiles import Storage
from ..precompiles.module_state import PARAMS_SLOT
from .params import GovernanceParams
from .records import ChainParams
from .state import ADDRESS, CHAIN_PARAMS_SLOT


@dataclass(frozen=True, slots=True)
class Governed:
    """One module's params record: its class, where it is stored, what may not change (`fixed`),
    what may only rise (`rising`) or only fall (`falling`), and floors."""

    cls: type
    address: bytes
    slot: int
    fixed: frozenset[str] = frozenset()
    rising: frozenset[str] = frozenset()
    falling: frozenset[str] = frozenset()
    floors: tuple[tuple[str, int], ...] = ()   # (param, the least a proposal may set)

    def load(self, state):
        return Storage(state, self.address, writable=False).load(self.cls, self.slot)

    def save(self, state, params) -> None:
        Storage(state, self.address).save(self.slot, params)


# Why each limit (README.md, "What a proposal may not change"): downtime_window sizes the ring of
# missed blocks; unbonding_seconds keeps the unbonding queue in completion order only if it never
# falls (and validate() caps it at a year); min_delegation_wei (at least 1,000 CMT by proposal)
# bounds the unmetered end-of-block work per candidate; a higher
# inflation_bps would owe the whole year so far again at the new rate in one block; the rest are
# read live by records made under the old value (an ad's answer window, an order's dispute window
# and draw, a CLAIM group's identity precompile).
FIXED_MIDDLEWARE = {
    "ads": frozenset({"answer_seconds"}),
    "arbitration": frozenset({"min_arbiter_stake_wei", "arbiters_per_case", "dispute_window_seconds"}),
    "groups": frozenset({"identity_address"}),
}

MODULES: dict[str, Governed] = {
    "staking": Governed(staking.StakingParams, staking.ADDRESS, PARAMS_SLOT, fixed=frozenset({"downtime_window"}),
                        rising=frozenset({"unbonding_seconds"}), floors=(("min_delegation_wei", 1_000 * 10**18),)),
    "economics": Governed(MintParams, staking.ADDRESS, staking.MINT_PARAMS_SLOT, fixed=frozenset({"supply_cap_wei"}),
                          falling=frozenset({"inflation_bps"})),
    **{m.NAME: Governed(type(m.parse_params({})), m.ADDRESS, PARAMS_SLOT, fixed=FIXED_MIDDLEWARE.get(m.NAME, frozenset()))
       for m in MIDDLEWARE},
    "governance": Governed(GovernanceParams, ADDRESS, PARAMS_SLOT),
    "chain": Governed(ChainParams, ADDRESS, CHAIN_PARAMS_SLOT),   # block gas limit, minimum gas price
}


def changed_params(state, target: str, value: int):
    """(the module, its params with the change made) for "module.param" = value; ValueError says
    why the change cannot be made."""
    module_name, _, param = target.partition(".")
    module = MODULES.get(module_name)
    if module is None:
        raise ValueError(f"unknown module {module_name!r} (one of {', '.join(sorted(MODULES))})")
    names = [f.name for f in dataclasses.fields(module.cls)]
    if param not in names:
        raise ValueError(f"{module_name} has no param {param!r}")
    if param in module.fixed:
        raise ValueError(f"{target} is fixed at genesis")
    current = module.load(state)
    if param in module.rising and value < getattr(current, param):
        raise ValueError(f"{target} may only rise (it is {getattr(current, param)})")
    if param in module.falling and value > getattr(current, param):
        raise ValueError(f"{target} may only fall (it is {getattr(current, param)})")
    least = dict(module.floors).get(param, 0)
    if value < least:
        raise ValueError(f"{target} may not be set below {least}")
    changed = dataclasses.replace(current, **{param: value})
    changed.validate()
    return module, changed


def apply_change(state, target: str, value: int) -> None:
    """Make the change (ValueError, and nothing changed, if it is no longer valid)."""
    module, changed = changed_params(state, target, value)
    module.save(state, changed)
    if module.address == staking.ADDRESS:
        staking.state_view(state, writable=True).mark_set_changed()   # max_validators, the power cap
