"""The pure ads rules: targeting, the order of refusals, and the campaign books."""

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from abci_app.middleware.ads import rules
from abci_app.middleware.ads.params import AdsParams
from abci_app.middleware.ads.records import Campaign, Profile

PARAMS = AdsParams()
ADV = 0xAD
NOW = 1_000
CAMPAIGN = Campaign(advertiser=ADV, interest_mask=0b0110, region_code=7, reward_per_message_wei=10,
                    end_time_s=NOW + 10, deposit_wei=100, budget_wei=100, reserved_wei=0, spent_wei=0,
                    refunded_wei=0, sent=0, accepted=0, rejected=0, closed=False)
USER = Profile(opted_in=True, interest_mask=0b0100, region_code=7, min_reward_wei=10)


def refusal(campaign=CAMPAIGN, profile=USER, **overrides):
    args = dict(sender=ADV, now_s=NOW, blocked=False, already_received=False, inbox_size=0, params=PARAMS)
    return rules.send_refusal(campaign, profile, **{**args, **overrides})


def test_targeting_helpers():
    assert rules.interests_overlap(0b1010, 0b0010) and not rules.interests_overlap(0b1010, 0b0101)
    assert rules.interests_overlap(1 << 255, (1 << 255) | 1)
    assert rules.in_region(0, 0) and rules.in_region(0, 42) and rules.in_region(42, 42)
    assert not rules.in_region(42, 0) and not rules.in_region(42, 43)


def test_send_refusals_in_order():
    assert refusal() is None
    assert refusal(sender=ADV + 1) == "not the campaign's advertiser"
    assert refusal(now_s=NOW + 10) == "campaign ended"
    assert refusal(now_s=NOW + 9) is None
    assert refusal(profile=replace(USER, opted_in=False)) == "user has not opted in"
    assert refusal(profile=replace(USER, interest_mask=0b1001)) == "interests do not match"
    assert refusal(profile=replace(USER, region_code=8)) == "outside the campaign's region"
    assert refusal(campaign=replace(CAMPAIGN, region_code=0), profile=replace(USER, region_code=8)) is None
    assert refusal(profile=replace(USER, min_reward_wei=11)) == "reward below the user's minimum"
    assert refusal(blocked=True) == "user blocked this advertiser"
    assert refusal(already_received=True) == "user already received this campaign"
    assert refusal(inbox_size=PARAMS.max_inbox) == "inbox full"
    assert refusal(inbox_size=PARAMS.max_inbox - 1) is None
    assert refusal(campaign=replace(CAMPAIGN, budget_wei=9)) == "budget exhausted"
    assert refusal(campaign=replace(CAMPAIGN, budget_wei=10)) is None
    # the first failing condition wins
    assert refusal(sender=ADV + 1, blocked=True, now_s=NOW + 99) == "not the campaign's advertiser"


def test_campaign_refusals():
    def check(mask=1, reward=10, budget=10, end=NOW + 1, size=PARAMS.max_content_bytes):
        return rules.campaign_refusal(mask, reward, budget, end, NOW, size, PARAMS)

    assert check() is None
    assert check(mask=0) == "interest mask must not be zero"
    assert check(reward=0) == "reward per message must be positive"
    assert check(budget=0) == "budget must be positive"
    assert check(budget=9) == "budget below the reward per message"
    assert check(end=NOW) == "end time must be in the future"
    assert check(size=PARAMS.max_content_bytes + 1) == "content longer than 1024 bytes"


def _books(c: Campaign) -> int:
    return c.budget_wei + c.reserved_wei + c.spent_wei + c.refunded_wei


@given(st.lists(st.sampled_from(["send", "accept", "reject", "close"]), max_size=40))
def test_transitions_keep_the_deposit_whole(steps):
    """deposit == budget + reserved + spent + refunded after any sequence; nothing goes negative."""
    campaign, pending = CAMPAIGN, 0
    for step in steps:
        if step == "send" and not campaign.closed and campaign.budget_wei >= campaign.reward_per_message_wei:
            campaign, pending = rules.apply_send(campaign), pending + 1
        elif step == "accept" and pending:
            campaign, pending = rules.apply_accept(campaign, 10), pending - 1
        elif step == "reject" and pending:
            closed = campaign.closed
            campaign, to_advertiser = rules.apply_reject(campaign, 10)
            assert to_advertiser == closed
            pending -= 1
        elif step == "close" and not campaign.closed:
            before = campaign.budget_wei
            campaign, refund = rules.apply_close(campaign)
            assert refund == before and campaign.budget_wei == 0
        assert _books(campaign) == campaign.deposit_wei
        assert min(campaign.budget_wei, campaign.reserved_wei, campaign.spent_wei, campaign.refunded_wei) >= 0
        assert campaign.reserved_wei == 10 * pending
        assert campaign.sent == campaign.accepted + campaign.rejected + pending
