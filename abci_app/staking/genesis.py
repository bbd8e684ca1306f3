"""Staking at genesis: parameters and the genesis validators, each a candidate with its self-stake.

The self-stakes are part of the genesis supply: they are credited to the staking precompile's
balance, exactly as a later declareCandidacy would put them there.
"""

import base64
import binascii
from dataclasses import dataclass

from eth_utils import is_hex_address, to_canonical_address

from ..economics import MintParams, genesis_mint_state
from ..precompiles import Storage
from . import keeper
from .params import BPS, StakingParams
from .state import ADDRESS, StakingState


@dataclass(frozen=True, slots=True)
class GenesisValidator:
    operator: bytes
    pubkey: bytes
    self_stake_wei: int
    commission_bps: int
    name: str


@dataclass(frozen=True, slots=True)
class StakingGenesis:
    params: StakingParams
    validators: tuple[GenesisValidator, ...]

    @property
    def staked_wei(self) -> int:
        return sum(v.self_stake_wei for v in self.validators)

    def to_json(self) -> dict:
        return {
            "params": self.params.to_json(),
            "validators": [
                {"operator": "0x" + v.operator.hex(), "pub_key": base64.b64encode(v.pubkey).decode(),
                 "self_stake_wei": str(v.self_stake_wei), "commission_bps": v.commission_bps, "name": v.name}
                for v in self.validators
            ],
        }


def parse_staking_genesis(doc: dict) -> StakingGenesis:
    """Read `app_state.staking`. Raises ValueError naming the offending field."""
    params = StakingParams.from_json(doc.get("params") or {})
    validators, operators, keys = [], set(), set()
    for i, entry in enumerate(doc.get("validators") or []):
        where = f"staking.validators[{i}]"
        operator = entry.get("operator")
        if not isinstance(operator, str) or not is_hex_address(operator):
            raise ValueError(f"{where}.operator is not an address: {operator!r}")
        try:
            pubkey = base64.b64decode(entry.get("pub_key") or "", validate=True)
        except (binascii.Error, TypeError):
            pubkey = b""
        if len(pubkey) != 32:
            raise ValueError(f"{where}.pub_key must be a base64 ed25519 key of 32 bytes")
        stake = entry.get("self_stake_wei")
        if not (isinstance(stake, str) and stake.isdigit() and int(stake) >= params.min_delegation_wei):
            raise ValueError(f"{where}.self_stake_wei must be a decimal string of at least the minimum delegation")
        commission = entry.get("commission_bps", 0)
        if not isinstance(commission, int) or not 0 <= commission <= BPS:
            raise ValueError(f"{where}.commission_bps must be within 0..{BPS}")
        name = entry.get("name") or f"validator-{i}"
        canonical = to_canonical_address(operator)
        if canonical in operators or pubkey in keys:
            raise ValueError(f"{where} repeats an operator or a key")
        operators.add(canonical)
        keys.add(pubkey)
        validators.append(GenesisValidator(canonical, pubkey, int(stake), commission, name))
    return StakingGenesis(params, tuple(validators))


def init_genesis(state, genesis: StakingGenesis, now_s: int, supply_wei: int,
                 mint_params: MintParams) -> list[keeper.ValidatorUpdate]:
    """Write params, supply, inflation state and genesis candidates; return the initial validators."""
    st = StakingState(Storage(state, ADDRESS))
    st.set_params(genesis.params)
    st.set_genesis_supply(supply_wei)
    st.set_mint_params(mint_params)
    st.set_mint_state(genesis_mint_state(now_s, supply_wei))
    for v in genesis.validators:
        keeper.declare(st, v.operator, keeper.new_candidate(v.pubkey, v.commission_bps, now_s, v.name, "", ""))
        state.delta_balance(ADDRESS, v.self_stake_wei)
        keeper.bond(st, v.operator, v.operator, v.self_stake_wei)
    return keeper.update_validator_set(st)
