"""The arbitration records as they sit in the precompile's storage (state.py says where).

Addresses are stored as integers (one word each); 0 means "none".
"""

from dataclasses import dataclass

# Order.state (the `state` uint8 of the order view)
NONE, OPEN, DISPUTED, CONFIRMED, REFUNDED, SETTLED, RESOLVED = range(7)
ENDED = (CONFIRMED, REFUNDED, SETTLED, RESOLVED)

# Order.outcome: who got the escrow once the order ended
NO_OUTCOME, RELEASED, REFUNDED_TO_BUYER = 0, 1, 2

# a drawn arbiter's vote
NOT_VOTED, VOTE_REFUND, VOTE_RELEASE = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Arbiter:
    stake_wei: int            # bonded while in the pool (after penalties)
    unbonding_wei: int        # left the pool, withdrawable from unbonding_until_s
    unbonding_until_s: int
    open_cases: int           # disputes drawn to this arbiter and not yet decided
    eligible_since_height: int    # the block where it last became eligible (joined, or topped up
                                  # to the minimum stake); 0: never
    ineligible_since_height: int  # the block where a penalty last took it below the minimum


@dataclass(frozen=True, slots=True)
class Eligibility:
    """The three words of an Arbiter record that say whether it may be drawn (rules.eligible_at)."""
    stake_wei: int
    eligible_since_height: int
    ineligible_since_height: int


@dataclass(frozen=True, slots=True)
class Order:
    buyer: int
    seller: int
    order_ref: int            # the bytes32 the buyer gave (an off-chain order reference)
    escrow_wei: int           # everything the buyer sent, fee reserve included
    fee_wei: int              # the arbitration fee reserve: escrow * fee_bps / 10000
    delivery_deadline_s: int
    opened_s: int
    state: int
    outcome: int
    disputed_by: int
    disputed_s: int
    voting_ends_s: int
    arbiter_count: int
    votes_refund: int
    votes_release: int
    ended_s: int
    buyer_stars: int          # the buyer's review of the seller (0: none yet)
    seller_stars: int         # the seller's review of the buyer
    dispute_fee_wei: int      # what the raiser paid; held until the dispute is decided
    draw_height: int          # the panel is drawn from this block's hash (recorded at the dispute)
    seed_height: int          # the block whose hash drew the panel (0: not drawn yet)
    paid_to_buyer_wei: int    # what the buyer received when the order ended
    paid_to_seller_wei: int   # what the seller received when the order ended
    group_id: int             # the group the order was opened in (0: none): its arbiter pool decides
    panel_group: int          # the pool the panel was drawn from: group_id, or 0 (the global pool)
                              # when the group's was too small (draw.py); 0 before the draw
    accepted_s: int           # block time the seller accepted the order (0: not accepted); only an
                              # accepted order counts on the seller's side of credit (credit.py)


@dataclass(frozen=True, slots=True)
class Credit:
    """An address's history as a party to orders, kept as each order ends (credit.py says how;
    the README defines every field)."""
    orders_as_buyer: int          # ended orders it bought
    volume_as_buyer_wei: int      # their escrows
    orders_as_seller: int         # ended orders it sold
    volume_as_seller_wei: int     # their escrows
    disputes_won: int             # decided disputes whose outcome went its way
    disputes_lost: int            # decided disputes whose outcome went the other way
    reviews_received: int         # reviews its counterparties wrote about it
    stars_received: int           # their stars, summed
    first_activity_s: int         # block time its first order ended (0: none yet)
    last_activity_s: int          # block time its latest order ended
