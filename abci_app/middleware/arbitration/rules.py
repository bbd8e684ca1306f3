"""The arbitration rules as pure integer functions (DESIGN.md §7): fee reserve, deadlines, the
arbiter draw, the decision and the split of a decided case. No clock, storage or I/O here."""

from dataclasses import dataclass

from eth_hash.auto import keccak

from .params import BPS, ArbitrationParams


def compute_fee_reserve(escrow_wei: int, params: ArbitrationParams) -> int:
    """The part of an escrow kept back to pay the arbiters if a dispute happens (rounded down)."""
    return escrow_wei * params.fee_bps // BPS


def dispute_deadline(delivery_deadline_s: int, params: ArbitrationParams) -> int:
    """The last second at which a dispute may be raised; from the next one the order may be settled
    for the seller."""
    return delivery_deadline_s + params.dispute_window_seconds


def draw_seed(previous_block_hash: bytes, order_id: int) -> bytes:
    """seed = keccak(hash of the previous block || order id as 32 bytes): data every node agrees on,
    which nobody can choose when sending the dispute (the previous block is already decided)."""
    return keccak(previous_block_hash + order_id.to_bytes(32, "big"))


def draw_arbiters(seed: bytes, eligible: list[int], count: int) -> list[int]:
    """`count` distinct members of `eligible` (pool order), chosen by a partial Fisher-Yates
    shuffle driven by a hash chain: h_1 = keccak(seed), h_{i+1} = keccak(h_i); step i swaps position
    i with i + h_i mod (n - i). Exactly `count` hashes, so the loop is bounded and every pick is
    distinct without retries. The caller checks that there are enough eligible arbiters."""
    if count > len(eligible):
        raise ValueError("not enough eligible arbiters")
    order = list(eligible)
    digest = seed
    for i in range(count):
        digest = keccak(digest)
        j = i + int.from_bytes(digest, "big") % (len(order) - i)
        order[i], order[j] = order[j], order[i]
    return order[:count]


def compute_penalty(stake_wei: int, params: ArbitrationParams) -> int:
    """What a drawn arbiter who did not vote loses from its stake (rounded down)."""
    return stake_wei * params.arbiter_penalty_bps // BPS


def refund_wins(votes_refund: int, votes_release: int) -> bool:
    """The majority of the votes cast decides; a tie (only possible when some arbiters stayed
    silent) and a case without votes go to the buyer, who paid."""
    return votes_refund >= votes_release


@dataclass(frozen=True, slots=True)
class Split:
    to_winner_wei: int     # to the buyer (refund) or the seller (release)
    per_voter_wei: int     # to each arbiter of the majority
    winner_extra_wei: int  # the part of to_winner_wei that is the remainder of the voters' pot


def compute_split(escrow_wei: int, fee_wei: int, penalties_wei: int, majority_voters: int) -> Split:
    """Who gets what when a dispute is decided.

    With voters: the majority voters share the fee reserve plus the penalties of the silent arbiters
    equally; the winning party gets the escrow less the fee reserve, plus the remainder of that
    integer division (no wei is lost). Without any vote: the winning party (the buyer) gets the
    whole escrow, fee reserve included, and the penalties."""
    if majority_voters == 0:
        return Split(escrow_wei + penalties_wei, 0, fee_wei + penalties_wei)
    pot = fee_wei + penalties_wei
    per_voter, remainder = divmod(pot, majority_voters)
    return Split(escrow_wei - fee_wei + remainder, per_voter, remainder)
