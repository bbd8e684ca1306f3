"""Rewards (DESIGN.md §6): each block the reward pool (fees, mint and carried dust) goes to the
validators that signed the previous block, by power; each keeps its commission and the rest
accrues to its shares. Delegators are paid lazily: on withdrawal or whenever their shares change.
"""

from dataclasses import dataclass

from .. import economics
from .state import ADDRESS, StakingState

REWARD_POOL = bytes.fromhex("000000000000000000000000000000000000cc10")
COMMUNITY_POOL = bytes.fromhex("000000000000000000000000000000000000cc07")  # the governance precompile's account


@dataclass(frozen=True, slots=True)
class ValidatorReward:
    operator: bytes
    commission_wei: int
    delegators_wei: int


def mint(st: StakingState, block_time_s: int) -> int:
    """Mint this block's inflation: `community_pool_bps` of it (rounded down) to the community
    pool, the rest to the reward pool; returns the amount."""
    params = st.mint_params()
    amount, new_state = economics.compute_mint(st.mint_state(), block_time_s, st.supply_wei, params)
    st.set_mint_state(new_state)
    community = amount * params.community_pool_bps // economics.BPS
    if community:
        st.storage.state.delta_balance(COMMUNITY_POOL, community)
    if amount - community:
        st.storage.state.delta_balance(REWARD_POOL, amount - community)
    return amount


def distribute(st: StakingState, signers: list[tuple[bytes, int]]) -> list[ValidatorReward]:
    """Share the whole pool among `signers` (operator, power); what cannot be shared stays there."""
    state = st.storage.state
    parts, _ = economics.split_by_power(state.get_balance(REWARD_POOL), signers)
    rewards, moved = [], 0
    for operator, amount in parts:
        candidate = st.candidate(operator)
        if amount == 0 or candidate.shares == 0:
            continue
        commission, delegators = economics.split_commission(amount, candidate.commission_bps)
        st.set_commission_wei(operator, st.commission_wei(operator) + commission)
        st.set_reward_per_share(operator, economics.accrue(st.reward_per_share(operator), delegators, candidate.shares))
        rewards.append(ValidatorReward(operator, commission, delegators))
        moved += amount
    if moved:
        state.delta_balance(REWARD_POOL, -moved)
        state.delta_balance(ADDRESS, moved)
    return rewards


def pending_reward(st: StakingState, delegator: bytes, operator: bytes) -> int:
    paid, _ = economics.settle(st.shares(delegator, operator), st.reward_per_share(operator),
                               st.debt_scaled(delegator, operator), st.reward_carry(delegator, operator))
    return paid


def settle(st: StakingState, delegator: bytes, operator: bytes, new_shares: int) -> int:
    """Pay what the delegation earned so far; it continues with `new_shares` (the fraction of a wei
    not paid is carried, and dropped only when the delegation ends)."""
    acc = st.reward_per_share(operator)
    paid, carry = economics.settle(st.shares(delegator, operator), acc, st.debt_scaled(delegator, operator),
                                   st.reward_carry(delegator, operator))
    if paid:
        st.storage.state.delta_balance(ADDRESS, -paid)
        st.storage.state.delta_balance(delegator, paid)
        st.payouts.append((delegator, operator, paid))
    st.set_debt_scaled(delegator, operator, new_shares * acc)
    st.set_reward_carry(delegator, operator, carry if new_shares else 0)
    return paid


def withdraw_commission(st: StakingState, operator: bytes) -> int:
    amount = st.commission_wei(operator)
    if amount:
        st.set_commission_wei(operator, 0)
        st.storage.state.delta_balance(ADDRESS, -amount)
        st.storage.state.delta_balance(operator, amount)
    return amount
