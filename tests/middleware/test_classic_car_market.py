"""contracts/examples/ClassicCarMarket.sol on the in-process chain: groups, identity and credit
together. Only members of the market's group list or buy; a buyer reserves, opens the order in
the group itself and binds it, and the order must be exactly the reserved sale; a seller may ask
for a minimum credit score or a verified-buyer claim, checked at the reservation and again at the
bind; the market never holds CMT."""

import pytest
from eth_abi import decode, encode
from eth_hash.auto import keccak

from abci_app.cli.wallet import dev_account
from abci_app.contracts import load_contract

from .arbitration.harness import CMT, CONFIRM, OPEN, ArbitrationChain, arbitration_state
from .arbitration.test_group_pools import OPEN_GROUP_ORDER, _group

IDENTITY = "0x000000000000000000000000000000000000cc06"
VERIFIED_BUYER = keccak(b"verified-buyer")
PRICE = 7 * CMT
RESERVATION_S = 600
LIST = "list(uint256,string,uint256,bool)"
RESERVE = "reserve(uint256)"
BIND = "bind(uint256,uint256)"
GAS = 3_000_000


@pytest.fixture
def net(tmp_path):
    """keys[3] sells, keys[2] and keys[5] buy (members of the group keys[3] owns), keys[8] is an
    outsider, keys[6] the attester the market trusts."""
    keys = [dev_account(i) for i in range(9)]
    net = ArbitrationChain.start(str(tmp_path / "db"), arbitration_state(keys))
    net.keys = keys
    net.group = _group(net, keys[3], [keys[2], keys[5]])
    net.market = net.deploy_code(keys[3], _initcode(net.group, keys[6].address))
    yield net
    assert net.chain.balance(net.market) == 0
    net.chain.app.close()


def _initcode(group_id: int, attester: str) -> bytes:
    return load_contract("ClassicCarMarket").bytecode + encode(["uint256", "address"], [group_id, attester])


def _market(net, key, signature: str, *args) -> bytes:
    result = net.send(key, signature, *args, gas=GAS, to=net.market)
    assert result.code == 0, result.log
    return result.data


def _refused(net, key, reason: str, signature: str, *args) -> None:
    net.expect_revert(key, "Market: " + reason, signature, *args, to=net.market)


def _open(net, buyer, item: int, value: int = PRICE, group: int | None = None, ref: bytes | None = None) -> int:
    """The buyer's order for the item, as the market asks (unless told otherwise)."""
    (market_ref,) = decode(["bytes32"], _market(net, buyer, "orderRef(uint256,address)", item, buyer.address))
    result = net.ok(buyer, OPEN_GROUP_ORDER, net.keys[3].address, market_ref if ref is None else ref,
                    net.chain.time_s + 60, net.group if group is None else group, value=value)
    return decode(["uint256"], result.data)[0]


def test_only_members_trade_and_the_order_must_be_the_reserved_sale(net):
    seller, buyer, other, outsider = net.keys[3], net.keys[2], net.keys[5], net.keys[8]
    _refused(net, outsider, "only members of the group sell here", LIST, PRICE, "Jaguar E-type carburettor", 0,
             False)
    _refused(net, seller, "price must be positive", LIST, 0, "Jaguar E-type carburettor", 0, False)
    for name in ("Jaguar E-type carburettor", "Morris Minor hubcap"):
        _market(net, seller, LIST, PRICE, name, 0, False)
    _refused(net, buyer, "no such item", RESERVE, 2)
    _refused(net, seller, "the seller cannot buy its own item", RESERVE, 0)
    _refused(net, outsider, "only members of the group buy here", RESERVE, 0)
    _market(net, buyer, RESERVE, 0)
    _refused(net, other, "reserved by another buyer", RESERVE, 0)
    _refused(net, other, "no reservation of yours", BIND, 0, 1)

    plain = decode(["uint256"], net.ok(buyer, OPEN, seller.address, b"\0" * 32, net.chain.time_s + 60,
                                       value=PRICE).data)[0]
    mismatched = [plain, _open(net, buyer, 0, value=PRICE - 1), _open(net, buyer, 0, ref=b"\x01" * 32),
                  _open(net, buyer, 1)]                     # no group, the wrong price, reference, item
    for order_id in mismatched:
        _refused(net, buyer, "the order does not match the reservation", BIND, 0, order_id)
    order_id = _open(net, buyer, 0)
    _market(net, buyer, BIND, 0, order_id)
    item = decode(["address", "uint256", "string", "uint256", "bool", "address", "uint64", "uint256"],
                  _market(net, buyer, "items(uint256)", 0))
    assert item[0] == seller.address.lower() and item[7] == order_id
    _refused(net, buyer, "already sold", RESERVE, 0)
    _refused(net, buyer, "already sold", BIND, 0, order_id)

    _market(net, buyer, RESERVE, 1)                        # a reservation lapses after RESERVATION_SECONDS
    net.block(seconds=RESERVATION_S)
    _refused(net, buyer, "no reservation of yours", BIND, 1, _open(net, buyer, 1))
    _market(net, other, RESERVE, 1)
    net.ok(buyer, CONFIRM, order_id)                       # the order is the buyer's own
    net.assert_funds()


def test_a_seller_asks_for_credit_or_a_verified_buyer(net):
    seller, buyer, attester = net.keys[3], net.keys[2], net.keys[6]
    _market(net, seller, LIST, PRICE, "Bentley Blower supercharger", 1, False)   # any credit at all
    _market(net, seller, LIST, PRICE, "Ferrari 250 GTO gearbox", 0, True)
    (refusal,) = decode(["string"], _market(net, buyer, "buyerRefusal(uint256,address)", 0, buyer.address))
    assert refusal == "Market: buyer credit below the seller's minimum"
    _refused(net, buyer, "buyer credit below the seller's minimum", RESERVE, 0)
    earlier = decode(["uint256"], net.ok(buyer, OPEN, net.keys[5].address, b"\0" * 32, net.chain.time_s + 60,
                                         value=CMT).data)[0]
    net.ok(buyer, CONFIRM, earlier)                        # one ended order: a score above 0
    _market(net, buyer, RESERVE, 0)

    _refused(net, buyer, "the seller asks for a verified buyer", RESERVE, 1)
    assert net.send(attester, "registerAttester()", value=100 * CMT, gas=GAS, to=IDENTITY).code == 0
    issue = net.send(attester, "issueClaim(address,bytes32,uint64,bytes32)", buyer.address, VERIFIED_BUYER,
                     net.chain.time_s + 3_600, b"\x07" * 32, gas=GAS, to=IDENTITY)
    assert issue.code == 0, issue.log
    _market(net, buyer, RESERVE, 1)
    (refusal,) = decode(["string"], _market(net, buyer, "buyerRefusal(uint256,address)", 1, buyer.address))
    assert refusal == ""
    order_id = _open(net, buyer, 1)
    assert net.send(attester, "revokeClaim(address,bytes32)", buyer.address, VERIFIED_BUYER, gas=GAS,
                    to=IDENTITY).code == 0
    _refused(net, buyer, "the seller asks for a verified buyer", BIND, 1, order_id)
