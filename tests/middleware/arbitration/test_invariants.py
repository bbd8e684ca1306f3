"""Random sequences of arbitration calls and block-time advances keep the books, checked after
every block: funds == the precompile's balance == stakes + unbonding stakes + escrows of orders
not ended + dispute fees of disputes not decided, the total supply is unchanged, and every credit
record equals a slow recomputation from all the stored orders. Each example then settles every
order, lets every arbiter leave and withdraw, and checks that nothing stays locked (funds and
balance back to 0) and the credit records once more.

Calls may revert (bad picks are part of the test) but never fail otherwise (a VM error is a bug).
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abci_app.cli.wallet import dev_account
from abci_app.middleware.arbitration.records import DISPUTED

from .harness import (ARBITRATION, CMT, CONFIRM, DISPUTE, DISPUTE_FEE, DRAW, JOIN, LEAVE, MIN_STAKE,
                      OPEN, REFUND, REVIEW, SETTLE, UNBONDING_S, VOTE, WITHDRAW, ArbitrationChain,
                      chain_with_pool)

KEYS = [dev_account(i) for i in range(9)]
PEOPLE = range(2, 9)      # everybody but the staking validators: buyers, sellers and arbiters alike
REVERTED = 32

stakes = st.tuples(st.integers(0, 3), st.integers(0, 999)).map(lambda a: a[0] * MIN_STAKE // 2 + a[1])
escrows = st.tuples(st.integers(0, 50), st.integers(0, 10**6)).map(lambda a: a[0] * CMT + a[1])
picks = st.integers(0, 99)
actions = st.one_of(
    st.tuples(st.just("join"), st.sampled_from(PEOPLE), stakes),
    st.tuples(st.just("leave"), st.sampled_from(PEOPLE)),
    st.tuples(st.just("withdraw"), st.sampled_from(PEOPLE)),
    st.tuples(st.just("open"), st.sampled_from(PEOPLE), st.sampled_from(PEOPLE), escrows, st.integers(1, 100)),
    st.tuples(st.just("confirm"), picks),
    st.tuples(st.just("refund"), picks),
    st.tuples(st.just("dispute"), picks, st.booleans(), st.sampled_from([DISPUTE_FEE, DISPUTE_FEE, 0])),
    st.tuples(st.just("draw"), picks),
    st.tuples(st.just("vote"), picks, picks, st.booleans()),
    st.tuples(st.just("settle"), picks),
    st.tuples(st.just("review"), picks, st.booleans(), st.integers(0, 6)),
    st.tuples(st.just("time"), st.integers(1, 150)),
)


def _key_of(net: ArbitrationChain, address: bytes):
    return next(k for k in KEYS if k.address.lower() == "0x" + address.hex())


def _run(net: ArbitrationChain, action: tuple):
    """The call for one action (or None for plain time), resolved against the current state."""
    st_ = net.state()
    count = st_.order_count
    kind = action[0]
    if kind == "time":
        net.block([], seconds=action[1])
        return None
    if kind == "join":
        return net.call(KEYS[action[1]], JOIN, value=action[2])
    if kind == "leave":
        return net.call(KEYS[action[1]], LEAVE)
    if kind == "withdraw":
        return net.call(KEYS[action[1]], WITHDRAW)
    if kind == "open":
        _, buyer, seller, escrow, deadline_in = action
        return net.call(KEYS[buyer], OPEN, KEYS[seller].address, b"\x01" * 32, net.chain.time_s + deadline_in,
                        value=escrow)
    if count == 0:
        return None
    order_id = 1 + action[1] % count
    if kind in ("vote", "settle", "draw"):   # mostly aim at orders in dispute
        disputed = [i for i in range(1, count + 1) if st_.order(i).state == DISPUTED]
        if disputed and action[1] % 4:
            order_id = disputed[action[1] % len(disputed)]
    order = st_.order(order_id)
    buyer, seller = _key_of(net, order.buyer.to_bytes(20, "big")), _key_of(net, order.seller.to_bytes(20, "big"))
    if kind == "confirm":
        return net.call(buyer, CONFIRM, order_id)
    if kind == "refund":
        return net.call(seller, REFUND, order_id)
    if kind == "dispute":
        return net.call(buyer if action[2] else seller, DISPUTE, order_id, "not as described", value=action[3])
    if kind == "draw":
        return net.call(KEYS[8], DRAW, order_id)
    if kind == "vote":
        drawn = st_.case_arbiters(order_id)
        voter = _key_of(net, drawn[action[2] % len(drawn)][0]) if drawn else buyer
        return net.call(voter, VOTE, order_id, action[3])
    if kind == "settle":
        return net.call(KEYS[8], SETTLE, order_id)
    return net.call(buyer if action[2] else seller, REVIEW, order_id, action[3], "ok")


def _drain(net: ArbitrationChain) -> None:
    """Every order settled, every arbiter out and paid: nothing stays locked. A dispute not drawn
    yet takes two settles: the first draws its arbiters, the second decides it."""
    assert all(result.code == 0 for result in net.settle_all(KEYS[8]))
    for member in list(net.state().pool()):
        assert net.call(_key_of(net, member), LEAVE).code == 0
    net.block([], seconds=UNBONDING_S + 1)
    for k in KEYS:
        if net.state().arbiter(bytes.fromhex(k.address[2:])).unbonding_wei:
            assert net.call(k, WITHDRAW).code == 0
    net.assert_funds()
    assert net.state().funds_wei == net.chain.balance(ARBITRATION) == 0


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(actions, min_size=1, max_size=30))
def test_random_calls_keep_funds_equal_to_balance(steps):
    # a pool big enough for disputes, and two orders, so that most steps find work
    with chain_with_pool(KEYS, KEYS[4:9], MIN_STAKE) as net:
        for buyer, seller in ((2, 3), (3, 4)):
            assert _run(net, ("open", buyer, seller, 10 * CMT + 3, 50)).code == 0
        for action in steps:
            result = _run(net, action)
            assert result is None or result.code in (0, REVERTED), (action, result.log)
            net.assert_funds()
            net.assert_credit()
        _drain(net)
        net.assert_credit()
