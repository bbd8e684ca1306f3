"""Read-only answers about arbitration, shaped as the Solidity structs of IArbitration.sol."""

import dataclasses

from . import credit
from .params import ArbitrationParams
from .state import GLOBAL_POOL, ArbitrationState, int_address

ORDER_ABI = ("(uint256,address,address,bytes32,uint256,uint256,uint64,uint64,uint8,uint8,address,string,"
             "uint64,uint64,uint8,uint8,uint8,uint64,uint8,uint8,uint256,uint64,uint64,uint256,uint256,"
             "uint256,uint256,uint64)")
ARBITER_ABI = "(uint256,uint256,uint64,uint256,bool)"
CREDIT_ABI = "(uint256,uint256,uint256,uint256,uint256,uint256,uint256,uint256,uint64,uint64)"
PARAMS_ABI = "(uint256,uint8,uint16,uint64,uint64,uint16,uint64,uint256,uint16)"


def hex_address(address: bytes) -> str:
    return "0x" + address.hex()


def order_tuple(st: ArbitrationState, order_id: int) -> tuple:
    """IArbitration.Order: id, buyer, seller, orderRef, escrow, feeReserve, deliveryDeadline,
    openedAt, state, outcome, disputedBy, disputeReason, disputedAt, votingEnds, arbiterCount,
    votesRefund, votesRelease, endedAt, buyerStars, sellerStars, disputeFee, drawHeight, seedHeight,
    paidToBuyer, paidToSeller, groupId, panelGroup, acceptedAt."""
    o = st.order(order_id)
    return (order_id, hex_address(int_address(o.buyer)), hex_address(int_address(o.seller)),
            o.order_ref.to_bytes(32, "big"), o.escrow_wei, o.fee_wei, o.delivery_deadline_s, o.opened_s,
            o.state, o.outcome, hex_address(int_address(o.disputed_by)), st.reason(order_id), o.disputed_s,
            o.voting_ends_s, o.arbiter_count, o.votes_refund, o.votes_release, o.ended_s, o.buyer_stars,
            o.seller_stars, o.dispute_fee_wei, o.draw_height, o.seed_height, o.paid_to_buyer_wei,
            o.paid_to_seller_wei, o.group_id, o.panel_group, o.accepted_s)


def arbiter_tuple(st: ArbitrationState, address: bytes, group: int = GLOBAL_POOL) -> tuple:
    """IArbitration.Arbiter in the pool (the global one, or a group's): stake, unbondingAmount,
    unbondingUntil, openCases, inPool."""
    a = st.arbiter(address, group)
    return a.stake_wei, a.unbonding_wei, a.unbonding_until_s, a.open_cases, address in st.pool(group)


def credit_answer(st: ArbitrationState, address: bytes) -> tuple[tuple, int]:
    """IArbitration.Credit (its fields in records.Credit's order) and the score (credit.compute_score)."""
    record = st.credit(address)
    return dataclasses.astuple(record), credit.compute_score(record)


def params_tuple(p: ArbitrationParams) -> tuple:
    return (p.min_arbiter_stake_wei, p.arbiters_per_case, p.fee_bps, p.dispute_window_seconds,
            p.voting_seconds, p.arbiter_penalty_bps, p.unbonding_seconds, p.dispute_fee_wei, p.draw_delay_blocks)
