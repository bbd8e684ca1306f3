"""How an order ends and the money leaves: every path pays with ctx.pay and lowers `funds` by the
same amount, so funds stays equal to the precompile's balance; the order records what each party
received (`paid_to_buyer_wei`, `paid_to_seller_wei`), so a contract that is a party forwards
exactly that. Every ending also goes into both parties' credit records (credit.py).

  confirmDelivery / timeout settle: seller gets escrow - fee reserve, buyer gets the fee reserve
                                    back (no dispute happened, so no arbiter earned it)
  refund:                           buyer gets the whole escrow
  decided dispute:                  rules.compute_split and rules.compute_fee_shares; silent
                                    arbiters are penalized; without votes the dispute fee goes back
                                    to whoever raised the dispute
"""

import dataclasses

from ...precompiles import CallContext
from . import credit, events, rules
from .records import (NOT_VOTED, REFUNDED, REFUNDED_TO_BUYER, RELEASED, RESOLVED, VOTE_REFUND, VOTE_RELEASE,
                      Order)
from .state import ArbitrationState, int_address

GAS_PER_CASE_ARBITER = 10_000   # reading, penalizing and paying one drawn arbiter


def pay(ctx: CallContext, st: ArbitrationState, to: bytes, amount_wei: int) -> None:
    """CMT out of the precompile, and out of `funds`."""
    if amount_wei:
        ctx.pay(to, amount_wei)
        st.add_funds(-amount_wei)


def end_order(ctx: CallContext, st: ArbitrationState, order_id: int, order: Order, state: int, outcome: int,
              to_buyer_wei: int, to_seller_wei: int) -> None:
    """Record how the order ended and what each party received, add it to both parties' credit
    (the seller's only if it accepted the order; every ending comes here, so the credit records are
    always what the ended orders say), and pay them."""
    ended = dataclasses.replace(order, state=state, outcome=outcome, ended_s=ctx.now_s,
                                paid_to_buyer_wei=to_buyer_wei, paid_to_seller_wei=to_seller_wei)
    st.set_order(order_id, ended)
    for party, as_buyer in ((int_address(order.buyer), True), (int_address(order.seller), False)):
        if credit.counts_for(ended, as_buyer):
            st.set_credit(party, credit.record_ending(st.credit(party), ended, as_buyer))
    pay(ctx, st, int_address(order.seller), to_seller_wei)
    pay(ctx, st, int_address(order.buyer), to_buyer_wei)


def release_to_seller(ctx: CallContext, st: ArbitrationState, order_id: int, order: Order,
                      state: int) -> tuple[int, int]:
    """Seller gets escrow - fee reserve, buyer gets the fee reserve back; returns both amounts."""
    to_seller = order.escrow_wei - order.fee_wei
    end_order(ctx, st, order_id, order, state, RELEASED, order.fee_wei, to_seller)
    return to_seller, order.fee_wei


def refund_buyer(ctx: CallContext, st: ArbitrationState, order_id: int, order: Order) -> None:
    """The seller gives up: the buyer gets the whole escrow."""
    end_order(ctx, st, order_id, order, REFUNDED, REFUNDED_TO_BUYER, order.escrow_wei, 0)


def resolve_dispute(ctx: CallContext, st: ArbitrationState, order_id: int, order: Order) -> None:
    """Decide a dispute (all drawn arbiters voted, or the voting period is over): the majority of
    votes cast decides (ties and no votes: the buyer); silent arbiters lose arbiter_penalty_bps of
    their stake; the majority voters share fee reserve + penalties, the remainder goes to the winner;
    every voter gets its share of the dispute fee. With no vote at all the buyer gets the escrow,
    fee reserve and penalties, and the dispute fee goes back to whoever raised the dispute."""
    params = st.params()
    drawn = st.case_arbiters(order_id)
    ctx.charge(GAS_PER_CASE_ARBITER * len(drawn))
    refund = rules.refund_wins(order.votes_refund, order.votes_release)
    winning_vote = VOTE_REFUND if refund else VOTE_RELEASE
    majority = [arbiter for arbiter, vote in drawn if vote == winning_vote]
    voters = [arbiter for arbiter, vote in drawn if vote != NOT_VOTED]
    penalized = []
    for arbiter, vote in drawn:
        record = st.arbiter(arbiter, order.panel_group)
        penalty = rules.compute_penalty(record.stake_wei, params) if vote == NOT_VOTED else 0
        stake = record.stake_wei - penalty
        falls_below = record.stake_wei >= params.min_arbiter_stake_wei > stake   # no longer eligible from here
        st.set_arbiter(arbiter, dataclasses.replace(
            record, stake_wei=stake, open_cases=record.open_cases - 1,
            ineligible_since_height=ctx.height if falls_below else record.ineligible_since_height), order.panel_group)
        if vote == NOT_VOTED:
            penalized.append((arbiter, penalty))
    penalties = sum(amount for _, amount in penalized)
    split = rules.compute_split(order.escrow_wei, order.fee_wei, penalties, len(majority))
    rewards = {arbiter: split.per_voter_wei for arbiter in majority}
    for arbiter, share in zip(voters, rules.compute_fee_shares(order.dispute_fee_wei, len(voters))):
        rewards[arbiter] = rewards.get(arbiter, 0) + share
    fee_back = 0 if voters else order.dispute_fee_wei
    to_buyer = (split.to_winner_wei if refund else 0) + (fee_back if order.disputed_by == order.buyer else 0)
    to_seller = (0 if refund else split.to_winner_wei) + (fee_back if order.disputed_by == order.seller else 0)
    end_order(ctx, st, order_id, order, RESOLVED, REFUNDED_TO_BUYER if refund else RELEASED, to_buyer, to_seller)
    for arbiter in voters:
        pay(ctx, st, arbiter, rewards[arbiter])
    for arbiter, amount in penalized:
        ctx.emit(events.ARBITER_PENALIZED, order_id, arbiter, amount)
    for arbiter in voters:
        ctx.emit(events.ARBITER_REWARDED, order_id, arbiter, rewards[arbiter])
    ctx.emit(events.DISPUTE_RESOLVED, order_id, refund, order.votes_refund, order.votes_release,
             split.to_winner_wei, split.per_voter_wei)
