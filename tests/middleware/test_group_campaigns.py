"""Coupon and ad campaigns restricted to a group's members (issue 17): the sponsor (a member)
restricts a campaign before any claim or message; from then on only members claim its coupons
or receive its messages, as the groups precompile answers `isMember` at the time of the call."""

import pytest
from eth_abi import decode

from abci_app.cli.wallet import dev_account

from .groups.harness import APPROVAL, APPROVE, CLOSE, CMT, JOIN, GroupsChain, groups_state

COUPONS, ADS = ("0x000000000000000000000000000000000000" + s for s in ("cc02", "cc04"))
RESTRICT = "restrictToGroup(uint256,uint256)"
CAMPAIGN_GROUP = "campaignGroup(uint256)"
CREATE_COUPONS = "createCampaign(address,uint256,uint32,int32,int32,uint32,uint64,uint64,address,string)"
CLAIM = "claim(uint256,int32,int32,uint64,bytes)"
CREATE_ADS = "createCampaign(uint256,uint32,uint256,uint64,string)"
OPT_IN = "optIn(uint256,uint32,uint256)"
SEND = "sendMessage(uint256,address)"
CENTRE = (47_378_177, 8_540_192)
ZERO = "0x" + "00" * 20
GAS = 3_000_000


@pytest.fixture
def net(tmp_path):
    """keys[2] owns an approval group that keys[3] joined; keys[4] is not a member; keys[5] owns
    another group."""
    keys = [dev_account(i) for i in range(6)]
    net = GroupsChain.start(str(tmp_path / "db"), groups_state(keys))
    net.keys = keys
    net.group = net.create(keys[2], APPROVAL, name="Classic Cars", category="vehicles")
    net.ok(keys[3], JOIN, net.group)
    net.ok(keys[2], APPROVE, net.group, keys[3].address)
    net.other_group = net.create(keys[5], name="Vintage watches", category="watches")
    yield net
    net.chain.app.close()


def _ok(net, key, to: str, signature: str, *args, value: int = 0, seconds: int = 1):
    result = net.send(key, signature, *args, value=value, gas=GAS, seconds=seconds, to=to)
    assert result.code == 0, result.log
    return result


def _id(result) -> int:
    (value,) = decode(["uint256"], result.data)
    return value


def _coupon_campaign(net, sponsor, starts_in: int = 5) -> int:
    return _id(_ok(net, sponsor, COUPONS, CREATE_COUPONS, sponsor.address, CMT, 3, *CENTRE, 1_000,
                   net.chain.time_s + starts_in, net.chain.time_s + 1_000, ZERO, "members only", value=3 * CMT))


def _campaign_group(net, to: str, campaign_id: int) -> int:
    (group,) = net.view(net.keys[0], CAMPAIGN_GROUP, ["uint256"], campaign_id, to=to)
    return group


def test_only_members_claim_a_group_coupon(net):
    owner, member, outsider = net.keys[2], net.keys[3], net.keys[4]
    campaign = _coupon_campaign(net, owner)
    assert _campaign_group(net, COUPONS, campaign) == 0
    net.expect_revert(member, "only the campaign's sponsor may restrict it", RESTRICT, campaign, net.group, to=COUPONS)
    net.expect_revert(owner, "sponsor is not a member of that group", RESTRICT, campaign, net.other_group, to=COUPONS)
    net.expect_revert(owner, "sponsor is not a member of that group", RESTRICT, campaign, 99, to=COUPONS)
    net.expect_revert(owner, "no such campaign", RESTRICT, campaign + 1, net.group, to=COUPONS)
    restricted = _ok(net, owner, COUPONS, RESTRICT, campaign, net.group)
    assert [int(t, 16) for t in net.logs(restricted)[0]["topics"][1:]] == [campaign, net.group]
    assert _campaign_group(net, COUPONS, campaign) == net.group
    net.expect_revert(owner, "campaign already restricted to a group", RESTRICT, campaign, net.group, to=COUPONS)
    net.block(seconds=5)
    net.expect_revert(outsider, "not a member of the campaign's group", CLAIM, campaign, *CENTRE, 0, b"", to=COUPONS)
    coupon = _id(_ok(net, member, COUPONS, CLAIM, campaign, *CENTRE, 0, b""))
    assert coupon == 1
    _ok(net, owner, net.ADDRESS, CLOSE, net.group)             # a closed group has no members
    net.expect_revert(owner, "not a member of the campaign's group", CLAIM, campaign, *CENTRE, 0, b"", to=COUPONS)


def test_a_coupon_campaign_is_restricted_before_its_first_claim_or_never(net):
    owner, member = net.keys[2], net.keys[3]
    campaign = _coupon_campaign(net, owner, starts_in=0)
    _ok(net, member, COUPONS, CLAIM, campaign, *CENTRE, 0, b"")
    net.expect_revert(owner, "coupons already claimed: too late to restrict", RESTRICT, campaign, net.group,
                      to=COUPONS)


def test_only_members_receive_a_group_ad(net):
    advertiser, member, outsider = net.keys[2], net.keys[3], net.keys[4]
    for user in (member, outsider):
        _ok(net, user, ADS, OPT_IN, 1, 0, 0)
    campaign = _id(_ok(net, advertiser, ADS, CREATE_ADS, 1, 0, CMT, net.chain.time_s + 600, "Carburettors",
                       value=5 * CMT))
    net.expect_revert(member, "not the campaign's advertiser", RESTRICT, campaign, net.group, to=ADS)
    net.expect_revert(advertiser, "advertiser is not a member of that group", RESTRICT, campaign, net.other_group,
                      to=ADS)
    net.expect_revert(advertiser, "no such campaign", RESTRICT, campaign + 1, net.group, to=ADS)
    _ok(net, advertiser, ADS, RESTRICT, campaign, net.group)
    assert _campaign_group(net, ADS, campaign) == net.group
    net.expect_revert(advertiser, "campaign already restricted to a group", RESTRICT, campaign, net.group, to=ADS)
    net.expect_revert(advertiser, "user is not a member of the campaign's group", SEND, campaign, outsider.address,
                      to=ADS)
    _ok(net, advertiser, ADS, SEND, campaign, member.address)

    open_campaign = _id(_ok(net, advertiser, ADS, CREATE_ADS, 1, 0, CMT, net.chain.time_s + 600, "Tyres",
                            value=5 * CMT))
    _ok(net, advertiser, ADS, SEND, open_campaign, outsider.address)      # unrestricted: anyone opted in
    net.expect_revert(advertiser, "messages already sent: too late to restrict", RESTRICT, open_campaign, net.group,
                      to=ADS)
