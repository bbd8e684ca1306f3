"""Random identity calls and block-time advances against a model of the rules, checked after
every block: each call succeeds exactly when the model says it may (a refused one changes no
record and no balance), hasClaim answers for every (subject, type, attester) what the model
says, and the bonds stay solvent: the precompile's balance == its funds total == the bonds of the
registered attesters == identity.owed, with the supply unchanged. At the end every attester
leaves and the precompile is left empty."""

import tempfile
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abci_app.cli.wallet import dev_account

from .harness import (DROP, HAS, IDENTITY, ISSUE, MIN_BOND, REGISTER, REVOKE, TYPES, UNREGISTER, IdentityChain,
                      identity_state)

KEYS = [dev_account(i) for i in range(6)]
ATTESTERS, SUBJECTS = (2, 3, 4), (3, 4, 5)    # keys 3 and 4 are both
ISSUED, REVOKED, DROPPED = 1, 2, 3

BONDS = st.sampled_from([MIN_BOND, MIN_BOND, MIN_BOND + 17, 3 * MIN_BOND, MIN_BOND - 1, 0])
revoke = st.tuples(st.just("revoke"), st.sampled_from(ATTESTERS), st.sampled_from(SUBJECTS), st.sampled_from((0, 1)))
drop = st.tuples(st.just("drop"), st.sampled_from(SUBJECTS), st.sampled_from(ATTESTERS), st.sampled_from((0, 1)))
actions = st.one_of(
    revoke, drop, revoke, drop,
    st.tuples(st.just("register"), st.sampled_from(ATTESTERS), BONDS),
    st.tuples(st.just("unregister"), st.sampled_from(ATTESTERS)),
    st.tuples(st.just("issue"), st.sampled_from(ATTESTERS), st.sampled_from(SUBJECTS), st.sampled_from((0, 1)),
              st.sampled_from([0, 1, 2, 5, 40])),
    st.tuples(st.just("issue"), st.sampled_from(ATTESTERS), st.sampled_from(SUBJECTS), st.sampled_from((0, 1)),
              st.sampled_from([3, 40])),
    st.tuples(st.just("time"), st.integers(1, 20)),
)

# every run starts with the three attesters registered and claims about several subjects
PRELUDE = (("register", 2, MIN_BOND), ("register", 3, MIN_BOND + 1), ("register", 4, 2 * MIN_BOND),
           ("issue", 2, 5, 0, 60), ("issue", 3, 4, 1, 60), ("issue", 4, 3, 0, 60), ("issue", 2, 4, 1, 60))


@dataclass
class Model:
    """The rules, restated: registrations (generation, bond) and claims (status, generation, expiry)."""

    bonds: dict[int, int] = field(default_factory=dict)          # registered attesters
    generations: dict[int, int] = field(default_factory=dict)
    claims: dict[tuple[int, int, int], tuple[int, int, int]] = field(default_factory=dict)

    def claim(self, a: int, s: int, t: int) -> tuple[int, int, int]:
        return self.claims.get((a, s, t), (0, 0, 0))

    def current(self, a: int, s: int, t: int) -> bool:
        status, generation, _ = self.claim(a, s, t)
        return status == ISSUED and a in self.bonds and generation == self.generations[a]

    def live(self, a: int, s: int, t: int, now_s: int) -> bool:
        return self.current(a, s, t) and now_s < self.claim(a, s, t)[2]


class Run:
    def __init__(self, net: IdentityChain) -> None:
        self.net = net
        self.model = Model()

    def call(self, i: int, expected: bool, signature: str, *args, value: int = 0) -> None:
        self.net.call_as_modelled(KEYS[i], expected, signature, *args, value=value)

    def run(self, action) -> None:
        kind, *args = action
        m, block_time = self.model, self.net.chain.time_s + 1     # the time of the call's block
        if kind == "register":
            a, bond = args
            ok = a not in m.bonds and bond >= MIN_BOND
            self.call(a, ok, REGISTER, value=bond)
            if ok:
                m.bonds[a], m.generations[a] = bond, m.generations.get(a, 0) + 1
        elif kind == "unregister":
            a = args[0]
            ok = a in m.bonds
            self.call(a, ok, UNREGISTER)
            if ok:
                del m.bonds[a]
        elif kind == "issue":
            a, s, t, lasts = args
            expiry = self.net.chain.time_s + lasts
            ok = a in m.bonds and expiry > block_time and m.claim(a, s, t)[0] != DROPPED
            self.call(a, ok, ISSUE, KEYS[s].address, TYPES[t], expiry, bytes([a, s, t]) * 8 + b"\0" * 8)
            if ok:
                m.claims[(a, s, t)] = (ISSUED, m.generations[a], expiry)
        elif kind == "revoke":
            a, s, t = args
            ok = m.current(a, s, t)
            self.call(a, ok, REVOKE, KEYS[s].address, TYPES[t])
            if ok:
                m.claims[(a, s, t)] = (REVOKED, *m.claim(a, s, t)[1:])
        elif kind == "drop":
            s, a, t = args
            ok = m.claim(a, s, t)[0] == ISSUED
            self.call(s, ok, DROP, KEYS[a].address, TYPES[t])
            if ok:
                m.claims[(a, s, t)] = (DROPPED, *m.claim(a, s, t)[1:])
        else:
            self.net.block(seconds=args[0])
        self.check()

    def check(self) -> None:
        """Bonds solvent; hasClaim (the `/call` query, at the committed block) as the model says."""
        self.net.assert_bonds()
        assert self.net.chain.balance(IDENTITY) == sum(self.model.bonds.values())
        now = self.net.chain.time_s
        for a in ATTESTERS:
            for s in SUBJECTS:
                for t in (0, 1):
                    (answer,) = self.net.ask(HAS, ["bool"], KEYS[s].address, TYPES[t], KEYS[a].address)
                    assert answer == self.model.live(a, s, t, now), (a, s, t)

    def everybody_leaves(self) -> None:
        for a in sorted(self.model.bonds):
            self.run(("unregister", a))
        assert self.net.chain.balance(IDENTITY) == self.net.state().funds_wei == 0


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(actions, min_size=10, max_size=40))
def test_random_identity_calls_follow_the_rules_and_keep_the_bonds(plan):
    with tempfile.TemporaryDirectory() as tmp:
        net = IdentityChain.start(f"{tmp}/db", identity_state(KEYS))
        net.keys = KEYS
        try:
            run = Run(net)
            for action in (*PRELUDE, *plan):
                run.run(action)
            run.everybody_leaves()
        finally:
            net.chain.app.close()
