"""Every coupons call through a signed transaction: effects, events, every revert reason."""

from eth_abi import decode

from abci_app.middleware.coupons.views import CAMPAIGN_ABI
from tests.chain import CMT

from .harness import CENTRE, CLAIM, COUPONS, CREATE, RECLAIM, REDEEM, TRANSFER, ZERO, event_topic

NEAR = (CENTRE[0] + 4_000, CENTRE[1])       # about 445 m north of the centre
FAR = (CENTRE[0] + 20_000, CENTRE[1])       # about 2.2 km north


def _address_topic(address: str) -> str:
    return "0x" + "00" * 12 + address[2:].lower()


def _id_topic(value: int) -> str:
    return "0x" + value.to_bytes(32, "big").hex()


def test_genesis_account_params_and_totals(net, keys):
    assert net.chain.account(COUPONS)["nonce"] == 1 and net.chain.balance(COUPONS) == 0
    assert net.view(keys[5], "params()", ["uint32", "uint32"]) == (100_000, 100_000)
    assert net.view(keys[5], "totals()", ["uint256", "uint256", "uint256"]) == (0, 0, 0)
    net.assert_funds()


def test_create_campaign_escrows_and_is_read_back(net, keys):
    sponsor, merchant, attester = keys[0], keys[1].address, keys[4].address
    start, end = net.now + 5, net.now + 500
    result = net.send(sponsor, CREATE, merchant, 2 * CMT, 3, CENTRE[0], -CENTRE[1], 250, start, end, attester,
                      "two free croissants", value=6 * CMT)
    assert result.code == 0, result.log
    assert decode(["uint256"], result.data) == (1,)
    assert net.chain.balance(COUPONS) == 6 * CMT
    record = net.campaign(keys[5], 1)
    assert record == (sponsor.address.lower(), merchant.lower(), 2 * CMT, 3, CENTRE[0], -CENTRE[1], 250, start, end,
                      attester.lower(), "two free croissants", 0, 0, False)
    (log,) = net.logs(result)
    assert log["address"] == COUPONS
    assert log["topics"] == [
        event_topic("CampaignCreated(uint256,address,address,uint256,uint32,int32,int32,uint32,uint64,uint64,address)"),
        _id_topic(1), _address_topic(sponsor.address), _address_topic(merchant)]
    assert decode(["uint256", "uint32", "int32", "int32", "uint32", "uint64", "uint64", "address"],
                  bytes.fromhex(log["data"][2:])) == (2 * CMT, 3, CENTRE[0], -CENTRE[1], 250, start, end,
                                                      attester.lower())
    assert net.create(keys[2], merchant) == 2
    assert net.view(keys[5], "totals()", ["uint256", "uint256", "uint256"]) == (2, 0, 6 * CMT + 3 * 10**10)
    net.assert_funds()


def test_create_rejections(net, keys):
    sponsor, merchant = keys[0], keys[1].address
    now = net.now
    good = dict(merchant=merchant, coupon_value=CMT, count=2, lat=CENTRE[0], lon=CENTRE[1], radius=100, start=now,
                end=now + 100, attester=ZERO, metadata="")

    def refuse(reason, pay=None, **changes):
        args = {**good, **changes}
        pay = args["coupon_value"] * args["count"] if pay is None else pay
        net.expect_revert(sponsor, reason, CREATE, *args.values(), value=pay)

    refuse("merchant must not be the zero address", merchant=ZERO)
    refuse("coupon value must be positive", coupon_value=0)
    refuse("max coupons must be between 1 and 100000", count=0)
    refuse("max coupons must be between 1 and 100000", count=100_001)
    refuse("latitude out of range (-90e6..90e6 microdegrees)", lat=90_000_001)
    refuse("latitude out of range (-90e6..90e6 microdegrees)", lat=-90_000_001)
    refuse("longitude out of range (-180e6..180e6 microdegrees)", lon=180_000_001)
    refuse("longitude out of range (-180e6..180e6 microdegrees)", lon=-180_000_001)
    refuse("radius must be between 1 and 100000 metres", radius=0)
    refuse("radius must be between 1 and 100000 metres", radius=100_001)
    refuse("end time must be after start time", start=now + 100, end=now + 100)
    refuse("end time must be in the future", start=now - 100, end=now)
    refuse("metadata longer than 1000 bytes", metadata="é" * 501)
    refuse(f"value must be exactly couponValue * maxCoupons = {2 * CMT} wei", pay=2 * CMT - 1)
    refuse(f"value must be exactly couponValue * maxCoupons = {2 * CMT} wei", pay=2 * CMT + 1)
    refuse(f"value must be exactly couponValue * maxCoupons = {2 * CMT} wei", pay=0)
    # the limits themselves are fine
    assert net.create(sponsor, merchant, value=1, count=100_000, radius_m=100_000, metadata="x" * 1000) == 1
    assert net.create(sponsor, merchant, centre=(-90_000_000, 180_000_000), radius_m=1) == 2
    net.assert_funds()


def test_claim_inside_the_radius(net, keys):
    sponsor, merchant, user = keys[0], keys[1].address, keys[2]
    campaign_id = net.create(sponsor, merchant, value=CMT, count=2)
    result = net.send(user, CLAIM, campaign_id, NEAR[0], NEAR[1], 0, b"")
    assert result.code == 0, result.log
    assert decode(["uint256"], result.data) == (1,)
    (log,) = net.logs(result)
    assert log["topics"] == [event_topic("CouponClaimed(uint256,uint256,address,int32,int32)"), _id_topic(1),
                             _id_topic(campaign_id), _address_topic(user.address)]
    assert decode(["int32", "int32"], bytes.fromhex(log["data"][2:])) == NEAR
    assert net.coupon(keys[5], 1) == (campaign_id, user.address.lower(), False)
    assert net.view(keys[5], "couponsOf(address)", ["uint256[]"], user.address) == ((1,),)
    assert net.view(keys[5], "claimedBy(uint256,address)", ["bool", "uint256"], campaign_id, user.address) == (True, 1)
    assert net.view(keys[5], "claimedBy(uint256,address)", ["bool", "uint256"], campaign_id, keys[3].address) == (
        False, 0)
    assert net.campaign(keys[5], campaign_id)[11:] == (1, 0, False)
    assert net.claim(keys[3], campaign_id, CENTRE) == 2
    net.assert_funds()


def test_claim_rejections(net, keys):
    sponsor, merchant, user = keys[0], keys[1].address, keys[2]
    now = net.now
    later = net.create(sponsor, merchant, start=now + 100, end=now + 200)
    short = net.create(sponsor, merchant, end=now + 10)
    single = net.create(sponsor, merchant, count=1)
    open_ = net.create(sponsor, merchant)
    net.expect_revert(user, "no such campaign", CLAIM, 0, *CENTRE, 0, b"")
    net.expect_revert(user, "no such campaign", CLAIM, 5, *CENTRE, 0, b"")
    net.expect_revert(user, "campaign has not started", CLAIM, later, *CENTRE, 0, b"")
    net.claim(keys[3], single)
    net.expect_revert(user, "no coupons left", CLAIM, single, *CENTRE, 0, b"")
    net.claim(user, open_)
    net.expect_revert(user, "already claimed a coupon of this campaign", CLAIM, open_, *CENTRE, 0, b"")
    net.expect_revert(keys[3], "position outside the campaign area", CLAIM, open_, *FAR, 0, b"")
    net.expect_revert(keys[3], "latitude out of range (-90e6..90e6 microdegrees)", CLAIM, open_, 90_000_001, 0, 0, b"")
    net.expect_revert(keys[3], "longitude out of range (-180e6..180e6 microdegrees)", CLAIM, open_, 0, -180_000_001, 0,
                      b"")
    net.expect_revert(keys[3], "campaign has no attester: attestation must be empty", CLAIM, open_, *CENTRE, 0,
                      b"\x01" * 65)
    net.expect_revert(keys[3], "claim does not accept CMT", CLAIM, open_, *CENTRE, 0, b"", value=1)
    net.net.block(seconds=20)
    net.expect_revert(user, "campaign has ended", CLAIM, short, *CENTRE, 0, b"")
    net.assert_funds()


def test_time_window_is_start_inclusive_end_exclusive(net, keys):
    sponsor, merchant = keys[0], keys[1].address
    start = net.now + 10
    campaign_id = net.create(sponsor, merchant, start=start, end=start + 10)

    def at(time_s: int) -> None:
        """The next transaction runs in a block at `time_s`."""
        net.net.block(seconds=time_s - 1 - net.now)

    at(start - 1)
    net.expect_revert(keys[2], "campaign has not started", CLAIM, campaign_id, *CENTRE, 0, b"")
    assert net.now == start - 1
    assert net.claim(keys[2], campaign_id) == 1                     # at start
    at(start + 9)
    assert net.claim(keys[3], campaign_id) == 2                     # the last second
    net.expect_revert(keys[4], "campaign has ended", CLAIM, campaign_id, *CENTRE, 0, b"")   # at end
    assert net.now == start + 10
    net.assert_funds()


def test_transfer_then_redeem_by_the_new_holder(net, keys):
    sponsor, merchant, user, friend = keys[0], keys[1].address, keys[2], keys[3]
    campaign_id = net.create(sponsor, merchant, value=5 * CMT, count=2)
    coupon_id = net.claim(user, campaign_id)
    result = net.ok(user, TRANSFER, coupon_id, friend.address)
    (log,) = net.logs(result)
    assert log["topics"] == [event_topic("CouponTransferred(uint256,address,address)"), _id_topic(coupon_id),
                             _address_topic(user.address), _address_topic(friend.address)]
    assert net.coupon(keys[5], coupon_id) == (campaign_id, friend.address.lower(), False)
    assert net.view(keys[5], "couponsOf(address)", ["uint256[]"], user.address) == ((),)
    assert net.view(keys[5], "couponsOf(address)", ["uint256[]"], friend.address) == ((coupon_id,),)
    net.expect_revert(user, "not the coupon holder", REDEEM, coupon_id)
    merchant_before = net.chain.balance(merchant)
    result = net.ok(friend, REDEEM, coupon_id)
    assert net.chain.balance(merchant) == merchant_before + 5 * CMT
    (log,) = net.logs(result)
    assert log["topics"] == [event_topic("CouponRedeemed(uint256,uint256,address,address,uint256)"),
                             _id_topic(coupon_id), _id_topic(campaign_id), _address_topic(merchant)]
    assert decode(["address", "uint256"], bytes.fromhex(log["data"][2:])) == (friend.address.lower(), 5 * CMT)
    assert net.coupon(keys[5], coupon_id) == (campaign_id, friend.address.lower(), True)
    assert net.campaign(keys[5], campaign_id)[11:] == (1, 1, False)
    # the friend still may claim a coupon of their own from the same campaign
    assert net.claim(friend, campaign_id) == 2
    assert net.view(keys[5], "couponsOf(address)", ["uint256[]"], friend.address) == ((coupon_id, 2),)
    net.assert_funds()


def test_transfer_and_redeem_rejections(net, keys):
    sponsor, merchant, user, friend = keys[0], keys[1].address, keys[2], keys[3]
    campaign_id = net.create(sponsor, merchant, end=net.now + 50)
    coupon_id = net.claim(user, campaign_id)
    net.expect_revert(user, "no such coupon", TRANSFER, 9, friend.address)
    net.expect_revert(friend, "not the coupon holder", TRANSFER, coupon_id, friend.address)
    net.expect_revert(user, "cannot transfer to the zero address", TRANSFER, coupon_id, ZERO)
    net.expect_revert(user, "cannot transfer to yourself", TRANSFER, coupon_id, user.address)
    net.expect_revert(user, "no such coupon", REDEEM, 0)
    net.expect_revert(friend, "not the coupon holder", REDEEM, coupon_id)
    net.ok(user, REDEEM, coupon_id)
    net.expect_revert(user, "coupon already redeemed", REDEEM, coupon_id)
    net.expect_revert(user, "coupon already redeemed", TRANSFER, coupon_id, friend.address)
    expiring = net.claim(friend, campaign_id)
    net.net.block(seconds=60)
    net.expect_revert(friend, "campaign has ended: the coupon expired", REDEEM, expiring)
    net.expect_revert(friend, "redeem does not accept CMT", REDEEM, expiring, value=1)
    net.assert_funds()


def test_reclaim_returns_exactly_the_unredeemed_value(net, keys):
    sponsor, merchant = keys[0], keys[1].address
    value = 3 * CMT + 7
    campaign_id = net.create(sponsor, merchant, value=value, count=5, end=net.now + 100)
    claimed = [net.claim(k, campaign_id) for k in keys[2:5]]       # 3 claimed
    net.ok(keys[2], REDEEM, claimed[0])                            # 1 redeemed
    net.expect_revert(sponsor, "campaign has not ended", RECLAIM, campaign_id)
    net.net.block(seconds=100)
    net.expect_revert(keys[2], "only the campaign's sponsor may reclaim", RECLAIM, campaign_id)
    net.expect_revert(sponsor, "no such campaign", RECLAIM, 2)
    before = net.chain.balance(sponsor.address)
    result = net.ok(sponsor, RECLAIM, campaign_id)
    assert decode(["uint256"], result.data) == (4 * value,)        # 2 unclaimed + 2 claimed, unredeemed
    assert net.chain.balance(sponsor.address) == before + 4 * value - net.fee(result)
    (log,) = net.logs(result)
    assert log["topics"] == [event_topic("CampaignReclaimed(uint256,address,uint256)"), _id_topic(campaign_id),
                             _address_topic(sponsor.address)]
    assert decode(["uint256"], bytes.fromhex(log["data"][2:])) == (4 * value,)
    assert net.campaign(keys[5], campaign_id)[11:] == (3, 1, True)
    assert net.chain.balance(COUPONS) == 0
    net.expect_revert(sponsor, "campaign already reclaimed", RECLAIM, campaign_id)
    net.expect_revert(keys[3], "campaign has ended: the coupon expired", REDEEM, claimed[1])
    net.assert_funds()


def test_reclaim_of_a_fully_redeemed_campaign_pays_nothing(net, keys):
    sponsor, merchant = keys[0], keys[1].address
    campaign_id = net.create(sponsor, merchant, value=CMT, count=1, end=net.now + 10)
    net.ok(keys[2], REDEEM, net.claim(keys[2], campaign_id))
    net.net.block(seconds=10)
    assert decode(["uint256"], net.ok(sponsor, RECLAIM, campaign_id).data) == (0,)
    net.assert_funds()


def test_views_and_their_rejections(net, keys):
    reader = keys[5]
    net.expect_revert(reader, "no such campaign", "campaign(uint256)", 1)
    net.expect_revert(reader, "no such coupon", "coupon(uint256)", 1)
    net.expect_revert(reader, "no such campaign", "claimedBy(uint256,address)", 1, reader.address)
    assert net.view(reader, "couponsOf(address)", ["uint256[]"], reader.address) == ((),)
    distance = "distanceMeters(int32,int32,int32,int32)"
    assert net.view(reader, distance, ["uint256"], *CENTRE, *CENTRE) == (0,)
    assert net.view(reader, distance, ["uint256"], 0, 0, 1_000_000, 0) == (111_195,)   # one degree of latitude
    assert net.view(reader, distance, ["uint256"], 0, 179_999_000, 0, -179_999_000) == (222,)   # antimeridian
    net.expect_revert(reader, "latitude out of range (-90e6..90e6 microdegrees)", distance, 90_000_001, 0, 0, 0)
    net.expect_revert(reader, "longitude out of range (-180e6..180e6 microdegrees)", distance, 0, 0, 0, 180_000_001)
    record = decode([CAMPAIGN_ABI], net.ok(reader, "campaign(uint256)", net.create(keys[0], keys[1].address)).data)
    assert record[0][3] == 3


def test_unknown_selector_and_malformed_arguments(net, keys):
    from eth_hash.auto import keccak

    net.expect_revert(keys[2], f"unknown function selector 0x{keccak(b'cancel(uint256)')[:4].hex()}",
                      "cancel(uint256)", 1)
    nonce = net.chain.account(keys[2].address)["nonce"]
    from tests.chain import transfer
    from tests.staking.harness import call_data

    raw = transfer(keys[2], nonce, COUPONS, 0, gas=1_000_000, data=call_data(REDEEM, 1)[:10])
    (result,) = net.net.block([raw])
    assert result.code == 32 and result.log == "execution reverted: malformed arguments for redeem(uint256)"
