"""What staking does at the end of every block: punish faults, pay matured unbondings, update the
validator set (DESIGN.md §5). Inputs are plain values, so this module knows nothing of ABCI."""

from dataclasses import dataclass, field

from . import keeper, rewards, rules
from .records import JAILED_FOREVER, Unbonding, Uptime
from .rewards import ValidatorReward
from .state import StakingState


@dataclass(frozen=True, slots=True)
class Slash:
    operator: bytes
    reason: str          # "double_sign" or "downtime"
    burned_wei: int
    jailed_until_s: int


@dataclass(frozen=True, slots=True)
class EndBlock:
    updates: list[keeper.ValidatorUpdate] = field(default_factory=list)
    slashes: list[Slash] = field(default_factory=list)
    paid: list[Unbonding] = field(default_factory=list)
    minted_wei: int = 0
    supply_wei: int = 0
    rewards: list[ValidatorReward] = field(default_factory=list)


def end_block(st: StakingState, height: int, now_s: int, votes: list[tuple[bytes, int, bool]],
              double_signs: list[tuple[bytes, int]]) -> EndBlock:
    """votes: (CometBFT validator address, power, signed) from the last commit; double_signs:
    (validator address, fault height) from DUPLICATE_VOTE misbehavior.

    Order: mint, reward the signers of the last block, punish faults, pay matured unbondings
    (and forget redelegations past the period), update the validator set."""
    params = st.params()
    minted = rewards.mint(st, now_s)
    signers = [(st.operator_of(address), power) for address, power, signed in votes if signed]
    paid_rewards = rewards.distribute(st, [(op, power) for op, power in signers if op is not None])
    slashes = []
    for consensus, fault_height in double_signs:
        operator = st.operator_of(consensus)
        if operator is None or st.candidate(operator).jailed_until_s == JAILED_FOREVER:
            continue
        burned = keeper.slash(st, operator, params.slash_double_sign_bps, fault_height)
        keeper.jail(st, operator, JAILED_FOREVER)
        slashes.append(Slash(operator, "double_sign", burned, JAILED_FOREVER))
    for consensus, _, signed in votes:
        operator = st.operator_of(consensus)
        if operator is None:
            continue
        candidate = st.candidate(operator)
        if not candidate.exists or candidate.jailed:
            continue
        if _record_vote(st, operator, signed, params.downtime_window) and rules.uptime_exceeded(
                st.uptime(operator).missed, params):
            burned = keeper.slash(st, operator, params.slash_downtime_bps, max(1, height - params.downtime_window))
            until = now_s + params.jail_seconds
            keeper.jail(st, operator, until)
            st.reset_uptime(operator, params.downtime_window)
            slashes.append(Slash(operator, "downtime", burned, until))
    paid = keeper.mature_unbondings(st, now_s)
    keeper.forget_redelegations(st, now_s)
    return EndBlock(updates=keeper.update_validator_set(st), slashes=slashes, paid=paid, minted_wei=minted,
                    supply_wei=st.supply_wei, rewards=paid_rewards)


def _record_vote(st: StakingState, operator: bytes, signed: bool, window: int) -> bool:
    """Slide the validator's window by one block; True if it missed this one."""
    uptime = st.uptime(operator)
    index = uptime.observed % window
    dropped = uptime.observed >= window and st.missed_bit(operator, index)
    st.set_missed_bit(operator, index, not signed)
    st.set_uptime(operator, Uptime(observed=uptime.observed + 1, missed=uptime.missed - dropped + (not signed)))
    return not signed
