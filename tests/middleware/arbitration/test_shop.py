"""contracts/examples/Shop.sol on the in-process chain: the shop is the buyer towards the arbitration
precompile, so every wei the precompile pays it for an order belongs to the real buyer. It forwards
exactly that (the order's `paidToBuyer`): after a dispute decided by votes (the escrow less the
arbiters' share), after one decided without votes (the escrow, the penalties and the dispute fee
it paid), after a timeout (the fee reserve); the shop keeps nothing. The seller records shipment
once; the buyer's review of the seller goes through the shop, once the order has ended."""

import pytest
from eth_abi import decode, encode
from eth_hash.auto import keccak

from abci_app.contracts import load_contract

from ...chain import transfer
from .harness import (ACCEPT, CMT, DISPUTE_FEE, JOIN, MIN_STAKE, PAID_TO_BUYER, SETTLE, VOTE, VOTING_ENDS, WINDOW_S,
                      ArbitrationChain, topic)

PRICE = 10 * CMT + 101
FEE = PRICE // 100                  # the fee reserve of the test params
DELIVERY_S = 30


def _deploy(net: ArbitrationChain, key, name: str, types: list[str], args: list) -> str:
    nonce = net.chain.account(key.address)["nonce"]
    raw = transfer(key, nonce, "", 0, gas=5_000_000, data=load_contract(name).bytecode + encode(types, args))
    (result,) = net.block([raw])
    assert result.code == 0, result.log
    return net.query("/tx/0x" + keccak(raw).hex())["contract_address"]


def _shop_call(net, key, shop: str, signature: str, *args, value: int = 0):
    result = net.send(key, signature, *args, value=value, gas=3_000_000, to=shop)
    assert result.code == 0, result.log
    return result


@pytest.fixture(autouse=True)
def funds_hold(net):
    yield
    net.assert_funds()


@pytest.fixture
def shop(net, keys) -> str:
    """The seller's shop (keys[3]) with one item; arbiters keys[4..6] in the pool."""
    seller = keys[3]
    points = _deploy(net, seller, "LoyaltyPoints", ["string", "string"], ["Shop points", "PTS"])
    shop = _deploy(net, seller, "Shop", ["address", "uint64"], [points, DELIVERY_S])
    _shop_call(net, seller, points, "setMinter(address,bool)", shop, True)
    _shop_call(net, seller, shop, "listItem(uint256,string)", PRICE, "mug")
    for arbiter in keys[4:7]:
        net.ok(arbiter, JOIN, value=MIN_STAKE)
    return shop


def _buy(net, buyer, shop: str) -> int:
    result = _shop_call(net, buyer, shop, "buy(uint256,uint256)", 0, 0, value=PRICE)
    (order_id,) = decode(["uint256"], result.data)
    return order_id


def _disputed_and_drawn(net, keys, shop: str) -> tuple[int, list]:
    """The buyer disputes through the shop (paying the dispute fee); the arbiters are drawn."""
    order_id = _buy(net, keys[2], shop)
    _shop_call(net, keys[2], shop, "dispute(uint256,string)", order_id, "arrived broken", value=DISPUTE_FEE)
    net.draw(order_id)
    by_address = {k.address.lower(): k for k in keys}
    return order_id, [by_address[a] for a in net.case(order_id)[0]]


def _claim_forwards_what_the_shop_received(net, buyer, shop: str, order_id: int) -> int:
    """claim(): the buyer gets exactly the order's paidToBuyer, the shop is left with nothing."""
    paid = net.order(order_id)[PAID_TO_BUYER]
    assert net.chain.balance(shop) == paid
    before = net.chain.balance(buyer.address)
    result = _shop_call(net, buyer, shop, "claim(uint256)", order_id)
    assert net.chain.balance(buyer.address) == before + paid - net.fee(result)
    assert net.chain.balance(shop) == 0
    (log,) = [log for log in net.logs(result) if log["topics"][0] == topic("Claimed(uint256,address,uint256)")]
    assert decode(["uint256"], bytes.fromhex(log["data"][2:])) == (paid,)
    reverted = net.send(buyer, "claim(uint256)", order_id, gas=3_000_000, to=shop)
    assert reverted.log == "execution reverted: Shop: the sale is closed"
    return paid


def test_a_dispute_decided_by_votes_forwards_the_escrow_less_the_arbiters_share(net, keys, shop):
    order_id, (a1, a2, a3) = _disputed_and_drawn(net, keys, shop)
    net.ok(a1, VOTE, order_id, True)
    net.ok(a2, VOTE, order_id, False)
    net.ok(a3, VOTE, order_id, True)                 # refund: the shop receives the escrow less the reserve
    paid = _claim_forwards_what_the_shop_received(net, keys[2], shop, order_id)
    assert paid == PRICE - FEE + FEE % 2


def test_a_dispute_without_votes_forwards_the_escrow_the_penalties_and_the_dispute_fee(net, keys, shop):
    order_id, _ = _disputed_and_drawn(net, keys, shop)
    net.chain.time_s = net.order(order_id)[VOTING_ENDS]
    net.ok(keys[0], SETTLE, order_id)
    paid = _claim_forwards_what_the_shop_received(net, keys[2], shop, order_id)
    assert paid == PRICE + 3 * (MIN_STAKE * 500 // 10_000) + DISPUTE_FEE


def test_a_dispute_decided_for_the_seller_leaves_nothing_to_forward(net, keys, shop):
    order_id, drawn = _disputed_and_drawn(net, keys, shop)
    for arbiter in drawn:
        net.ok(arbiter, VOTE, order_id, False)
    assert _claim_forwards_what_the_shop_received(net, keys[2], shop, order_id) == 0


def test_a_timeout_forwards_the_fee_reserve(net, keys, shop):
    order_id = _buy(net, keys[2], shop)
    reverted = net.send(keys[2], "claim(uint256)", order_id, gas=3_000_000, to=shop)
    assert reverted.log == "execution reverted: Shop: the order has not ended"
    net.chain.time_s += DELIVERY_S + WINDOW_S
    net.ok(keys[0], SETTLE, order_id)                # the seller is paid, the reserve comes back to the shop
    assert _claim_forwards_what_the_shop_received(net, keys[2], shop, order_id) == FEE


def test_only_the_buyer_disputes_and_claims(net, keys, shop):
    order_id = _buy(net, keys[2], shop)
    for signature, args in (("dispute(uint256,string)", (order_id, "x")), ("claim(uint256)", (order_id,))):
        reverted = net.send(keys[5], signature, *args, gas=3_000_000, to=shop)
        assert reverted.log == "execution reverted: Shop: not your order"


def test_the_seller_ships_an_open_sale_once(net, keys, shop):
    order_id = _buy(net, keys[2], shop)
    by_buyer = net.send(keys[2], "ship(uint256,string)", order_id, "TRACK-1", gas=3_000_000, to=shop)
    assert by_buyer.log == "execution reverted: Shop: only the seller ships"
    result = _shop_call(net, keys[3], shop, "ship(uint256,string)", order_id, "TRACK-1")
    (log,) = [log for log in net.logs(result) if log["topics"][0] == topic("Shipped(uint256,address,string)")]
    assert int(log["topics"][2], 16) == int(keys[2].address, 16)
    assert decode(["string"], bytes.fromhex(log["data"][2:])) == ("TRACK-1",)
    (shipped_at,) = net.view(keys[0], "shippedAt(uint256)", ["uint64"], order_id, to=shop)
    assert shipped_at == net.chain.time_s - 1                     # the ship block's time (the view is a block later)
    for order, reason in ((order_id, "Shop: already shipped"), (order_id + 1, "Shop: no open sale")):
        reverted = net.send(keys[3], "ship(uint256,string)", order, "TRACK-2", gas=3_000_000, to=shop)
        assert reverted.log == f"execution reverted: {reason}"


def test_the_buyer_reviews_the_seller_through_the_shop_once_the_order_ended(net, keys, shop):
    order_id = _buy(net, keys[2], shop)
    net.ok(keys[3], ACCEPT, order_id)                  # the seller takes the sale on
    too_early = net.send(keys[2], "review(uint256,uint8,string)", order_id, 4, "good", gas=3_000_000, to=shop)
    assert too_early.log == "execution reverted: order has not ended"
    _shop_call(net, keys[2], shop, "confirmDelivery(uint256)", order_id)
    stranger = net.send(keys[5], "review(uint256,uint8,string)", order_id, 1, "bad", gas=3_000_000, to=shop)
    assert stranger.log == "execution reverted: Shop: not your order"
    _shop_call(net, keys[2], shop, "review(uint256,uint8,string)", order_id, 4, "good")
    assert net.credit(keys[3])[0][6:8] == (1, 4)     # the seller's reviews received and their stars
    again = net.send(keys[2], "review(uint256,uint8,string)", order_id, 5, "great", gas=3_000_000, to=shop)
    assert again.log == "execution reverted: already reviewed"

    unaccepted = _buy(net, keys[2], shop)              # a sale the seller never took on: no review of it
    _shop_call(net, keys[2], shop, "confirmDelivery(uint256)", unaccepted)
    refused = net.send(keys[2], "review(uint256,uint8,string)", unaccepted, 1, "bad", gas=3_000_000, to=shop)
    assert refused.log == "execution reverted: the seller did not accept this order"