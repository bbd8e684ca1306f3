"""Precompile logs become indexed ABCI events on the transaction result, so `tx_search` finds
transactions by what they did: `stake.delegated.delegator='0x..'`, `coupon.claimed.campaignId=5`."""

from pathlib import Path

import pytest

from abci_app import staking
from abci_app.app.events import event_type, precompile_event, render
from abci_app.app.modules import BOUNDARY_MODULES, PRECOMPILE_EVENTS
from abci_app.cli.wallet import GWEI, dev_account
from abci_app.evm import LogRecord
from abci_app.middleware import coupons
from abci_app.staking.calls import DELEGATED
from abci_app.staking.params import WEI_PER_CMT
from tests.middleware.coupons.harness import CouponsNet
from tests.staking.harness import StakingChain, staking_state

CMT = WEI_PER_CMT
SYDNEY = (-33_868_820, 151_209_296)   # negative latitude: an int32 attribute below zero


@pytest.fixture
def net(tmp_path):
    keys = [dev_account(i) for i in range(6)]
    net = StakingChain.start(str(tmp_path / "db"), staking_state(keys))
    yield net, keys
    net.chain.app.close()


def events_of(result) -> list[tuple[str, dict[str, str]]]:
    for event in result.events:
        assert all(a.index for a in event.attributes), event.type
    return [(e.type, {a.key: a.value for a in e.attributes}) for e in result.events]


def test_event_type_is_prefix_and_snake_case_name_without_the_prefix_word():
    assert event_type("coupon", "CouponClaimed") == "coupon.claimed"
    assert event_type("coupon", "CampaignCreated") == "coupon.campaign_created"
    assert event_type("stake", "Delegated") == "stake.delegated"
    assert event_type("arbitration", "OrderOpened") == "arbitration.order_opened"
    assert event_type("ads", "MessageAccepted") == "ads.message_accepted"
    assert event_type("ads", "OptedIn") == "ads.opted_in"


def test_values_are_rendered_for_queries():
    assert render("address", "0xAbCdEF0000000000000000000000000000000001") == "0xabcdef0000000000000000000000000000000001"
    assert render("uint256", 10**30) == str(10**30) and render("int32", -5) == "-5"
    assert render("bytes32", b"\x01" * 32) == "0x" + "01" * 32
    assert render("string", "late delivery") == "late delivery"
    assert render("bool", True) == "true" and render("bool", False) == "false"
    assert render("address[]", ("0x00000000000000000000000000000000000000AA", "0x00000000000000000000000000000000000000BB")) \
        == "0x00000000000000000000000000000000000000aa,0x00000000000000000000000000000000000000bb"
    assert render("address[]", ()) == ""


def test_the_registry_covers_every_precompile_event_with_distinct_types():
    modules = (staking, *BOUNDARY_MODULES)
    assert len(PRECOMPILE_EVENTS) == sum(len(m.EVENTS) for m in modules)
    types_ = [event_type(prefix, event.name) for prefix, event in PRECOMPILE_EVENTS.values()]
    assert len(set(types_)) == len(types_)
    assert {m.EVENT_PREFIX for m in modules} == {"stake", "coupon", "ads", "arbitration", "identity", "group",
                                                     "gov"}
    assert not {"stake.slash", "stake.unbonding_completed", "gov.proposal_ended", "mint", "rewards",
                "eth"} & set(types_)


def test_logs_of_other_addresses_stay_evm_logs():
    topics = (DELEGATED.topic, 1, 2)
    data = (5).to_bytes(32, "big") * 2
    assert precompile_event(LogRecord(b"\x12" * 20, topics, data)) is None
    assert precompile_event(LogRecord(coupons.ADDRESS, topics, data)) is None      # not a coupons event
    assert precompile_event(LogRecord(staking.ADDRESS, (), b"")) is None
    event = precompile_event(LogRecord(staking.ADDRESS, topics, data))
    assert event.type == "stake.delegated"
    assert [(a.key, a.value) for a in event.attributes] == [
        ("delegator", "0x" + "00" * 19 + "01"), ("candidate", "0x" + "00" * 19 + "02"), ("amount", "5"), ("shares", "5"),
    ]


def test_a_delegation_has_a_stake_delegated_event(net):
    net, keys = net
    candidate, delegator = keys[0].address.lower(), keys[3].address.lower()
    result = net.send(keys[3], "delegate(address)", candidate, value=5_000 * CMT)
    assert result.code == 0, result.log
    (eth, eth_attributes), *rest = events_of(result)
    assert eth == "eth" and eth_attributes["from"] == delegator
    assert rest == [("stake.delegated", {
        "delegator": delegator, "candidate": candidate, "amount": str(5_000 * CMT), "shares": str(5_000 * CMT),
    })]


def test_a_failed_call_has_no_precompile_events(net):
    net, keys = net
    result = net.send(keys[3], "delegate(address)", keys[4].address, value=5_000 * CMT)
    assert result.code != 0
    assert [t for t, _ in events_of(result)] == ["eth"]


def test_a_coupon_campaign_and_claim_have_coupon_events(net):
    net, keys = net
    coupons_net = CouponsNet(net)
    sponsor, merchant, user = keys[0], keys[1].address.lower(), keys[2]
    campaign_id = coupons_net.create(sponsor, merchant, value=10 * GWEI, count=3, centre=SYDNEY, radius_m=500)
    created = net.last.tx_results[0]
    start = coupons_net.now
    assert events_of(created)[1:] == [("coupon.campaign_created", {
        "campaignId": str(campaign_id), "sponsor": sponsor.address.lower(), "merchant": merchant,
        "couponValue": str(10 * GWEI), "maxCoupons": "3", "latE6": str(SYDNEY[0]), "lonE6": str(SYDNEY[1]),
        "radiusMeters": "500", "startTime": str(start - 1), "endTime": str(start - 1 + 1_000),
        "attester": "0x" + "00" * 20,
    })]

    coupon_id = coupons_net.claim(user, campaign_id, position=SYDNEY)
    (claim,) = net.last.tx_results
    assert events_of(claim)[1:] == [("coupon.claimed", {
        "couponId": str(coupon_id), "campaignId": str(campaign_id), "claimer": user.address.lower(),
        "latE6": str(SYDNEY[0]), "lonE6": str(SYDNEY[1]),
    })]


def test_the_reference_lists_every_event_type():
    reference = (Path(__file__).resolve().parents[2] / "docs" / "reference.md").read_text()
    for prefix, event in PRECOMPILE_EVENTS.values():
        assert f"| `{event_type(prefix, event.name)}` | `{event.name}` | " \
               + ", ".join(f"`{n}`" for n in event.names) + " |" in reference, event.signature
