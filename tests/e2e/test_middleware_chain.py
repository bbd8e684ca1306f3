"""The e-commerce middleware end to end, on a real chain, with transactions signed by eth-account:
a geo-fenced coupon campaign, an order disputed and decided by three arbiters, an opt-in ad
campaign, and the example shop selling through escrow with a coupon (and minting loyalty points)."""

import calendar
import json
import time

import pytest
from eth_abi import decode, encode
from eth_hash.auto import keccak

from abci_app.cli.localnode import LocalNode, wait_until
from abci_app.cli.node import DEFAULT_EVM_CHAIN_ID
from abci_app.cli.wallet import dev_account, sign_tx
from abci_app.contracts import load_contract
from abci_app.rpc import CometRPC

from ..solvency import assert_solvent
from ..staking.harness import call_data

pytestmark = pytest.mark.e2e

CMT = 10**18
COUPONS, ARBITRATION, ADS = ("0x000000000000000000000000000000000000" + s for s in ("cc02", "cc03", "cc04"))
EIFFEL = (48_858_370, 2_294_481)          # microdegrees
INSIDE = (48_862_870, 2_294_481)          # ~500 m north
OUTSIDE = (48_876_370, 2_294_481)         # ~2 km north
CREATE_CAMPAIGN = "createCampaign(address,uint256,uint32,int32,int32,uint32,uint64,uint64,address,string)"
CLAIM = "claim(uint256,int32,int32,uint64,bytes)"
ZERO = "0x" + "00" * 20
ORDER_ABI = ("(uint256,address,address,bytes32,uint256,uint256,uint64,uint64,uint8,uint8,address,string,uint64,"
             "uint64,uint8,uint8,uint8,uint64,uint8,uint8)")


class Wallet:
    """Signs with eth-account, sends through CometBFT, waits for the committed receipt."""

    def __init__(self, rpc: CometRPC) -> None:
        self.rpc = rpc

    def send(self, key, to: str, data: bytes, value: int = 0, gas: int = 3_000_000) -> dict:
        nonce = self.rpc.query_json(f"/account/{key.address}")["nonce"]
        raw = sign_tx(key, nonce, to, value, chain_id=DEFAULT_EVM_CHAIN_ID, gas=gas, data=data)
        assert self.rpc.broadcast_tx_sync(raw)["code"] == 0

        def receipt():
            code, found, _ = self.rpc.abci_query("/tx/0x" + keccak(raw).hex())
            return json.loads(found) if code == 0 else None

        return wait_until(receipt, 60, "the transaction to be committed", interval_s=0.2)

    def call(self, key, to: str, signature: str, *args, value: int = 0) -> dict:
        receipt = self.send(key, to, call_data(signature, *args), value)
        assert receipt["status"] == 1, f"{signature}: {receipt['error']}"
        return receipt

    def reverts(self, key, to: str, signature: str, *args, value: int = 0) -> str:
        receipt = self.send(key, to, call_data(signature, *args), value)
        assert receipt["status"] == 0
        return receipt["error"]

    def deploy(self, key, name: str, types: list[str], args: list) -> str:
        receipt = self.send(key, "", load_contract(name).bytecode + encode(types, args))
        assert receipt["status"] == 1, receipt["error"]
        return receipt["contract_address"]

    def balance(self, address: str) -> int:
        return int(self.rpc.query_json(f"/account/{address}")["balance"])


def _block_time(rpc: CometRPC) -> int:
    header_time = rpc.status()["sync_info"]["latest_block_time"]
    return calendar.timegm(time.strptime(header_time[:19], "%Y-%m-%dT%H:%M:%S"))


def _topic_id(receipt: dict, event: bytes, position: int = 1) -> int:
    topic = "0x" + keccak(event).hex()
    (log,) = [log for log in receipt["logs"] if log["topics"][0] == topic]
    return int(log["topics"][position], 16)


def _fee(receipt: dict) -> int:
    return receipt["gas_used"] * int(receipt["effective_gas_price"])


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    node = LocalNode.create(tmp_path_factory.mktemp("middleware") / "node")
    try:
        node.start()
        yield Wallet(node.rpc)
        assert_solvent(node.rpc)
    finally:
        node.stop()


def test_coupon_campaign_claims_redemption_and_reclaim(chain):
    sponsor, merchant, alice, bob = dev_account(6), dev_account(5), dev_account(4), dev_account(7)
    end = _block_time(chain.rpc) + 20
    created = chain.call(sponsor, COUPONS, CREATE_CAMPAIGN, merchant.address, 10 * CMT, 5, *EIFFEL, 1_000, 0, end,
                         ZERO, "10 CMT off near the tower", value=50 * CMT)
    campaign = _topic_id(created, b"CampaignCreated(uint256,address,address,uint256,uint32,int32,int32,uint32,"
                                  b"uint64,uint64,address)")
    claimed = chain.call(alice, COUPONS, CLAIM, campaign, *INSIDE, 0, b"")
    coupon = _topic_id(claimed, b"CouponClaimed(uint256,uint256,address,int32,int32)")
    assert chain.reverts(bob, COUPONS, CLAIM, campaign, *OUTSIDE, 0, b"") == \
        "execution reverted: position outside the campaign area"
    before = chain.balance(merchant.address)
    chain.call(alice, COUPONS, "redeem(uint256)", coupon)
    assert chain.balance(merchant.address) == before + 10 * CMT
    wait_until(lambda: _block_time(chain.rpc) > end, 60, "the campaign to end", interval_s=0.5)
    before = chain.balance(sponsor.address)
    receipt = chain.call(sponsor, COUPONS, "reclaim(uint256)", campaign)
    assert chain.balance(sponsor.address) == before + 40 * CMT - _fee(receipt)  # 4 coupons never redeemed
    assert chain.balance(COUPONS) == 0


def test_an_order_disputed_and_decided_by_three_arbiters(chain):
    arbiters = [dev_account(i) for i in (1, 2, 3)]
    buyer, seller = dev_account(4), dev_account(5)
    for arbiter in arbiters:
        chain.call(arbiter, ARBITRATION, "joinPool()", value=10_000 * CMT)
    deadline = _block_time(chain.rpc) + 3600
    opened = chain.call(buyer, ARBITRATION, "openOrder(address,bytes32,uint64)", seller.address, b"\x01" * 32,
                        deadline, value=100 * CMT)
    order = _topic_id(opened, b"OrderOpened(uint256,address,address,bytes32,uint256,uint256,uint64)")
    raised = chain.call(buyer, ARBITRATION, "raiseDispute(uint256,string)", order, "never arrived",
                        value=CMT)  # the default dispute fee
    (log,) = [log for log in raised["logs"] if log["topics"][0] == "0x" + keccak(
        b"DisputeRaised(uint256,address,string,uint256,uint64)").hex()]
    _, fee, draw_height = decode(["string", "uint256", "uint64"], bytes.fromhex(log["data"][2:]))
    assert fee == CMT
    wait_until(lambda: int(chain.rpc.status()["sync_info"]["latest_block_height"]) >= draw_height, 60,
               "the draw block")   # the panel comes from its hash: drawable from the block after it
    chain.call(seller, ARBITRATION, "drawArbiters(uint256)", order)
    case = chain.call(buyer, ARBITRATION, "caseArbiters(uint256)", order)  # a view, run as a transaction
    drawn, votes = decode(["address[]", "uint8[]"], bytes.fromhex(case["output"][2:]))
    assert sorted(drawn) == sorted(a.address.lower() for a in arbiters) and list(votes) == [0, 0, 0]
    for arbiter, refund in zip(arbiters, (True, True, False)):
        receipt = chain.call(arbiter, ARBITRATION, "vote(uint256,bool)", order, refund)
    resolved = [log for log in receipt["logs"] if log["topics"][0] == "0x" + keccak(
        b"DisputeResolved(uint256,bool,uint256,uint256,uint256,uint256)").hex()]
    refund_buyer, votes_refund, votes_release = decode(["bool", "uint256", "uint256"],
                                                       bytes.fromhex(resolved[0]["data"][2:2 + 192]))
    assert (refund_buyer, votes_refund, votes_release) == (True, 2, 1)
    assert int(chain.rpc.query_json(f"/account/{ARBITRATION}")["balance"]) == 30_000 * CMT  # only the stakes


def test_an_ad_campaign_reaches_only_matching_users(chain):
    advertiser, sporty, reader = dev_account(9), dev_account(7), dev_account(8)
    sports, books = 1, 4
    chain.call(sporty, ADS, "optIn(uint256,uint32,uint256)", sports, 0, 1 * CMT)
    chain.call(reader, ADS, "optIn(uint256,uint32,uint256)", books, 0, 1 * CMT)
    end = _block_time(chain.rpc) + 600
    created = chain.call(advertiser, ADS, "createCampaign(uint256,uint32,uint256,uint64,string)", sports, 0, 2 * CMT,
                         end, "Running shoes -20%", value=10 * CMT)
    campaign = _topic_id(created, b"CampaignCreated(uint256,address,uint256,uint256,uint64)")
    sent = chain.call(advertiser, ADS, "sendMessage(uint256,address)", campaign, sporty.address)
    message = _topic_id(sent, b"MessageSent(uint256,uint256,address,uint256)")
    assert chain.reverts(advertiser, ADS, "sendMessage(uint256,address)", campaign, reader.address) == \
        "execution reverted: interests do not match"
    before = chain.balance(sporty.address)
    receipt = chain.call(sporty, ADS, "accept(uint256)", message)
    assert chain.balance(sporty.address) == before + 2 * CMT - _fee(receipt)

    second = _topic_id(chain.call(advertiser, ADS, "createCampaign(uint256,uint32,uint256,uint64,string)", sports,
                                  0, 2 * CMT, end, "Rackets", value=4 * CMT),
                       b"CampaignCreated(uint256,address,uint256,uint256,uint64)")
    message = _topic_id(chain.call(advertiser, ADS, "sendMessage(uint256,address)", second, sporty.address),
                        b"MessageSent(uint256,uint256,address,uint256)")
    held = chain.balance(ADS)
    receipt = chain.call(sporty, ADS, "reject(uint256)", message)
    assert chain.balance(ADS) == held  # back into the campaign's budget, nothing paid out
    (log,) = receipt["logs"]
    assert decode(["uint256", "bool"], bytes.fromhex(log["data"][2:])) == (2 * CMT, False)


def test_the_shop_sells_through_escrow_with_a_coupon(chain):
    seller, buyer, sponsor = dev_account(5), dev_account(4), dev_account(6)
    points = chain.deploy(seller, "LoyaltyPoints", ["string", "string"], ["Shop points", "PTS"])
    shop = chain.deploy(seller, "Shop", ["address", "uint64"], [points, 3600])
    chain.call(seller, points, "setMinter(address,bool)", shop, True)
    chain.call(seller, shop, "listItem(uint256,string)", 50 * CMT, "mug")
    end = _block_time(chain.rpc) + 600
    created = chain.call(sponsor, COUPONS, CREATE_CAMPAIGN, shop, 5 * CMT, 10, *EIFFEL, 1_000, 0, end, ZERO,
                         "5 CMT off a mug", value=50 * CMT)
    campaign = _topic_id(created, b"CampaignCreated(uint256,address,address,uint256,uint32,int32,int32,uint32,"
                                  b"uint64,uint64,address)")
    coupon = _topic_id(chain.call(buyer, COUPONS, CLAIM, campaign, *INSIDE, 0, b""),
                       b"CouponClaimed(uint256,uint256,address,int32,int32)")
    chain.call(buyer, shop, "reserveCoupon(uint256)", coupon)
    chain.call(buyer, COUPONS, "transfer(uint256,address)", coupon, shop)
    sold = chain.call(buyer, shop, "buy(uint256,uint256)", 0, coupon, value=45 * CMT)
    order = _topic_id(sold, b"Sold(uint256,uint256,address,uint256)")
    viewed = chain.call(buyer, ARBITRATION, "order(uint256)", order)  # a view, run as a transaction
    (fields,) = decode([ORDER_ABI], bytes.fromhex(viewed["output"][2:]))
    assert (fields[1], fields[2], fields[4]) == (shop.lower(), seller.address.lower(), 50 * CMT)

    seller_before, buyer_before = chain.balance(seller.address), chain.balance(buyer.address)
    receipt = chain.call(buyer, shop, "confirmDelivery(uint256)", order)
    fee_reserve = 50 * CMT // 100
    assert chain.balance(seller.address) == seller_before + 50 * CMT - fee_reserve
    assert chain.balance(buyer.address) == buyer_before + fee_reserve - _fee(receipt)
    minted = chain.call(buyer, points, "balanceOf(address)", buyer.address)
    assert decode(["uint256"], bytes.fromhex(minted["output"][2:])) == (50,)
