"""Delegated proof of stake (DESIGN.md §5): the staking precompile at 0x...CC01, genesis,
end-of-block work (slashing, unbonding payouts, validator-set updates) and read-only views.

The boundary: ADDRESS and PRECOMPILE for the EVM; init_genesis and end_block for the app;
`state_view` and `views` for queries; `owed` for the solvency check.
"""

from ..precompiles import Precompile, Storage
from .calls import EVENTS, StakingCalls
from .end_block import EndBlock, Slash
from .end_block import end_block as _end_block
from .genesis import StakingGenesis, init_genesis, parse_staking_genesis
from .keeper import ValidatorUpdate
from .params import StakingParams
from .rewards import COMMUNITY_POOL, REWARD_POOL, ValidatorReward
from .solvency import owed as _owed
from .state import ADDRESS, MINT_PARAMS_SLOT, StakingState, consensus_address, watch_shares

NAME = "staking"          # its section in the genesis app_state
PRECOMPILE = Precompile(ADDRESS, StakingCalls())
EVENT_PREFIX = "stake"   # its logs become ABCI events "stake.<name>" (app/events.py)


def state_view(state, writable: bool = False) -> StakingState:
    """Staking records in a py-evm state (read-only unless asked otherwise)."""
    return StakingState(Storage(state, ADDRESS, writable=writable))


def end_block(state, height: int, now_s: int, votes: list[tuple[bytes, int, bool]],
              double_signs: list[tuple[bytes, int]]) -> EndBlock:
    return _end_block(state_view(state, writable=True), height, now_s, votes, double_signs)


def burn_fees(state, amount_wei: int) -> None:
    """Count base fee burned by the fee market in the supply (the CMT is already gone)."""
    if amount_wei:
        state_view(state, writable=True).add_burned(amount_wei)


def owed(state) -> dict[str, int]:
    """What the staking records in a py-evm state owe, by kind, in wei (read-only)."""
    return _owed(state_view(state))


__all__ = [
    "ADDRESS",
    "COMMUNITY_POOL",
    "MINT_PARAMS_SLOT",
    "watch_shares",
    "burn_fees",
    "EVENTS",
    "EVENT_PREFIX",
    "NAME",
    "PRECOMPILE",
    "REWARD_POOL",
    "ValidatorReward",
    "EndBlock",
    "Slash",
    "StakingGenesis",
    "StakingParams",
    "StakingState",
    "ValidatorUpdate",
    "consensus_address",
    "end_block",
    "init_genesis",
    "owed",
    "parse_staking_genesis",
    "state_view",
]
