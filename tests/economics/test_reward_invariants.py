"""Hypothesis over random workloads: after every block the supply adds up, and each delegator's
withdrawn + pending rewards equal a slow reference that walks every delegation every block.

Dust bound (docs/economics.md): a delegator is paid the floor of what it earned; the fraction is
carried, and dropped (< 1 wei) only when its delegation ends. So 0 <= reference - (withdrawn +
pending) < 1 + number of times the delegation ended.
"""

from collections import defaultdict
from fractions import Fraction

from eth_hash.auto import keccak
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abci_app import staking
from abci_app.abci import types
from abci_app.cli.wallet import dev_account

from ..chain import CMT, transfer
from ..staking.harness import STAKING, StakingChain, call_data, pubkey_of, staking_state

KEYS = [dev_account(i) for i in range(6)]  # v0, v1 validators; d2, d3, d4 delegators; 5 pays fees
VALIDATORS = [0, 1]
DELEGATORS = [0, 1, 2, 3, 4]
CONSENSUS = [staking.consensus_address(pubkey_of(f"v{i}")) for i in VALIDATORS]
WITHDRAWN_TOPIC = "0x" + keccak(b"RewardsWithdrawn(address,address,uint256)").hex()

step = st.one_of(
    st.tuples(st.just("fees"), st.integers(1, 3)),
    st.tuples(st.just("delegate"), st.sampled_from(DELEGATORS[2:]), st.sampled_from(VALIDATORS),
              st.integers(1_000, 20_000)),
    st.tuples(st.just("undelegate"), st.sampled_from(DELEGATORS[2:]), st.sampled_from(VALIDATORS),
              st.integers(1, 20_000)),
    st.tuples(st.just("withdraw"), st.sampled_from(DELEGATORS), st.sampled_from(VALIDATORS)),
    st.tuples(st.just("slash"), st.sampled_from(VALIDATORS)),
)
blocks = st.lists(st.tuples(step, st.integers(0, 90), st.booleans(), st.booleans()), min_size=3, max_size=14)


def _tx(net: StakingChain, step) -> list[bytes]:
    kind = step[0]
    if kind == "fees":
        payer = KEYS[5]
        nonce = net.chain.account(payer.address)["nonce"]
        return [transfer(payer, nonce + i, "0x" + "ab" * 20, 1) for i in range(step[1])]
    if kind == "slash":
        return []
    delegator = KEYS[step[1]]
    nonce = net.chain.account(delegator.address)["nonce"]
    operator = KEYS[step[2]].address
    if kind == "delegate":
        data, value = call_data("delegate(address)", operator), step[3] * CMT
    elif kind == "undelegate":
        data, value = call_data("undelegate(address,uint256)", operator, step[3] * CMT), 0
    else:
        data, value = call_data("withdrawRewards(address)", operator), 0
    return [transfer(delegator, nonce, STAKING, value, gas=1_000_000, data=data)]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=blocks)
def test_rewards_match_a_slow_reference(tmp_path_factory, plan):
    net = StakingChain.start(str(tmp_path_factory.mktemp("rewards") / "db"), staking_state(KEYS, inflation_bps=800))
    reference = defaultdict(Fraction)
    withdrawn = defaultdict(int)
    ended = defaultdict(int)
    try:
        for step, seconds, v0_signed, v1_signed in plan:
            misbehavior = []
            if step[0] == "slash":
                misbehavior = [types.Misbehavior(type=types.MisbehaviorType.DUPLICATE_VOTE, height=net.chain.height,
                                                 validator=types.Validator(address=CONSENSUS[step[1]], power=1))]
            before = _shares(net)
            results = net.block(_tx(net, step), seconds=seconds, misbehavior=misbehavior,
                                votes=[(CONSENSUS[0], v0_signed), (CONSENSUS[1], v1_signed)])
            after = _shares(net)
            for pair in before:
                if before[pair] and not after.get(pair):
                    ended[pair] += 1
            for result in results:
                for log in _logs(net, result):
                    if log["topics"][0] == WITHDRAWN_TOPIC:
                        pair = (log["topics"][1][-40:], log["topics"][2][-40:])
                        withdrawn[pair] += int(log["data"], 16)
            totals = {op: int(net.candidate("0x" + op)["shares"]) for op in {p[1] for p in after}}
            for event in net.last.events:
                if event.type == "rewards":
                    attrs = {a.key: a.value for a in event.attributes}
                    operator = attrs["validator"][2:]
                    for (delegator, op), shares in after.items():
                        if op == operator:
                            reference[(delegator, op)] += Fraction(int(attrs["delegators"]) * shares, totals[op])
            net.assert_supply()
        for pair, earned in reference.items():
            got = withdrawn[pair] + _pending_from(net, pair)
            assert 0 <= earned - got < 1 + ended[pair], (pair, earned, got)
    finally:
        net.chain.app.close()


def _shares(net: StakingChain) -> dict[tuple[str, str], int]:
    shares = {}
    for i in DELEGATORS:
        for d in net.query(f"/delegations/{KEYS[i].address}")["delegations"]:
            shares[(KEYS[i].address.lower()[2:], d["candidate"][2:])] = int(d["shares"])
    return shares


def _pending_from(net: StakingChain, pair: tuple[str, str]) -> int:
    for entry in net.query(f"/rewards/0x{pair[0]}")["rewards"]:
        if entry["candidate"][2:] == pair[1]:
            return int(entry["pending"])
    return 0


def _logs(net: StakingChain, result: types.ExecTxResult) -> list[dict]:
    events = [e for e in result.events if e.type == "eth"]
    if not events:
        return []
    tx_hash = {a.key: a.value for a in events[0].attributes}["hash"]
    return net.query(f"/tx/{tx_hash}")["logs"]
