"""The draw of a dispute's arbiters (DESIGN.md §8): nobody chooses them.

raiseDispute records a draw height `draw_delay_blocks` after its own block and draws nobody. From
the block after the draw height, when that block's hash exists, the panel is drawn by whichever
call touches the dispute first: anyone's drawArbiters, or the case's next vote or settle. The
seed is the draw block's hash (rules.compute_seed_height: a later block in its place of the
256-block window if the draw comes later than BLOCKHASH reaches) and the order id; only pool
members eligible at the seed block count (rules.eligible_at), and the draw depends on who they
are, not on their order (rules.draw_arbiters). The voting time starts at the draw.

An order opened in a group draws from the group's pool, among its experts fixed when the dispute
was raised (`group_experts`: pool members eligible then, not a party, and members of the group,
asked of the groups precompile with one view call each) and still eligible at the seed block.
They are stored with the order: the seed block's hash is public before anyone draws, so a
moderator who could still remove, approve back or park an expert, or an owner who could close
the group, would otherwise pick the panel. When fewer than `arbiters_per_case` of them qualify,
the panel comes from the global pool instead, so a small or emptied group never leaves a dispute
without arbiters; `panel_group` records which.
"""

import dataclasses

from ...errors import CallError
from ...precompiles import CallContext
from ..group_membership import NO_GROUP, is_member
from . import events, rules, views
from .records import Order
from .state import GLOBAL_POOL, ArbitrationState, int_address

GAS_WORD_READ = 2_100        # the EVM's price for reading a cold storage word (SLOAD)
GAS_PER_POOL_MEMBER = 4 * GAS_WORD_READ   # a pool slot and three words of the member's record


def _eligible(st: ArbitrationState, order: Order, candidates: list[bytes], seed_height: int,
              group: int) -> list[bytes]:
    """The candidates that may sit on the order's panel when the hash of block `seed_height` draws
    it: eligible at that block in the pool and neither the buyer nor the seller."""
    params = st.params()
    parties = (int_address(order.buyer), int_address(order.seller))
    return [m for m in candidates
            if m not in parties and rules.eligible_at(st.eligibility(m, group), seed_height, params)]


def eligible_members(ctx: CallContext, st: ArbitrationState, order: Order, seed_height: int) -> list[bytes]:
    """The global pool's members that may sit on the order's panel. It reads the whole pool and
    charges for each member before it reads them."""
    pool = st.pool()
    ctx.charge(GAS_PER_POOL_MEMBER * len(pool))
    return _eligible(st, order, list(pool), seed_height, GLOBAL_POOL)


def group_experts(ctx: CallContext, st: ArbitrationState, order: Order) -> list[bytes]:
    """At the dispute: the members of the group's pool eligible now, not a party, and members of
    the group now (one isMember view call each, charged by the call itself)."""
    pool = st.pool(order.group_id)
    ctx.charge(GAS_PER_POOL_MEMBER * len(pool))
    eligible = _eligible(st, order, list(pool), ctx.height, order.group_id)
    return [m for m in eligible if is_member(ctx, order.group_id, m)]


def panel_pool(ctx: CallContext, st: ArbitrationState, order_id: int, order: Order,
               seed_height: int) -> tuple[int, list[bytes]]:
    """At the draw: the pool the order's panel comes from, and its eligible members: the group's
    experts fixed at the dispute who are still in its pool and eligible, when at least
    `arbiters_per_case` of them are; else the global pool. (A member that left is out, as in the
    global pool, where the draw reads only who is in the pool.)"""
    if order.group_id != NO_GROUP:
        experts = st.experts(order_id)
        ctx.charge(GAS_PER_POOL_MEMBER * len(experts))
        pool = st.pool(order.group_id)
        eligible = _eligible(st, order, [m for m in experts if m in pool], seed_height, order.group_id)
        if len(eligible) >= st.params().arbiters_per_case:
            return order.group_id, eligible
    return GLOBAL_POOL, eligible_members(ctx, st, order, seed_height)


def is_drawn(order: Order) -> bool:
    return order.seed_height != 0


def ensure_drawn(ctx: CallContext, st: ArbitrationState, order_id: int, order: Order) -> Order:
    """The disputed order with its panel: drawn now if it is not yet and its draw block exists
    (so the first call that touches the dispute draws it), else a revert that says when."""
    if is_drawn(order):
        return order
    if ctx.height <= order.draw_height:
        raise CallError(f"arbiters not drawn yet: wait for block {order.draw_height + 1}")
    params = st.params()
    seed_height = rules.compute_seed_height(order.draw_height, ctx.height)
    group, eligible = panel_pool(ctx, st, order_id, order, seed_height)
    seed = rules.draw_seed(ctx.block_hash(seed_height), order_id)
    drawn = rules.draw_arbiters(seed, eligible, params.arbiters_per_case)
    for index, arbiter in enumerate(drawn):
        st.set_case_arbiter(order_id, index, arbiter)
        record = st.arbiter(arbiter, group)
        st.set_arbiter(arbiter, dataclasses.replace(record, open_cases=record.open_cases + 1), group)
    voting_ends = ctx.now_s + params.voting_seconds
    order = dataclasses.replace(order, arbiter_count=len(drawn), seed_height=seed_height, voting_ends_s=voting_ends,
                                panel_group=group)
    st.set_order(order_id, order)
    ctx.emit(events.ARBITERS_DRAWN, order_id, [views.hex_address(a) for a in drawn], seed_height, voting_ends)
    return order
