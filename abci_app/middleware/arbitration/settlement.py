"""How an order ends and the money leaves: every path pays with ctx.pay and lowers `funds` by the
same amount, so funds stays equal to the precompile's balance.

  confirmDelivery / timeout settle: seller gets escrow - fee reserve, buyer gets the fee reserve
                                    back (no dispute happened, so no arbiter earned it)
  refund:                           buyer gets the whole escrow
  decided dispute:                  rules.compute_split; silent arbiters are penalized
"""

import dataclasses

from ...precompiles import CallContext
from . import events, rules
from .records import (NOT_VOTED, REFUNDED_TO_BUYER, RELEASED, RESOLVED, VOTE_REFUND, VOTE_RELEASE,
                      Order)
from .state import ArbitrationState, int_address

GAS_PER_CASE_ARBITER = 10_000   # reading, penalizing and paying one drawn arbiter


def pay(ctx: CallContext, st: ArbitrationState, to: bytes, amount_wei: int) -> None:
    """CMT out of the precompile, and out of `funds`."""
    if amount_wei:
        ctx.pay(to, amount_wei)
        st.add_funds(-amount_wei)


def end_order(ctx: CallContext, st: ArbitrationState, order_id: int, order: Order, state: int,
              outcome: int) -> None:
    st.set_order(order_id, dataclasses.replace(order, state=state, outcome=outcome, ended_s=ctx.now_s))


def release_to_seller(ctx: CallContext, st: ArbitrationState, order_id: int, order: Order,
                      state: int) -> tuple[int, int]:
    """Seller gets escrow - fee reserve, buyer gets the fee reserve back; returns both amounts."""
    to_seller = order.escrow_wei - order.fee_wei
    end_order(ctx, st, order_id, order, state, RELEASED)
    pay(ctx, st, int_address(order.seller), to_seller)
    pay(ctx, st, int_address(order.buyer), order.fee_wei)
    return to_seller, order.fee_wei


def resolve_dispute(ctx: CallContext, st: ArbitrationState, order_id: int, order: Order) -> None:
    """Decide a dispute (all drawn arbiters voted, or the voting period is over): the majority of
    votes cast decides (ties and no votes: the buyer); silent arbiters lose arbiter_penalty_bps of
    their stake; the majority voters share fee reserve + penalties, the remainder goes to the winner;
    with no vote at all the buyer gets the escrow, fee reserve and penalties."""
    params = st.params()
    drawn = st.case_arbiters(order_id)
    ctx.charge(GAS_PER_CASE_ARBITER * len(drawn))
    refund = rules.refund_wins(order.votes_refund, order.votes_release)
    winning_vote = VOTE_REFUND if refund else VOTE_RELEASE
    majority = [arbiter for arbiter, vote in drawn if vote == winning_vote]
    penalized = []
    for arbiter, vote in drawn:
        record = st.arbiter(arbiter)
        penalty = rules.compute_penalty(record.stake_wei, params) if vote == NOT_VOTED else 0
        st.set_arbiter(arbiter, dataclasses.replace(record, stake_wei=record.stake_wei - penalty,
                                                    open_cases=record.open_cases - 1))
        if vote == NOT_VOTED:
            penalized.append((arbiter, penalty))
    penalties = sum(amount for _, amount in penalized)
    split = rules.compute_split(order.escrow_wei, order.fee_wei, penalties, len(majority))
    winner = order.buyer if refund else order.seller
    end_order(ctx, st, order_id, order, RESOLVED, REFUNDED_TO_BUYER if refund else RELEASED)
    pay(ctx, st, int_address(winner), split.to_winner_wei)
    for arbiter in majority:
        pay(ctx, st, arbiter, split.per_voter_wei)
    for arbiter, amount in penalized:
        ctx.emit(events.ARBITER_PENALIZED, order_id, arbiter, amount)
    for arbiter in majority:
        ctx.emit(events.ARBITER_REWARDED, order_id, arbiter, split.per_voter_wei)
    ctx.emit(events.DISPUTE_RESOLVED, order_id, refund, order.votes_refund, order.votes_release,
             split.to_winner_wei, split.per_voter_wei)
