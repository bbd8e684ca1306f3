"""Random calls on the global pool and two groups' pools, with group orders disputed, drawn,
voted and settled and group members removed, keep every pool solvent, checked after every block:
what each pool's records owe (bonded + unbonding stakes) equals what its arbiters put in, less
what they withdrew and what penalties took from that pool; the module's funds equal its balance
and what it owes; every credit record equals a recomputation from the orders, group orders
included. At the end everything is settled and withdrawn, and nothing stays locked."""

import tempfile
from collections import Counter

from eth_abi import decode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abci_app.cli.wallet import dev_account
from abci_app.middleware.arbitration.solvency import pool_owed

from .harness import (ARBITRATION, CMT, DISPUTE, DISPUTE_FEE, DRAW, MIN_STAKE, SETTLE, UNBONDING_S, VOTE,
                      ArbitrationChain, arbitration_state, topic)
from .test_group_pools import GROUPS, OPEN_GROUP_ORDER, _group

KEYS = [dev_account(i) for i in range(9)]
PEOPLE = range(2, 9)
REVERTED = 32
PENALIZED = topic("ArbiterPenalized(uint256,address,uint256)")
WITHDRAWN = (topic("StakeWithdrawn(address,uint256)"), topic("GroupStakeWithdrawn(uint256,address,uint256)"))

stakes = st.sampled_from([MIN_STAKE, MIN_STAKE, MIN_STAKE + 17, MIN_STAKE // 2, 0])
pools = st.sampled_from([0, 1, 2])          # 0: the global pool; 1, 2: the groups created first
picks = st.integers(0, 99)
actions = st.one_of(
    st.tuples(st.just("join"), st.sampled_from(PEOPLE), pools, stakes),
    st.tuples(st.just("leave"), st.sampled_from(PEOPLE), pools),
    st.tuples(st.just("withdraw"), st.sampled_from(PEOPLE), pools),
    st.tuples(st.just("open"), st.sampled_from(PEOPLE), st.sampled_from(PEOPLE), st.sampled_from([1, 2])),
    st.tuples(st.just("dispute"), picks),
    st.tuples(st.just("draw"), picks),
    st.tuples(st.just("vote"), picks, picks, st.booleans()),
    st.tuples(st.just("settle"), picks),
    st.tuples(st.just("remove"), st.sampled_from([1, 2]), st.sampled_from(PEOPLE)),
    st.tuples(st.just("time"), st.integers(1, 150)),
)
JOIN_OF = {0: ("joinPool()",), 1: ("joinGroupPool(uint256)", 1), 2: ("joinGroupPool(uint256)", 2)}
LEAVE_OF = {0: ("leavePool()",), 1: ("leaveGroupPool(uint256)", 1), 2: ("leaveGroupPool(uint256)", 2)}
WITHDRAW_OF = {0: ("withdrawStake()",), 1: ("withdrawGroupStake(uint256)", 1), 2: ("withdrawGroupStake(uint256)", 2)}


class Books:
    """Per pool: wei put in by joins, taken out by withdrawals, and taken by penalties."""

    def __init__(self) -> None:
        self.put_in, self.taken_out, self.penalties = Counter(), Counter(), Counter()

    def record(self, net: ArbitrationChain, result, pool: int | None = None, value: int = 0) -> None:
        if result is None or result.code != 0:
            return
        self.put_in[pool] += value if pool is not None else 0
        for log in net.logs(result):
            if log["topics"][0] == PENALIZED:
                self.penalties[net.state().order(int(log["topics"][1], 16)).panel_group] += _amount(log)
            elif log["topics"][0] in WITHDRAWN:
                self.taken_out[pool] += _amount(log)

    def assert_solvent(self, net: ArbitrationChain) -> None:
        for pool in (0, 1, 2):
            assert sum(pool_owed(net.state(), pool)) == \
                self.put_in[pool] - self.taken_out[pool] - self.penalties[pool], pool
        net.assert_funds()


def _amount(log: dict) -> int:
    """The first data word of a log: the amount of every event the books read."""
    return decode(["uint256"], bytes.fromhex(log["data"][2:66]))[0]


def _key_of(address: bytes):
    return next(k for k in KEYS if k.address.lower() == "0x" + address.hex())


def _run(net: ArbitrationChain, books: Books, action: tuple) -> None:
    kind, st_ = action[0], net.state()
    result, pool, value = None, None, 0
    if kind == "time":
        net.block([], seconds=action[1])
    elif kind == "join":
        _, who, pool, value = action
        result = net.call(KEYS[who], *JOIN_OF[pool], value=value)
    elif kind == "leave":
        result = net.call(KEYS[action[1]], *LEAVE_OF[action[2]])
    elif kind == "withdraw":
        _, who, pool = action
        result = net.call(KEYS[who], *WITHDRAW_OF[pool])
    elif kind == "open":
        _, buyer, seller, group = action
        result = net.call(KEYS[buyer], OPEN_GROUP_ORDER, KEYS[seller].address, b"\x01" * 32,
                          net.chain.time_s + 20, group, value=3 * CMT)
    elif kind == "remove":
        _, group, who = action
        result = net.send(KEYS[2 + group], "removeMember(uint256,address)", group, KEYS[who].address,
                          gas=3_000_000, to=GROUPS)
    elif st_.order_count:
        order_id = 1 + action[1] % st_.order_count
        order = st_.order(order_id)
        if kind == "dispute":
            result = net.call(_key_of(order.buyer.to_bytes(20, "big")), DISPUTE, order_id, "broken",
                              value=DISPUTE_FEE)
        elif kind == "draw":
            result = net.call(KEYS[0], DRAW, order_id)
        elif kind == "vote":
            drawn = st_.case_arbiters(order_id)
            if drawn:
                result = net.call(_key_of(drawn[action[2] % len(drawn)][0]), VOTE, order_id, action[3])
        else:
            result = net.call(KEYS[0], SETTLE, order_id)
    assert result is None or result.code in (0, REVERTED), (action, result.log)
    books.record(net, result, pool, value)


def _drain(net: ArbitrationChain, books: Books) -> None:
    for result in net.settle_all(KEYS[0]):
        assert result.code == 0, result.log
        books.record(net, result)
    for pool in (0, 1, 2):
        for member in list(net.state().pool(pool)):
            assert net.call(_key_of(member), *LEAVE_OF[pool]).code == 0
    net.block([], seconds=UNBONDING_S + 1)
    for pool in (0, 1, 2):
        for leaver in list(net.state().unbonding(pool)):
            books.record(net, net.call(_key_of(leaver), *WITHDRAW_OF[pool]), pool)
    books.assert_solvent(net)
    assert net.state().funds_wei == net.chain.balance(ARBITRATION) == 0


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(actions, min_size=1, max_size=30))
def test_every_group_pool_stays_solvent(steps):
    with tempfile.TemporaryDirectory() as tmp:
        net = ArbitrationChain.start(tmp + "/db", arbitration_state(KEYS))
        net.keys = KEYS
        books = Books()
        try:
            assert _group(net, KEYS[3], KEYS[4:9]) == 1        # group 1: keys 3-8, owned by 3
            assert _group(net, KEYS[4], KEYS[5:8]) == 2        # group 2: keys 4-7, owned by 4
            for pool, members in ((0, KEYS[5:9]), (1, KEYS[5:8]), (2, KEYS[5:8])):
                for k in members:
                    books.record(net, net.call(k, *JOIN_OF[pool], value=MIN_STAKE), pool, MIN_STAKE)
            for action in (("open", 2, 3, 1), ("dispute", 0)):  # one group dispute, decided at the latest by _drain
                _run(net, books, action)
            for action in steps:
                _run(net, books, action)
                books.assert_solvent(net)
                net.assert_credit()
            _drain(net, books)
            net.assert_credit()
        finally:
            net.chain.app.close()
