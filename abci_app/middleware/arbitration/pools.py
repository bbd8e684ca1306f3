"""Joining, leaving and withdrawing from an arbiter pool: the global pool (group 0) or a group's.

A group's pool holds the group's experts: only a member may join it (asked of the groups
precompile), and an order opened in the group draws its panel there (draw.py). An arbiter has a
separate record, stake and unbonding clock in each pool it joins; the rules are the same.
"""

import dataclasses

from ...errors import CallError
from ...precompiles import CallContext
from ..group_membership import is_member
from . import events, settlement
from .state import GLOBAL_POOL, ArbitrationState


def join(ctx: CallContext, st: ArbitrationState, group: int) -> None:
    # CHECKS
    params = st.params()
    if ctx.value_wei == 0:
        raise CallError("stake must be more than zero")
    if group != GLOBAL_POOL and not is_member(ctx, group, ctx.sender):
        raise CallError("not a member of the group")
    arbiter = st.arbiter(ctx.sender, group)
    stake = arbiter.stake_wei + ctx.value_wei
    if stake < params.min_arbiter_stake_wei:
        raise CallError(f"stake below the minimum of {params.min_arbiter_stake_wei} wei")
    # EFFECTS: a member that becomes eligible now (joins, or tops up to the minimum) is drawn
    # only by the hashes of this block and later ones
    pool = st.pool(group)
    was_eligible = ctx.sender in pool and arbiter.stake_wei >= params.min_arbiter_stake_wei
    since = arbiter.eligible_since_height if was_eligible else ctx.height
    st.set_arbiter(ctx.sender, dataclasses.replace(arbiter, stake_wei=stake, eligible_since_height=since), group)
    pool.add(ctx.sender)
    if group != GLOBAL_POOL:
        st.group_pools.add(group)
    st.add_funds(ctx.value_wei)
    # EVENTS
    if group == GLOBAL_POOL:
        ctx.emit(events.ARBITER_JOINED, ctx.sender, ctx.value_wei, stake)
    else:
        ctx.emit(events.GROUP_ARBITER_JOINED, group, ctx.sender, ctx.value_wei, stake)


def leave(ctx: CallContext, st: ArbitrationState, group: int) -> None:
    """The whole stake unbonds. A member the group removed may still leave its pool."""
    # CHECKS
    pool = st.pool(group)
    if ctx.sender not in pool:
        raise CallError("not in the arbiter pool")
    arbiter = st.arbiter(ctx.sender, group)
    if arbiter.open_cases:
        raise CallError("arbiter has open cases")
    # EFFECTS: added to any earlier unbonding, whose clock restarts
    until = ctx.now_s + st.params().unbonding_seconds
    st.set_arbiter(ctx.sender, dataclasses.replace(
        arbiter, stake_wei=0, unbonding_wei=arbiter.unbonding_wei + arbiter.stake_wei, unbonding_until_s=until), group)
    pool.remove(ctx.sender)
    st.unbonding(group).add(ctx.sender)
    # EVENTS
    if group == GLOBAL_POOL:
        ctx.emit(events.ARBITER_LEFT, ctx.sender, arbiter.stake_wei, until)
    else:
        ctx.emit(events.GROUP_ARBITER_LEFT, group, ctx.sender, arbiter.stake_wei, until)


def withdraw(ctx: CallContext, st: ArbitrationState, group: int) -> None:
    # CHECKS
    arbiter = st.arbiter(ctx.sender, group)
    if arbiter.unbonding_wei == 0:
        raise CallError("nothing to withdraw")
    if ctx.now_s < arbiter.unbonding_until_s:
        raise CallError("stake still unbonding")
    # EFFECTS
    st.set_arbiter(ctx.sender, dataclasses.replace(arbiter, unbonding_wei=0, unbonding_until_s=0), group)
    st.unbonding(group).remove(ctx.sender)
    settlement.pay(ctx, st, ctx.sender, arbiter.unbonding_wei)
    # EVENTS
    if group == GLOBAL_POOL:
        ctx.emit(events.STAKE_WITHDRAWN, ctx.sender, arbiter.unbonding_wei)
    else:
        ctx.emit(events.GROUP_STAKE_WITHDRAWN, group, ctx.sender, arbiter.unbonding_wei)
