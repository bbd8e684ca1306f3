"""Every ads call through a signed transaction: its effects, its events, every revert reason."""

from eth_abi import decode
from eth_hash.auto import keccak

from .harness import ADS, CMT, CREATE, OPT_IN, SEND, AdsChain, ads_state, topic

REWARD = 2 * CMT
PROFILE = ["bool", "uint256", "uint32", "uint256"]
MESSAGE = ["(uint256,address,uint256,uint8,uint64)"]
INBOX = ["uint256[]"]
TOTALS = ["uint256", "uint256", "uint256"]
SPORTS, MUSIC, BOOKS = 1, 2, 4


def _roles(keys):
    """advertiser, second advertiser, alice, bob."""
    return keys[2], keys[3], keys[4], keys[5]


def _campaign(net, adv, *, mask=SPORTS | MUSIC, region=0, reward=REWARD, budget=10 * REWARD, ends_in=100,
              content="Shoes -20% this week") -> int:
    return net.returned_id(adv, CREATE, mask, region, reward, net.chain.time_s + ends_in, content, value=budget)


def _inbox(net, user) -> list[int]:
    return list(net.ads_view("inbox(address)", INBOX, user.address)[0])


# ---- genesis and params ---------------------------------------------------------------------------

def test_genesis_account_params_and_totals(net):
    assert net.chain.account(ADS)["nonce"] == 1 and net.chain.balance(ADS) == 0
    assert net.ads_view("params()", ["(uint32,uint32,uint32)"]) == ((1_024, 100, 30 * 86_400),)
    assert net.ads_view("totals()", TOTALS) == (0, 0, 0)
    net.assert_funds()


def test_genesis_params_are_stored_and_shown(tmp_path, keys):
    net = AdsChain.start(str(tmp_path / "db"), ads_state(keys, {"max_content_bytes": "64", "max_inbox": 3}))
    net.keys = keys
    try:
        assert net.ads_view("params()", ["(uint32,uint32,uint32)"]) == ((64, 3, 30 * 86_400),)
        net.revert(keys[2], "content longer than 64 bytes", CREATE, 1, 0, 1, net.chain.time_s + 9, "x" * 65, value=1)
    finally:
        net.chain.app.close()


# ---- users ----------------------------------------------------------------------------------------

def test_opt_in_update_and_opt_out(net, keys):
    _, _, alice, _ = _roles(keys)
    result = net.ok(alice, OPT_IN, SPORTS | BOOKS, 1234, REWARD)
    assert net.ads_view("profile(address)", PROFILE, alice.address) == (True, SPORTS | BOOKS, 1234, REWARD)
    (log,) = net.logs(result)
    assert log["address"] == ADS and log["topics"][0] == topic("OptedIn(address,uint256,uint32,uint256)")
    assert log["topics"][1].endswith(alice.address.lower()[2:])
    assert decode(["uint256", "uint32", "uint256"], bytes.fromhex(log["data"][2:])) == (SPORTS | BOOKS, 1234, REWARD)
    net.ok(alice, OPT_IN, MUSIC, 0, 0)  # calling again updates the profile
    assert net.ads_view("profile(address)", PROFILE, alice.address) == (True, MUSIC, 0, 0)
    (log,) = net.logs(net.ok(alice, "optOut()"))
    assert log["topics"] == [topic("OptedOut(address)"), log["topics"][1]]
    assert net.ads_view("profile(address)", PROFILE, alice.address) == (False, 0, 0, 0)  # nothing kept
    net.assert_funds()


def test_user_call_rejections(net, keys):
    adv, _, alice, _ = _roles(keys)
    net.revert(alice, "interest mask must not be zero", OPT_IN, 0, 1, 0)
    net.revert(alice, "not opted in", "optOut()")
    net.revert(alice, "advertiser not blocked", "unblockAdvertiser(address)", adv.address)
    net.ok(alice, "blockAdvertiser(address)", adv.address)
    net.revert(alice, "advertiser already blocked", "blockAdvertiser(address)", adv.address)
    net.revert(alice, "optIn does not accept CMT", OPT_IN, 1, 1, 0, value=1)
    net.revert(alice, f"unknown function selector 0x{keccak(b'nothing()')[:4].hex()}", "nothing()")


def test_block_and_unblock(net, keys):
    adv, adv2, alice, _ = _roles(keys)
    blocked = ["bool"]
    result = net.ok(alice, "blockAdvertiser(address)", adv.address)
    (log,) = net.logs(result)
    assert log["topics"][0] == topic("AdvertiserBlocked(address,address)")
    assert log["topics"][1].endswith(alice.address.lower()[2:]) and log["topics"][2].endswith(adv.address.lower()[2:])
    assert net.ads_view("isBlocked(address,address)", blocked, alice.address, adv.address) == (True,)
    assert net.ads_view("isBlocked(address,address)", blocked, alice.address, adv2.address) == (False,)
    assert net.ads_view("isBlocked(address,address)", blocked, adv.address, alice.address) == (False,)
    (log,) = net.logs(net.ok(alice, "unblockAdvertiser(address)", adv.address))
    assert log["topics"][0] == topic("AdvertiserUnblocked(address,address)")
    assert net.ads_view("isBlocked(address,address)", blocked, alice.address, adv.address) == (False,)


# ---- campaigns ------------------------------------------------------------------------------------

def test_create_campaign(net, keys):
    adv, adv2, _, _ = _roles(keys)
    end = net.chain.time_s + 100
    balance = net.chain.balance(adv.address)
    result = net.ok(adv, CREATE, SPORTS, 7, REWARD, end, "Hello ✓", value=5 * REWARD)
    assert decode(["uint256"], result.data) == (1,)
    assert net.chain.balance(adv.address) == balance - 5 * REWARD - net.fee(result)
    assert net.campaign(1) == (adv.address.lower(), SPORTS, 7, REWARD, end, "Hello ✓", 5 * REWARD, 5 * REWARD,
                               0, 0, 0, 0, 0, 0, False)
    (log,) = net.logs(result)
    assert log["topics"][0] == topic("CampaignCreated(uint256,address,uint256,uint256,uint64)")
    assert int(log["topics"][1], 16) == 1 and log["topics"][2].endswith(adv.address.lower()[2:])
    assert decode(["uint256", "uint256", "uint64"], bytes.fromhex(log["data"][2:])) == (5 * REWARD, REWARD, end)
    assert _campaign(net, adv2, content="x" * 1_024) == 2  # exactly the limit
    assert net.ads_view("totals()", TOTALS) == (2, 0, 15 * REWARD)
    net.assert_funds()


def test_create_campaign_rejections(net, keys):
    adv = keys[2]
    end = net.chain.time_s + 100
    net.revert(adv, "interest mask must not be zero", CREATE, 0, 0, REWARD, end, "", value=REWARD)
    net.revert(adv, "reward per message must be positive", CREATE, 1, 0, 0, end, "", value=REWARD)
    net.revert(adv, "budget must be positive", CREATE, 1, 0, REWARD, end, "")
    net.revert(adv, "budget below the reward per message", CREATE, 1, 0, REWARD, end, "", value=REWARD - 1)
    # the call runs in the next block, one second later: an end time of that second is not future
    net.revert(adv, "end time must be in the future", CREATE, 1, 0, REWARD, net.chain.time_s + 1, "", value=REWARD)
    net.revert(adv, "content longer than 1024 bytes", CREATE, 1, 0, REWARD, end, "x" * 1_025, value=REWARD)
    net.revert(adv, "content longer than 1024 bytes", CREATE, 1, 0, REWARD, end, "é" * 513, value=REWARD)
    net.revert(adv, "no such campaign", "campaign(uint256)", 1)
    net.revert(adv, "no such campaign", "closeCampaign(uint256)", 0)
    net.assert_funds()


# ---- sending: targeting ---------------------------------------------------------------------------

def test_send_message(net, keys):
    adv, _, alice, _ = _roles(keys)
    net.ok(alice, OPT_IN, MUSIC, 5, REWARD)
    campaign = _campaign(net, adv)
    result = net.ok(adv, SEND, campaign, alice.address)
    assert decode(["uint256"], result.data) == (1,)
    sent_at = net.chain.time_s
    assert net.ads_view("message(uint256)", MESSAGE, 1) == ((campaign, alice.address.lower(), REWARD, 0, sent_at),)
    assert _inbox(net, alice) == [1]
    record = net.campaign(campaign)
    assert record[6:15] == (10 * REWARD, 9 * REWARD, REWARD, 0, 0, 1, 0, 0, False)
    (log,) = net.logs(result)
    assert log["topics"][0] == topic("MessageSent(uint256,uint256,address,uint256)")
    assert [int(t, 16) for t in log["topics"][1:3]] == [1, campaign]
    assert log["topics"][3].endswith(alice.address.lower()[2:])
    assert decode(["uint256"], bytes.fromhex(log["data"][2:])) == (REWARD,)
    assert net.ads_view("totals()", TOTALS) == (1, 1, 10 * REWARD)
    net.revert(adv, "no such message", "message(uint256)", 2)
    net.assert_funds()


def test_send_rejections_one_reason_each(net, keys):
    adv, adv2, alice, bob = _roles(keys)
    campaign = _campaign(net, adv, mask=SPORTS, region=7)
    net.revert(adv, "no such campaign", SEND, 0, alice.address)
    net.revert(adv, "no such campaign", SEND, 9, alice.address)
    net.revert(adv2, "not the campaign's advertiser", SEND, campaign, alice.address)
    net.revert(adv, "user has not opted in", SEND, campaign, alice.address)
    net.ok(alice, OPT_IN, MUSIC | BOOKS, 7, 0)
    net.revert(adv, "interests do not match", SEND, campaign, alice.address)
    net.ok(alice, OPT_IN, MUSIC | SPORTS, 8, 0)
    net.revert(adv, "outside the campaign's region", SEND, campaign, alice.address)
    net.ok(alice, OPT_IN, SPORTS, 0, 0)
    net.revert(adv, "outside the campaign's region", SEND, campaign, alice.address)  # no region: specific refused
    net.ok(alice, OPT_IN, SPORTS, 7, REWARD + 1)
    net.revert(adv, "reward below the user's minimum", SEND, campaign, alice.address)
    net.ok(alice, OPT_IN, SPORTS, 7, REWARD)  # a reward equal to the minimum is enough
    net.ok(alice, "blockAdvertiser(address)", adv.address)
    net.revert(adv, "user blocked this advertiser", SEND, campaign, alice.address)
    net.ok(alice, "unblockAdvertiser(address)", adv.address)
    net.ok(adv, SEND, campaign, alice.address)
    net.revert(adv, "user already received this campaign", SEND, campaign, alice.address)
    net.ok(alice, "reject(uint256)", 1)
    net.revert(adv, "user already received this campaign", SEND, campaign, alice.address)  # answered or not
    net.ok(bob, OPT_IN, SPORTS, 7, 0)
    net.block(seconds=100)
    net.revert(adv, "campaign ended", SEND, campaign, bob.address)
    net.revert(adv, "sendMessage does not accept CMT", SEND, campaign, bob.address, value=1)
    net.assert_funds()


def test_region_zero_reaches_every_region(net, keys):
    adv, _, alice, bob = _roles(keys)
    net.ok(alice, OPT_IN, SPORTS, 0, 0)
    net.ok(bob, OPT_IN, SPORTS, 99, 0)
    anywhere = _campaign(net, adv, region=0)
    net.ok(adv, SEND, anywhere, alice.address)
    net.ok(adv, SEND, anywhere, bob.address)
    local = _campaign(net, adv, region=99)
    net.revert(adv, "outside the campaign's region", SEND, local, alice.address)
    net.ok(adv, SEND, local, bob.address)
    assert _inbox(net, bob) == [2, 3]


def test_budget_exhausted_until_a_reject_returns_the_reward(net, keys):
    adv, adv2, alice, bob = _roles(keys)
    for user in (alice, bob, adv2):
        net.ok(user, OPT_IN, SPORTS, 0, 0)
    campaign = _campaign(net, adv, budget=2 * REWARD + 5)
    net.ok(adv, SEND, campaign, alice.address)
    net.ok(adv, SEND, campaign, bob.address)
    net.revert(adv, "budget exhausted", SEND, campaign, adv2.address)
    net.ok(alice, "reject(uint256)", 1)
    assert net.campaign(campaign)[7:9] == (REWARD + 5, REWARD)
    net.ok(adv, SEND, campaign, adv2.address)
    net.assert_funds()


def test_inbox_full(tmp_path, keys):
    net = AdsChain.start(str(tmp_path / "db"), ads_state(keys, {"max_inbox": 2}))
    net.keys = keys
    try:
        adv, adv2, alice, _ = _roles(keys)
        net.ok(alice, OPT_IN, SPORTS, 0, 0)
        campaigns = [_campaign(net, adv), _campaign(net, adv), _campaign(net, adv2)]
        net.ok(adv, SEND, campaigns[0], alice.address)
        net.ok(adv, SEND, campaigns[1], alice.address)
        net.revert(adv2, "inbox full", SEND, campaigns[2], alice.address)
        net.ok(alice, "accept(uint256)", 1)  # an answer frees a place
        net.ok(adv2, SEND, campaigns[2], alice.address)
        assert _inbox(net, alice) == [2, 3]
        net.assert_funds()
    finally:
        net.chain.app.close()


# ---- answers --------------------------------------------------------------------------------------

def test_accept_pays_exactly_the_reward(net, keys):
    adv, _, alice, bob = _roles(keys)
    net.ok(alice, OPT_IN, SPORTS, 0, 0)
    net.ok(bob, OPT_IN, SPORTS, 0, 0)
    campaign = _campaign(net, adv, reward=REWARD + 3)
    net.ok(adv, SEND, campaign, alice.address)
    net.ok(adv, SEND, campaign, bob.address)
    before, held = net.chain.balance(alice.address), net.chain.balance(ADS)
    result = net.ok(alice, "accept(uint256)", 1)
    assert net.chain.balance(alice.address) == before + REWARD + 3 - net.fee(result)
    assert net.chain.balance(ADS) == held - REWARD - 3
    assert net.ads_view("message(uint256)", MESSAGE, 1)[0][3] == 1
    assert _inbox(net, alice) == [] and _inbox(net, bob) == [2]
    record = net.campaign(campaign)
    assert record[6:15] == (10 * REWARD, 8 * REWARD - 6, REWARD + 3, REWARD + 3, 0, 2, 1, 0, False)
    (log,) = net.logs(result)
    assert log["topics"][0] == topic("MessageAccepted(uint256,uint256,address,uint256)")
    assert [int(t, 16) for t in log["topics"][1:3]] == [1, campaign]
    assert decode(["uint256"], bytes.fromhex(log["data"][2:])) == (REWARD + 3,)
    net.assert_funds()


def test_reject_returns_the_reward_to_the_budget(net, keys):
    adv, _, alice, _ = _roles(keys)
    net.ok(alice, OPT_IN, SPORTS, 0, 0)
    campaign = _campaign(net, adv, budget=3 * REWARD)
    net.ok(adv, SEND, campaign, alice.address)
    assert net.campaign(campaign)[7:9] == (2 * REWARD, REWARD)
    before, held = net.chain.balance(alice.address), net.chain.balance(ADS)
    result = net.ok(alice, "reject(uint256)", 1)
    assert net.chain.balance(alice.address) == before - net.fee(result)
    assert net.chain.balance(ADS) == held
    assert net.campaign(campaign)[6:15] == (3 * REWARD, 3 * REWARD, 0, 0, 0, 1, 0, 1, False)
    assert net.ads_view("message(uint256)", MESSAGE, 1)[0][3] == 2
    assert _inbox(net, alice) == []
    (log,) = net.logs(result)
    assert log["topics"][0] == topic("MessageRejected(uint256,uint256,address,uint256,bool)")
    assert decode(["uint256", "bool"], bytes.fromhex(log["data"][2:])) == (REWARD, False)
    net.assert_funds()


def test_answer_rejections(net, keys):
    adv, _, alice, bob = _roles(keys)
    net.ok(alice, OPT_IN, SPORTS, 0, 0)
    campaign = _campaign(net, adv)
    net.revert(alice, "no such message", "accept(uint256)", 1)
    net.revert(alice, "no such message", "reject(uint256)", 0)
    net.ok(adv, SEND, campaign, alice.address)
    net.revert(bob, "not the message's recipient", "accept(uint256)", 1)
    net.revert(adv, "not the message's recipient", "reject(uint256)", 1)
    net.ok(alice, "accept(uint256)", 1)
    net.revert(alice, "message already answered", "accept(uint256)", 1)
    net.revert(alice, "message already answered", "reject(uint256)", 1)
    net.revert(alice, "accept does not accept CMT", "accept(uint256)", 1, value=1)
    net.assert_funds()


def test_inbox_removal_keeps_the_other_ids(net, keys):
    adv, adv2, alice, _ = _roles(keys)
    net.ok(alice, OPT_IN, SPORTS, 0, 0)
    ids = []
    for advertiser in (adv, adv2, adv, adv2):
        ids.append(net.returned_id(advertiser, SEND, _campaign(net, advertiser), alice.address))
    assert _inbox(net, alice) == ids == [1, 2, 3, 4]
    net.ok(alice, "accept(uint256)", 1)   # the last id moves into the hole
    assert _inbox(net, alice) == [4, 2, 3]
    net.ok(alice, "reject(uint256)", 3)
    assert _inbox(net, alice) == [4, 2]
    net.ok(alice, "reject(uint256)", 4)
    net.ok(alice, "accept(uint256)", 2)
    assert _inbox(net, alice) == []
    net.assert_funds()


def test_opted_out_user_may_still_answer_but_gets_nothing_new(net, keys):
    adv, _, alice, _ = _roles(keys)
    net.ok(alice, OPT_IN, SPORTS, 0, 0)
    first, second = _campaign(net, adv), _campaign(net, adv)
    net.ok(adv, SEND, first, alice.address)
    net.ok(alice, "optOut()")
    net.revert(adv, "user has not opted in", SEND, second, alice.address)
    before = net.chain.balance(alice.address)
    result = net.ok(alice, "accept(uint256)", 1)
    assert net.chain.balance(alice.address) == before + REWARD - net.fee(result)
    net.assert_funds()


def test_blocking_leaves_pending_messages_answerable(net, keys):
    adv, _, alice, _ = _roles(keys)
    net.ok(alice, OPT_IN, SPORTS, 0, 0)
    net.ok(adv, SEND, _campaign(net, adv), alice.address)
    net.ok(alice, "blockAdvertiser(address)", adv.address)
    net.ok(alice, "reject(uint256)", 1)
    net.assert_funds()


# ---- closing --------------------------------------------------------------------------------------

def test_close_refunds_exactly_the_unreserved_budget(net, keys):
    adv, adv2, alice, bob = _roles(keys)
    net.ok(alice, OPT_IN, SPORTS, 0, 0)
    net.ok(bob, OPT_IN, SPORTS, 0, 0)
    campaign = _campaign(net, adv, budget=5 * REWARD + 7, ends_in=50)
    net.ok(adv, SEND, campaign, alice.address)
    net.ok(adv, SEND, campaign, bob.address)
    net.revert(adv, "campaign has not ended", "closeCampaign(uint256)", campaign)
    net.block(seconds=50)
    net.revert(adv2, "not the campaign's advertiser", "closeCampaign(uint256)", campaign)
    before = net.chain.balance(adv.address)
    result = net.ok(adv, "closeCampaign(uint256)", campaign)
    assert net.chain.balance(adv.address) == before + 3 * REWARD + 7 - net.fee(result)
    assert net.campaign(campaign)[6:15] == (5 * REWARD + 7, 0, 2 * REWARD, 0, 3 * REWARD + 7, 2, 0, 0, True)
    (log,) = net.logs(result)
    assert log["topics"][0] == topic("CampaignClosed(uint256,address,uint256)")
    assert int(log["topics"][1], 16) == campaign and log["topics"][2].endswith(adv.address.lower()[2:])
    assert decode(["uint256"], bytes.fromhex(log["data"][2:])) == (3 * REWARD + 7,)
    net.revert(adv, "campaign already closed", "closeCampaign(uint256)", campaign)
    net.assert_funds()
    # pending messages outlive the close: an accept pays the user, a reject pays the advertiser
    before = net.chain.balance(alice.address)
    result = net.ok(alice, "accept(uint256)", 1)
    assert net.chain.balance(alice.address) == before + REWARD - net.fee(result)
    before = net.chain.balance(adv.address)
    result = net.ok(bob, "reject(uint256)", 2)
    assert net.chain.balance(adv.address) == before + REWARD
    (log,) = net.logs(result)
    assert decode(["uint256", "bool"], bytes.fromhex(log["data"][2:])) == (REWARD, True)
    assert net.campaign(campaign)[6:15] == (5 * REWARD + 7, 0, 0, REWARD, 4 * REWARD + 7, 2, 1, 1, True)
    assert net.chain.balance(ADS) == 0
    net.assert_funds()


def test_close_with_an_empty_budget(net, keys):
    adv, _, alice, _ = _roles(keys)
    net.ok(alice, OPT_IN, SPORTS, 0, 0)
    campaign = _campaign(net, adv, budget=REWARD, ends_in=5)
    net.ok(adv, SEND, campaign, alice.address)
    net.ok(alice, "accept(uint256)", 1)
    net.block(seconds=5)
    before = net.chain.balance(adv.address)
    result = net.ok(adv, "closeCampaign(uint256)", campaign)
    assert net.chain.balance(adv.address) == before - net.fee(result)
    assert net.chain.balance(ADS) == 0
    net.assert_funds()


def test_an_unanswered_message_expires_and_nothing_stays_in_escrow(tmp_path, keys):
    net = AdsChain.start(str(tmp_path / "db"), ads_state(keys, {"answer_seconds": 100}))
    net.keys = keys
    try:
        adv, _, alice, bob = _roles(keys)
        net.ok(alice, OPT_IN, SPORTS, 0, 0)
        campaign = _campaign(net, adv, budget=3 * REWARD, ends_in=10)
        net.ok(adv, SEND, campaign, alice.address)
        net.revert(bob, "message may still be answered", "expire(uint256)", 1)
        net.revert(bob, "no such message", "expire(uint256)", 2)
        net.block(seconds=20)
        net.ok(adv, "closeCampaign(uint256)", campaign)  # the unreserved budget comes back now
        net.block(seconds=100)
        before = net.chain.balance(adv.address)
        result = net.ok(bob, "expire(uint256)", 1)  # anyone may release it
        (log,) = net.logs(result)
        assert decode(["uint256", "bool"], bytes.fromhex(log["data"][2:])) == (REWARD, True)
        assert net.chain.balance(adv.address) == before + REWARD  # the campaign is closed: straight back
        assert net.chain.balance(ADS) == 0 and _inbox(net, alice) == []
        net.revert(bob, "message already answered", "expire(uint256)", 1)
        net.assert_funds()
    finally:
        net.chain.app.close()
