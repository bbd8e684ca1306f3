"""The genesis app_state: chain id, parameters and funded accounts, read from CometBFT's genesis.

Amounts are decimal strings of wei, since JSON numbers lose precision past 2**53. Millions of
accounts go in an accounts file the genesis names by hash (genesis_accounts.py).
"""

import dataclasses
import json
from dataclasses import dataclass

from eth_utils import is_hex_address, to_canonical_address

from .. import governance
from ..economics import MintParams
from ..errors import GenesisError
from ..staking import StakingGenesis, parse_staking_genesis
from .genesis_accounts import AccountsFile
from .modules import BOUNDARY_MODULES

WEI_PER_CMT = 10**18
GENESIS_SUPPLY_WEI = 10**9 * WEI_PER_CMT
SUPPLY_CAP_WEI = 10**10 * WEI_PER_CMT
MIN_BLOCK_GAS_LIMIT = 21_000  # a block must hold a transfer; the fee market's target is half of it


@dataclass(frozen=True, slots=True)
class Params:
    """Chain parameters fixed at genesis (DESIGN.md §2)."""

    min_gas_price_wei: int = 10**9
    block_gas_limit: int = 60_000_000
    max_tx_bytes: int = 128 * 1024


@dataclass(frozen=True, slots=True)
class Genesis:
    chain_id: int
    params: Params
    balances_wei: tuple[tuple[bytes, int], ...]
    staking: StakingGenesis
    mint_params: MintParams
    middleware: dict[str, object]  # module NAME -> its params record
    accounts_file: AccountsFile | None = None

    @property
    def supply_wei(self) -> int:
        """Genesis supply: funded accounts (listed and in the accounts file) plus the genesis
        validators' self-stakes."""
        in_file = self.accounts_file.balance_wei if self.accounts_file else 0
        return sum(balance for _, balance in self.balances_wei) + in_file + self.staking.staked_wei

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "chain_id": self.chain_id,
                "params": {
                    "min_gas_price_wei": str(self.params.min_gas_price_wei),
                    "block_gas_limit": self.params.block_gas_limit,
                    "max_tx_bytes": self.params.max_tx_bytes,
                },
                "accounts": [
                    {"address": "0x" + address.hex(), "balance_wei": str(balance)}
                    for address, balance in self.balances_wei
                ],
                **({"accounts_file": self.accounts_file.to_json()} if self.accounts_file else {}),
                "staking": self.staking.to_json(),
                **{m.NAME: m.params_json(self.middleware[m.NAME]) for m in BOUNDARY_MODULES},
                "economics": self._economics_json(),
            },
            sort_keys=True,
            indent=1,
        ).encode()

    def _economics_json(self) -> dict:
        """The economics section (community_pool_bps only when set: genesis documents, and the app
        hashes of chains, from before it had it stay the same)."""
        mint = self.mint_params
        doc = {"inflation_bps": mint.inflation_bps, "max_block_interval_s": mint.max_block_interval_s}
        if mint.community_pool_bps:
            doc["community_pool_bps"] = mint.community_pool_bps
        return doc


def current_params(genesis: Genesis, state) -> Params:
    """The chain params in a state: the genesis ones, with the block gas limit and minimum gas
    price that passed proposals set since (governance.chain_params; 0 keeps the genesis value)."""
    changed = governance.chain_params(state)
    return dataclasses.replace(genesis.params, **{
        name: getattr(changed, name) for name in ("block_gas_limit", "min_gas_price_wei") if getattr(changed, name)})


def parse_genesis(app_state: bytes) -> Genesis:
    """Read and check the app_state JSON. Raises GenesisError with the offending field."""
    try:
        doc = json.loads(app_state or b"{}")
    except ValueError as exc:
        raise GenesisError(f"app_state is not JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise GenesisError("app_state must be a JSON object")
    chain_id = _positive_int(doc.get("chain_id"), "chain_id")
    raw_params = doc.get("params") or {}
    defaults = Params()
    params = Params(
        min_gas_price_wei=_positive_int(
            raw_params.get("min_gas_price_wei", defaults.min_gas_price_wei), "min_gas_price_wei"
        ),
        block_gas_limit=_positive_int(
            raw_params.get("block_gas_limit", defaults.block_gas_limit), "block_gas_limit"
        ),
        max_tx_bytes=_positive_int(raw_params.get("max_tx_bytes", defaults.max_tx_bytes), "max_tx_bytes"),
    )
    if params.block_gas_limit < MIN_BLOCK_GAS_LIMIT:
        raise GenesisError(f"params.block_gas_limit must be at least {MIN_BLOCK_GAS_LIMIT}")
    balances: dict[bytes, int] = {}
    for entry in doc.get("accounts") or []:
        address = entry.get("address") if isinstance(entry, dict) else None
        if not isinstance(address, str) or not is_hex_address(address):
            raise GenesisError(f"bad account address: {address!r}")
        canonical = to_canonical_address(address)
        if canonical in balances:
            raise GenesisError(f"account listed twice: {address}")
        balances[canonical] = _positive_int(entry.get("balance_wei"), f"balance of {address}")
    accounts_file = _accounts_file(doc.get("accounts_file"))
    try:
        staking = parse_staking_genesis(doc.get("staking") or {})
    except ValueError as exc:
        raise GenesisError(str(exc)) from None
    economics = doc.get("economics") or {}
    mint_defaults = MintParams()
    mint_params = MintParams(
        inflation_bps=_non_negative_int(economics.get("inflation_bps", mint_defaults.inflation_bps), "inflation_bps"),
        max_block_interval_s=_positive_int(
            economics.get("max_block_interval_s", mint_defaults.max_block_interval_s), "max_block_interval_s"),
        supply_cap_wei=SUPPLY_CAP_WEI,
        community_pool_bps=_non_negative_int(economics.get("community_pool_bps", 0), "community_pool_bps"),
    )
    try:
        mint_params.validate()
    except ValueError as exc:
        raise GenesisError(f"economics: {exc}") from None
    middleware = {}
    for module in BOUNDARY_MODULES:
        try:
            middleware[module.NAME] = module.parse_params(doc.get(module.NAME) or {})
        except ValueError as exc:
            raise GenesisError(f"{module.NAME}: {exc}") from None
    genesis = Genesis(chain_id, params, tuple(sorted(balances.items())), staking, mint_params, middleware,
                      accounts_file)
    if genesis.supply_wei > SUPPLY_CAP_WEI:
        raise GenesisError("genesis balances exceed the supply cap")
    return genesis


def _accounts_file(entry) -> AccountsFile | None:
    if entry is None:
        return None
    if not isinstance(entry, dict) or set(entry) != {"sha256", "accounts", "balance_wei"}:
        raise GenesisError("accounts_file must be {\"sha256\", \"accounts\", \"balance_wei\"}")
    digest = entry["sha256"]
    if not isinstance(digest, str) or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise GenesisError("accounts_file.sha256 must be 64 lowercase hex digits")
    return AccountsFile(bytes.fromhex(digest), _positive_int(entry["accounts"], "accounts_file.accounts"),
                        _positive_int(entry["balance_wei"], "accounts_file.balance_wei"))


def _non_negative_int(value, name: str) -> int:
    return 0 if value in (0, "0") else _positive_int(value, name)


def _positive_int(value, name: str) -> int:
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise GenesisError(f"{name} must be a positive integer, got {value!r}")
    return value
