"""CometBFT's `tx_search` on a real node finds transactions by their indexed ABCI events: a transfer
by `eth.from`, a coupon claim by `coupon.claimed.campaignId`, an identity claim by its subject and a
group's creation and members by the group id and the member (precompile logs turned into events)."""

import pytest
from eth_hash.auto import keccak

from abci_app.cli.localnode import wait_until
from abci_app.cli.wallet import dev_account
from abci_app.middleware import groups, identity

from .test_middleware_chain import CLAIM, CMT, COUPONS, CREATE_CAMPAIGN, EIFFEL, INSIDE, ZERO, Wallet, \
    _block_time, _topic_id
from .test_middleware_chain import chain  # noqa: F401  (the same one-node chain fixture, a node of its own here)

pytestmark = pytest.mark.e2e

RECIPIENT = "0x" + "5e" * 20
IDENTITY = "0x" + identity.ADDRESS.hex()
GROUPS = "0x" + groups.ADDRESS.hex()


def _search(chain: Wallet, query: str, count: int) -> list[dict]:
    """tx_search's transactions for `query`, once CometBFT's indexer (which runs after the app's
    commit) has caught up with `count` of them."""
    def found():
        result = chain.rpc.call("tx_search", query=query)
        return result["txs"] if int(result["total_count"]) >= count else None

    return wait_until(found, 30, f"{count} transaction(s) indexed for {query}", interval_s=0.2)


def _events(tx: dict) -> dict[str, dict[str, str]]:
    return {e["type"]: {a["key"]: a["value"] for a in e["attributes"]} for e in tx["tx_result"]["events"]}


def test_a_transfer_is_found_by_its_sender(chain):
    sender = dev_account(8)
    receipt = chain.send(sender, RECIPIENT, b"", value=1_000)
    assert receipt["status"] == 1
    (tx,) = _search(chain, f"eth.from='{sender.address.lower()}'", 1)
    assert _events(tx)["eth"] == {"hash": receipt["hash"], "from": sender.address.lower(), "to": RECIPIENT}
    assert int(tx["height"]) == receipt["height"]


def test_a_coupon_claim_is_found_by_its_campaign(chain):
    sponsor, merchant, alice = dev_account(6), dev_account(5), dev_account(4)
    end = _block_time(chain.rpc) + 600
    created = chain.call(sponsor, COUPONS, CREATE_CAMPAIGN, merchant.address, 1 * CMT, 5, *EIFFEL, 1_000, 0, end,
                         ZERO, "a coffee", value=5 * CMT)
    campaign = _topic_id(created, b"CampaignCreated(uint256,address,address,uint256,uint32,int32,int32,uint32,"
                                  b"uint64,uint64,address)")
    claimed = chain.call(alice, COUPONS, CLAIM, campaign, *INSIDE, 0, b"")
    coupon = _topic_id(claimed, b"CouponClaimed(uint256,uint256,address,int32,int32)")

    (tx,) = _search(chain, f"coupon.claimed.campaignId={campaign}", 1)
    events = _events(tx)
    assert events["eth"]["hash"] == claimed["hash"]
    assert events["coupon.claimed"] == {"couponId": str(coupon), "campaignId": str(campaign),
                                        "claimer": alice.address.lower(), "latE6": str(INSIDE[0]),
                                        "lonE6": str(INSIDE[1])}
    (by_sponsor,) = _search(chain, f"coupon.campaign_created.sponsor='{sponsor.address.lower()}'", 1)
    assert _events(by_sponsor)["eth"]["hash"] == created["hash"]


def test_an_identity_claim_is_found_by_its_subject(chain):
    """An attester's claim is found by the subject it is about (`identity.claim_issued.subject`)."""
    attester, subject = dev_account(3), dev_account(2)
    phone, evidence = keccak(b"miles.phone.verified"), keccak(b"salt|+41 79 555 01 23")
    chain.call(attester, IDENTITY, "registerAttester()", value=100 * CMT)
    expiry = _block_time(chain.rpc) + 600
    issued = chain.call(attester, IDENTITY, "issueClaim(address,bytes32,uint64,bytes32)", subject.address, phone,
                        expiry, evidence)
    (tx,) = _search(chain, f"identity.claim_issued.subject='{subject.address.lower()}'", 1)
    events = _events(tx)
    assert events["eth"]["hash"] == issued["hash"]
    assert events["identity.claim_issued"] == {"attester": attester.address.lower(),
                                               "subject": subject.address.lower(), "claimType": "0x" + phone.hex(),
                                               "expiry": str(expiry), "dataHash": "0x" + evidence.hex()}
    (registered,) = _search(chain, f"identity.attester_registered.attester='{attester.address.lower()}'", 1)
    assert _events(registered)["identity.attester_registered"]["bond"] == str(100 * CMT)


def test_a_group_and_its_members_are_found_by_group_id_and_member(chain):
    """GroupCreated by its owner, MemberJoined by the group id and by the member."""
    owner, member = dev_account(7), dev_account(9)
    created = chain.call(owner, GROUPS, "createGroup(string,string,uint8,address,uint256,address,bytes32)",
                         "tx_search fans", "test", 0, ZERO, 0, ZERO, b"\0" * 32, value=1_000 * CMT)
    (tx,) = _search(chain, f"group.created.owner='{owner.address.lower()}'", 1)
    group_id = _events(tx)["group.created"]["groupId"]
    assert _events(tx)["eth"]["hash"] == created["hash"] and _events(tx)["group.created"]["name"] == "tx_search fans"
    joined = chain.call(member, GROUPS, "join(uint256)", int(group_id))
    (tx,) = _search(chain, f"group.member_joined.account='{member.address.lower()}'", 1)
    assert _events(tx)["eth"]["hash"] == joined["hash"]
    assert _events(tx)["group.member_joined"] == {"groupId": group_id, "account": member.address.lower(),
                                                  "by": member.address.lower()}
    both = _search(chain, f"group.member_joined.groupId={group_id}", 2)      # the owner at creation, then the member
    assert sorted(_events(t)["group.member_joined"]["account"] for t in both) == sorted(
        [owner.address.lower(), member.address.lower()])
