"""The ads records as they sit in the precompile's storage (see state.py for where).

Addresses are stored as one word (an int) so a record load is one read per field."""

from dataclasses import dataclass

PENDING, ACCEPTED, REJECTED = 0, 1, 2   # Message.status


@dataclass(frozen=True, slots=True)
class Profile:
    """A user's opt-in. Only a coarse, wallet-chosen region code is kept, never a position."""

    opted_in: bool
    interest_mask: int      # one bit per interest tag (uint256)
    region_code: int        # opaque coarse code (uint32); 0: no region
    min_reward_wei: int     # the smallest reward the user wants a message for


@dataclass(frozen=True, slots=True)
class Campaign:
    """A funded campaign. deposit = budget + reserved + spent + refunded at all times."""

    advertiser: int         # address as an integer
    interest_mask: int
    region_code: int        # 0: any region
    reward_per_message_wei: int
    end_time_s: int         # messages may be sent while block time < end_time_s
    deposit_wei: int        # what the advertiser paid in
    budget_wei: int         # unreserved: what new messages draw from, what closing refunds
    reserved_wei: int       # held for pending messages
    spent_wei: int          # paid to users who accepted
    refunded_wei: int       # returned to the advertiser (at close, and rejects after close)
    sent: int
    accepted: int
    rejected: int
    closed: bool


@dataclass(frozen=True, slots=True)
class Message:
    campaign_id: int
    user: int               # recipient address as an integer
    reward_wei: int         # reserved from the campaign's budget when sent
    status: int             # PENDING, ACCEPTED or REJECTED
    sent_at_s: int
