"""The arbitration rules as pure integer functions (DESIGN.md §7): fee reserve, deadlines, the
arbiter draw (its seed block, who is eligible, who is drawn), the decision and the split of a
decided case. No clock, storage or I/O here."""

from dataclasses import dataclass

from eth_hash.auto import keccak

from .params import BPS, ArbitrationParams
from .records import Eligibility


def compute_fee_reserve(escrow_wei: int, params: ArbitrationParams) -> int:
    """The part of an escrow kept back to pay the arbiters if a dispute happens (rounded down)."""
    return escrow_wei * params.fee_bps // BPS


def dispute_deadline(delivery_deadline_s: int, params: ArbitrationParams) -> int:
    """The last second at which a dispute may be raised; from the next one the order may be settled
    for the seller."""
    return delivery_deadline_s + params.dispute_window_seconds


BLOCKHASH_REACH = 256   # a block sees the hashes of the 256 blocks before it, no more


def compute_seed_height(draw_height: int, height: int) -> int:
    """The block whose hash seeds a draw made in block `height` (> draw_height): the draw block
    itself while BLOCKHASH reaches it, that is in the 256 blocks after it; drawn later, the latest
    block at draw_height plus a multiple of 256 (its place in the window). Either way a block that
    did not exist when the dispute was raised, fixed by the draw height and the block of the draw.
    DESIGN.md §8."""
    return draw_height + BLOCKHASH_REACH * ((height - 1 - draw_height) // BLOCKHASH_REACH)


def eligible_at(arbiter: Eligibility, seed_height: int, params: ArbitrationParams) -> bool:
    """Whether a pool member may be drawn by the hash of block `seed_height`: it was eligible (stake
    at least the minimum) at that block, judged from the blocks where it last became eligible
    (joined, or topped up to the minimum) and last fell below the minimum (a penalty). Once the
    seed is public, joining or topping up cannot put a member on the panel, and a settle that
    penalizes a member cannot take it off."""
    if not 0 < arbiter.eligible_since_height <= seed_height:
        return False
    return arbiter.stake_wei >= params.min_arbiter_stake_wei or arbiter.ineligible_since_height > seed_height


def draw_seed(block_hash: bytes, order_id: int) -> bytes:
    """seed = keccak(hash of the seed block || order id as 32 bytes): data every node agrees on,
    from a block that did not exist when the dispute was sent."""
    return keccak(block_hash + order_id.to_bytes(32, "big"))


def draw_arbiters(seed: bytes, eligible: list[bytes], count: int) -> list[bytes]:
    """The `count` members of `eligible` with the lowest keccak(seed || address), lowest first
    (every member when there are fewer). It depends on who is eligible, never on the order of the
    list: a member that leaves takes only itself out (a shuffle of pool positions would let one
    leave move everyone). One hash per member: bounded by the pool, which the caller pays for."""
    scored = sorted((keccak(seed + member), member) for member in eligible)
    return [member for _, member in scored[:count]]


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


def compute_fee_shares(dispute_fee_wei: int, voters: int) -> list[int]:
    """Each voter's part of the dispute fee, in draw order: equal shares, the remainder of the
    division to the first voter (every arbiter who voted did the work, whichever side it took).
    Empty without voters: the caller gives the fee back to whoever raised the dispute."""
    if voters == 0:
        return []
    share, remainder = divmod(dispute_fee_wei, voters)
    return [share + remainder] + [share] * (voters - 1)
