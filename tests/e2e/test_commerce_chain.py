"""Groups, identity and credit together on a real chain (issue 17), through the example
ClassicCarMarket: a "Classic Cars" group with approval membership and three expert arbiters; a
member buys a part through escrow and the group's experts decide the dispute; both parties' credit
records change exactly as the arbitration README defines them; a group-only coupon is refused to a
non-member and claimed by a member; an identity claim admits a buyer to a claim-gated group, and
its revocation stops the next purchase that needs it."""

import pytest
from eth_abi import decode, encode
from eth_hash.auto import keccak

from abci_app.cli.localnode import wait_until
from abci_app.cli.wallet import dev_account
from abci_app.middleware.arbitration import credit
from abci_app.middleware.arbitration.records import Credit
from abci_app.middleware.arbitration.views import ORDER_ABI

from .test_middleware_chain import CLAIM, CMT, COUPONS, CREATE_CAMPAIGN, EIFFEL, INSIDE, ZERO, Wallet, \
    _block_time, _topic_id
from .test_middleware_chain import chain  # noqa: F401  (a one-node chain of this module's own)

pytestmark = pytest.mark.e2e

ARBITRATION, GROUPS, IDENTITY = ("0x000000000000000000000000000000000000" + s for s in ("cc03", "cc05", "cc06"))
CREATE_GROUP = "createGroup(string,string,uint8,address,uint256,address,bytes32)"
APPROVAL, CLAIM_RULE = 1, 4
GROUP_BOND, EXPERT_STAKE, DISPUTE_FEE = 1_000 * CMT, 10_000 * CMT, CMT      # the default params
VERIFIED_BUYER = keccak(b"verified-buyer")
CREDIT_ABI = ["(uint256,uint256,uint256,uint256,uint256,uint256,uint256,uint256,uint64,uint64)", "uint256"]
PRICE = 100 * CMT

OWNER, BUYER, OUTSIDER, ATTESTER, COLLECTOR = (dev_account(i) for i in (5, 4, 7, 6, 8))
EXPERTS = [dev_account(i) for i in (1, 2, 3)]


def _view(chain: Wallet, to: str, signature: str, returns: list[str], *args) -> tuple:
    """A view, run as a transaction by a key that plays no part here (its output is the answer)."""
    receipt = chain.call(dev_account(9), to, signature, *args)
    return decode(returns, bytes.fromhex(receipt["output"][2:]))


def _returned(receipt: dict) -> int:
    return decode(["uint256"], bytes.fromhex(receipt["output"][2:]))[0]


def _credit(chain: Wallet, key) -> tuple[Credit, int]:
    record, score = _view(chain, ARBITRATION, "credit(address)", CREDIT_ABI, key.address)
    return Credit(*record), score


def _order(chain: Wallet, order_id: int) -> tuple:
    return _view(chain, ARBITRATION, "order(uint256)", [ORDER_ABI], order_id)[0]


def _create_group(chain: Wallet, name: str, rule: int, attester: str = ZERO, claim_type: bytes = b"\0" * 32) -> int:
    receipt = chain.call(OWNER, GROUPS, CREATE_GROUP, name, "vehicles", rule, ZERO, 0, attester, claim_type,
                         value=GROUP_BOND)
    return _returned(receipt)


def _deploy_market(chain: Wallet, group_id: int) -> str:
    return chain.deploy(OWNER, "ClassicCarMarket", ["uint256", "address"], [group_id, ATTESTER.address])


def _buy(chain: Wallet, market: str, item: int, buyer) -> int:
    """reserve, open the order in the market's group, bind: the order id."""
    chain.call(buyer, market, "reserve(uint256)", item)
    (ref,) = _view(chain, market, "orderRef(uint256,address)", ["bytes32"], item, buyer.address)
    (group_id,) = _view(chain, market, "groupId()", ["uint256"])
    deadline = _block_time(chain.rpc) + 3600
    order_id = _returned(chain.call(buyer, ARBITRATION, "openGroupOrder(address,bytes32,uint64,uint256)",
                                    OWNER.address, ref, deadline, group_id, value=PRICE))
    chain.call(buyer, market, "bind(uint256,uint256)", item, order_id)
    return order_id


@pytest.fixture(scope="module")
def classic_cars(chain):  # noqa: F811
    """The group: approval membership, three experts staked in its pool, the buyer a member."""
    group_id = _create_group(chain, "Classic Cars", APPROVAL)
    for member in (*EXPERTS, BUYER):
        chain.call(member, GROUPS, "join(uint256)", group_id)
        chain.call(OWNER, GROUPS, "approve(uint256,address)", group_id, member.address)
    for expert in EXPERTS:
        chain.call(expert, ARBITRATION, "joinGroupPool(uint256)", group_id, value=EXPERT_STAKE)
    return group_id


def test_a_member_buys_a_part_and_the_groups_experts_decide_the_dispute(chain, classic_cars):  # noqa: F811
    market = _deploy_market(chain, classic_cars)
    chain.call(OWNER, market, "list(uint256,string,uint256,bool)", PRICE, "Jaguar E-type carburettor", 0, False)
    assert chain.reverts(OUTSIDER, market, "reserve(uint256)", 0) == \
        "execution reverted: Market: only members of the group buy here"
    order_id = _buy(chain, market, 0, BUYER)
    assert _order(chain, order_id)[25] == classic_cars          # groupId
    chain.call(OWNER, ARBITRATION, "acceptOrder(uint256)", order_id)   # the seller takes the sale on

    raised = chain.call(BUYER, ARBITRATION, "raiseDispute(uint256,string)", order_id, "the float chamber is cracked",
                        value=DISPUTE_FEE)
    draw_height = _order(chain, order_id)[21]
    assert raised["status"] == 1
    wait_until(lambda: int(chain.rpc.status()["sync_info"]["latest_block_height"]) > draw_height, 60,
               "the draw block")
    chain.call(OWNER, ARBITRATION, "drawArbiters(uint256)", order_id)
    drawn, _ = _view(chain, ARBITRATION, "caseArbiters(uint256)", ["address[]", "uint8[]"], order_id)
    assert sorted(drawn) == sorted(e.address.lower() for e in EXPERTS)
    assert _order(chain, order_id)[26] == classic_cars          # panelGroup: the experts' pool drew it
    for expert, refund in zip(EXPERTS, (True, True, False)):
        chain.call(expert, ARBITRATION, "vote(uint256,bool)", order_id, refund)
    order = _order(chain, order_id)
    ended_at = order[17]
    assert (order[8], order[9]) == (6, 2)                        # resolved, refunded to the buyer

    # credit, as the README defines it: one ended order each, its escrow, the dispute won and lost
    buyer_credit, buyer_score = _credit(chain, BUYER)
    seller_credit, seller_score = _credit(chain, OWNER)
    assert buyer_credit == Credit(1, PRICE, 0, 0, 1, 0, 0, 0, ended_at, ended_at)
    assert seller_credit == Credit(0, 0, 1, PRICE, 0, 1, 0, 0, ended_at, ended_at)
    assert (buyer_score, seller_score) == (credit.compute_score(buyer_credit), credit.compute_score(seller_credit))
    assert buyer_score > seller_score > 0

    chain.call(BUYER, ARBITRATION, "review(uint256,uint8,string)", order_id, 2, "cracked, and slow to answer")
    chain.call(OWNER, ARBITRATION, "review(uint256,uint8,string)", order_id, 5, "fair dispute")
    assert chain.reverts(BUYER, ARBITRATION, "review(uint256,uint8,string)", order_id, 1, "again") == \
        "execution reverted: already reviewed"
    assert _credit(chain, OWNER)[0] == Credit(0, 0, 1, PRICE, 0, 1, 1, 2, ended_at, ended_at)
    assert _credit(chain, BUYER)[0] == Credit(1, PRICE, 0, 0, 1, 0, 1, 5, ended_at, ended_at)

    # a seller may ask for more credit than this buyer has
    _, score = _credit(chain, BUYER)
    chain.call(OWNER, market, "list(uint256,string,uint256,bool)", PRICE, "Bugatti Type 35 grille", score + 1, False)
    assert chain.reverts(BUYER, market, "reserve(uint256)", 1) == \
        "execution reverted: Market: buyer credit below the seller's minimum"


def test_a_group_coupon_is_refused_to_a_non_member_and_claimed_by_a_member(chain, classic_cars):  # noqa: F811
    start = _block_time(chain.rpc) + 4
    created = chain.call(OWNER, COUPONS, CREATE_CAMPAIGN, OWNER.address, 5 * CMT, 10, *EIFFEL, 1_000, start,
                         start + 600, ZERO, "5 CMT off a part, for members", value=50 * CMT)
    campaign = _topic_id(created, b"CampaignCreated(uint256,address,address,uint256,uint32,int32,int32,uint32,"
                                  b"uint64,uint64,address)")
    chain.call(OWNER, COUPONS, "restrictToGroup(uint256,uint256)", campaign, classic_cars)
    wait_until(lambda: _block_time(chain.rpc) >= start, 30, "the campaign to start", interval_s=0.3)
    assert chain.reverts(OUTSIDER, COUPONS, CLAIM, campaign, *INSIDE, 0, b"") == \
        "execution reverted: not a member of the campaign's group"
    claimed = chain.call(BUYER, COUPONS, CLAIM, campaign, *INSIDE, 0, b"")
    assert _topic_id(claimed, b"CouponClaimed(uint256,uint256,address,int32,int32)", 3) == int(BUYER.address, 16)


def test_a_claim_admits_a_buyer_and_its_revocation_stops_the_next_purchase(chain):  # noqa: F811
    chain.call(ATTESTER, IDENTITY, "registerAttester()", value=100 * CMT)
    expiry = _block_time(chain.rpc) + 3600
    chain.call(ATTESTER, IDENTITY, "issueClaim(address,bytes32,uint64,bytes32)", COLLECTOR.address, VERIFIED_BUYER,
               expiry, keccak(b"salt" + encode(["string"], ["passport checked"])))
    verified = _create_group(chain, "Verified collectors", CLAIM_RULE, ATTESTER.address, VERIFIED_BUYER)
    assert chain.reverts(OUTSIDER, GROUPS, "join(uint256)", verified) == \
        "execution reverted: no valid claim from the group's attester"
    chain.call(COLLECTOR, GROUPS, "join(uint256)", verified)

    market = _deploy_market(chain, verified)
    for name in ("Ferrari 250 GTO gearbox", "Aston Martin DB5 headlamp"):
        chain.call(OWNER, market, "list(uint256,string,uint256,bool)", PRICE, name, 0, True)
    _buy(chain, market, 0, COLLECTOR)
    chain.call(ATTESTER, IDENTITY, "revokeClaim(address,bytes32)", COLLECTOR.address, VERIFIED_BUYER)
    assert chain.reverts(COLLECTOR, market, "reserve(uint256)", 1) == \
        "execution reverted: Market: the seller asks for a verified buyer"
