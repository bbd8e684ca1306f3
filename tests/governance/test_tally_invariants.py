"""The running tally against the slow one (harness.reference_tally: every delegation of every
validator, each following its holder's vote or else its validator's), after every step of random
delegations, undelegations, redelegations, votes, double-sign slashes and withdrawn candidacies
during two open votes;
and the final tally each vote ends with."""

import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abci_app import staking
from abci_app.abci import types

from ..chain import CMT
from .harness import PERIOD, VOTE, GovChain, gov_state

VALIDATORS = 3      # keys 0-2; keys 3-7 only delegate
KEYS = 8

people = st.integers(0, KEYS - 1)
validators = st.integers(0, VALIDATORS - 1)
eighths = st.integers(1, 8)
actions = st.one_of(
    st.tuples(st.just("delegate"), people, validators, st.integers(1, 60)),
    st.tuples(st.just("undelegate"), people, validators, eighths),
    st.tuples(st.just("redelegate"), people, validators, validators, eighths),
    st.tuples(st.just("vote"), people, st.integers(0, 1), st.integers(1, 4)),
    st.tuples(st.just("double_sign"), validators),
    st.tuples(st.just("withdraw"), validators),
)


def _worth(net: GovChain, delegator: str, validator: str) -> int:
    view = staking.state_view(net.chain.app.reader.state)
    pool = view.candidate(bytes.fromhex(validator[2:]))
    shares = view.shares(bytes.fromhex(delegator[2:]), bytes.fromhex(validator[2:]))
    return shares * pool.tokens_wei // pool.shares if pool.shares else 0


def _run(net: GovChain, keys, action, proposals: list[int]) -> None:
    kind = action[0]
    if kind == "delegate":
        _, who, to, thousands = action
        net.send(keys[who], "delegate(address)", keys[to].address, value=thousands * 1_000 * CMT)
    elif kind == "undelegate":
        _, who, source, part = action
        amount = _worth(net, keys[who].address, keys[source].address) * part // 8
        net.send(keys[who], "undelegate(address,uint256)", keys[source].address, amount)
    elif kind == "redelegate":
        _, who, source, target, part = action
        amount = _worth(net, keys[who].address, keys[source].address) * part // 8
        net.send(keys[who], "redelegate(address,address,uint256)", keys[source].address, keys[target].address,
                 amount)
    elif kind == "vote":
        _, who, which, option = action
        net.send(keys[who], VOTE, proposals[which], option, to=net.ADDRESS)
    elif kind == "withdraw":
        net.send(keys[action[1]], "withdrawCandidacy()")
    elif kind == "double_sign":
        view = staking.state_view(net.chain.app.reader.state)
        candidate = view.candidate(bytes.fromhex(keys[action[1]].address[2:]))
        fault = types.Misbehavior(type=types.MisbehaviorType.DUPLICATE_VOTE, height=max(1, net.chain.height - 1),
                                  validator=types.Validator(address=staking.consensus_address(candidate.pubkey),
                                                            power=1))
        net.block([], misbehavior=[fault])


def tally_follows_the_stake(keys, plan) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        net = GovChain.start(f"{tmp}/db", gov_state(keys, {"voting_period_s": 10 * PERIOD},
                                                    validators=VALIDATORS))
        net.keys = keys
        try:
            proposals = [net.submit(keys[3]), net.submit(keys[4])]
            for action in plan:
                _run(net, keys, action, proposals)
                for proposal_id in proposals:
                    assert net.tally(proposal_id) == net.reference_tally(proposal_id), action
            expected = [net.reference_tally(p) for p in proposals]
            net.wait(10 * PERIOD)
            assert [net.tally(p) for p in proposals] == expected
            assert [net.proposal(p)[10:15] for p in proposals] == expected
        finally:
            net.chain.app.close()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(actions, min_size=4, max_size=20))
def test_the_running_tally_is_the_slow_tally(plan):
    from abci_app.cli.wallet import dev_account
    tally_follows_the_stake([dev_account(i) for i in range(KEYS)], plan)


def test_a_voter_who_redelegates_and_is_slashed_moves_its_vote_with_its_stake():
    from abci_app.cli.wallet import dev_account
    tally_follows_the_stake([dev_account(i) for i in range(KEYS)], [
        ("delegate", 5, 0, 40), ("vote", 0, 0, 1), ("vote", 5, 0, 3), ("redelegate", 5, 0, 1, 4),
        ("double_sign", 0), ("vote", 1, 0, 4), ("undelegate", 5, 1, 8), ("delegate", 5, 2, 3),
        ("delegate", 6, 1, 5), ("vote", 6, 1, 2), ("withdraw", 1),
    ])
