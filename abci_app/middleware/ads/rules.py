"""The ads rules as pure functions (DESIGN.md §7, opt-in ads): targeting, and how a campaign's
books move when a message is sent, accepted or rejected and when the campaign closes.

No clock, storage or I/O: the caller passes block time and what it read. A refusal is returned as
its revert reason (None: allowed), so the order of the checks lives in one place.
Every transition keeps deposit == budget + reserved + spent + refunded.
"""

from dataclasses import replace

from .params import AdsParams
from .records import Campaign, Profile


def interests_overlap(user_mask: int, campaign_mask: int) -> bool:
    """A campaign matches a user when they share at least one interest bit."""
    return user_mask & campaign_mask != 0


def in_region(campaign_region: int, user_region: int) -> bool:
    """Campaign region 0 reaches every region (including users with none); otherwise the codes must
    be equal. Codes are opaque: no distance is ever computed."""
    return campaign_region == 0 or campaign_region == user_region


def campaign_refusal(interest_mask: int, reward_wei: int, budget_wei: int, end_time_s: int, now_s: int,
                     content_bytes: int, params: AdsParams) -> str | None:
    """Why createCampaign must fail, or None."""
    if interest_mask == 0:
        return "interest mask must not be zero"
    if reward_wei == 0:
        return "reward per message must be positive"
    if budget_wei == 0:
        return "budget must be positive"
    if budget_wei < reward_wei:
        return "budget below the reward per message"
    if end_time_s <= now_s:
        return "end time must be in the future"
    if content_bytes > params.max_content_bytes:
        return f"content longer than {params.max_content_bytes} bytes"
    return None


def send_refusal(campaign: Campaign, profile: Profile, *, sender: int, now_s: int, blocked: bool,
                 already_received: bool, inbox_size: int, params: AdsParams) -> str | None:
    """Why sendMessage(campaign -> user) must fail, or None. A closed campaign has ended (closing
    needs end time), so "campaign ended" covers it."""
    if sender != campaign.advertiser:
        return "not the campaign's advertiser"
    if now_s >= campaign.end_time_s:
        return "campaign ended"
    if not profile.opted_in:
        return "user has not opted in"
    if not interests_overlap(profile.interest_mask, campaign.interest_mask):
        return "interests do not match"
    if not in_region(campaign.region_code, profile.region_code):
        return "outside the campaign's region"
    if campaign.reward_per_message_wei < profile.min_reward_wei:
        return "reward below the user's minimum"
    if blocked:
        return "user blocked this advertiser"
    if already_received:
        return "user already received this campaign"
    if inbox_size >= params.max_inbox:
        return "inbox full"
    if campaign.budget_wei < campaign.reward_per_message_wei:
        return "budget exhausted"
    return None


def apply_send(campaign: Campaign) -> Campaign:
    """Reserve one reward from the unreserved budget."""
    reward = campaign.reward_per_message_wei
    return replace(campaign, budget_wei=campaign.budget_wei - reward, reserved_wei=campaign.reserved_wei + reward,
                   sent=campaign.sent + 1)


def apply_accept(campaign: Campaign, reward_wei: int) -> Campaign:
    """The reserved reward goes to the user."""
    return replace(campaign, reserved_wei=campaign.reserved_wei - reward_wei,
                   spent_wei=campaign.spent_wei + reward_wei, accepted=campaign.accepted + 1)


def apply_reject(campaign: Campaign, reward_wei: int) -> tuple[Campaign, bool]:
    """The reserved reward goes back to the budget; once the campaign is closed there is no budget
    to return to, so it goes straight to the advertiser (True: pay the advertiser)."""
    released = replace(campaign, reserved_wei=campaign.reserved_wei - reward_wei, rejected=campaign.rejected + 1)
    if campaign.closed:
        return replace(released, refunded_wei=campaign.refunded_wei + reward_wei), True
    return replace(released, budget_wei=campaign.budget_wei + reward_wei), False


def apply_close(campaign: Campaign) -> tuple[Campaign, int]:
    """Refund the unreserved budget; what is reserved stays for the pending messages."""
    refund = campaign.budget_wei
    return replace(campaign, budget_wei=0, refunded_wei=campaign.refunded_wei + refund, closed=True), refund
