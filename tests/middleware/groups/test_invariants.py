"""Random groups calls against a model of the rules, checked after every block: each call succeeds
exactly when the model says it may (a refused one changes no record and no balance), isMember
answers for every (group, key) what the model says, memberCount is the number of members, and
the bonds stay solvent: the precompile's balance == its funds total == the open groups' bonds ==
groups.owed, with the supply unchanged. At the end every owner closes and the precompile is empty."""

import tempfile
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abci_app.cli.wallet import dev_account

from .harness import (ADD_MODERATOR, APPROVAL, APPROVE, BOND, CLOSE, CREATE, GROUPS, JOIN, LEAVE, MEMBER, NO_TYPE,
                      NONE, OPEN, PENDING, REMOVE, REMOVE_MODERATOR, REMOVED, ZERO, GroupsChain, groups_state)

KEYS = [dev_account(i) for i in range(7)]
PEOPLE = (2, 3, 4, 5, 6)
MAX_MODERATORS = 3
GROUP_IDS = (1, 2, 3, 4)       # 4 exists only if the plan creates a group

person, group = st.sampled_from(PEOPLE), st.sampled_from(GROUP_IDS)
actions = st.one_of(
    st.tuples(st.just("join"), person, group),
    st.tuples(st.just("join"), person, group),
    st.tuples(st.just("leave"), person, group),
    st.tuples(st.just("approve"), person, group, person),
    st.tuples(st.just("remove"), person, group, person),
    st.tuples(st.just("add_moderator"), person, group, person),
    st.tuples(st.just("remove_moderator"), person, group, person),
    st.tuples(st.just("close"), person, group),
    st.tuples(st.just("create"), person, st.sampled_from((OPEN, APPROVAL)), st.sampled_from((BOND, BOND - 1))),
)

# every run starts with an open group (owner 2), an approval group (owner 3) and another open one (owner 4)
PRELUDE = (("create", 2, OPEN, BOND), ("create", 3, APPROVAL, BOND), ("create", 4, OPEN, BOND),
           ("join", 5, 1), ("join", 6, 2), ("add_moderator", 2, 1, 5))


@dataclass
class Group:
    owner: int
    rule: int
    closed: bool = False
    status: dict[int, int] = field(default_factory=dict)
    moderators: set[int] = field(default_factory=set)

    def of(self, p: int) -> int:
        return self.status.get(p, NONE)

    def members(self) -> int:
        return sum(1 for s in self.status.values() if s == MEMBER)


class Run:
    def __init__(self, net: GroupsChain) -> None:
        self.net = net
        self.groups: dict[int, Group] = {}

    def call(self, i: int, expected: bool, signature: str, *args, value: int = 0) -> None:
        self.net.call_as_modelled(KEYS[i], expected, signature, *args, value=value)

    def open(self, g: int) -> Group | None:
        group = self.groups.get(g)
        return group if group and not group.closed else None

    def end(self, group: Group, p: int, status: int) -> None:
        group.status[p] = status
        group.moderators.discard(p)

    def run(self, action) -> None:
        kind, actor, *args = action
        if kind == "create":
            rule, value = args
            ok = value == BOND
            self.call(actor, ok, CREATE, "g", "", rule, ZERO, 0, ZERO, NO_TYPE, value=value)
            if ok:
                self.groups[len(self.groups) + 1] = Group(actor, rule, status={actor: MEMBER}, moderators={actor})
            return self.check()
        g, *rest = args
        group = self.open(g)
        if kind == "close":
            ok = group is not None and group.owner == actor
            self.call(actor, ok, CLOSE, g)
            if ok:
                group.closed = True
        elif kind == "join":
            ok = group is not None and group.of(actor) == NONE
            self.call(actor, ok, JOIN, g)
            if ok:
                group.status[actor] = PENDING if group.rule == APPROVAL else MEMBER
        elif kind == "leave":
            ok = group is not None and group.owner != actor and group.of(actor) in (MEMBER, PENDING)
            self.call(actor, ok, LEAVE, g)
            if ok:
                self.end(group, actor, NONE)
        else:
            (p,) = rest
            ok = self.may(kind, group, actor, p)
            signature = {"approve": APPROVE, "remove": REMOVE, "add_moderator": ADD_MODERATOR,
                         "remove_moderator": REMOVE_MODERATOR}[kind]
            self.call(actor, ok, signature, g, KEYS[p].address)
            if ok and kind == "approve":
                group.status[p] = MEMBER
            elif ok and kind == "remove":
                self.end(group, p, REMOVED)
            elif ok and kind == "add_moderator":
                group.moderators.add(p)
            elif ok:
                group.moderators.discard(p)
        self.check()

    @staticmethod
    def may(kind: str, group: Group | None, actor: int, p: int) -> bool:
        if group is None:
            return False
        if kind == "approve":
            return actor in group.moderators and group.of(p) in (PENDING, REMOVED)
        if kind == "remove":
            return (actor in group.moderators and p != group.owner and group.of(p) in (MEMBER, PENDING)
                    and (p not in group.moderators or actor == group.owner))
        if kind == "add_moderator":
            return (actor == group.owner and group.of(p) == MEMBER and p not in group.moderators
                    and len(group.moderators) < MAX_MODERATORS)
        return actor == group.owner and p != actor and p in group.moderators

    def check(self) -> None:
        """Bonds solvent; isMember and memberCount (the `/call` query) as the model says."""
        self.net.assert_bonds()
        assert self.net.chain.balance(GROUPS) == BOND * sum(1 for g in self.groups.values() if not g.closed)
        for g in GROUP_IDS:
            group = self.groups.get(g)
            if group:
                assert self.net.group(g)[9] == group.members() and self.net.group(g)[12] == len(group.moderators)
            for p in PEOPLE:
                expected = group is not None and not group.closed and group.of(p) == MEMBER
                assert self.net.is_member(g, KEYS[p]) == expected, (g, p)

    def everybody_closes(self) -> None:
        for g in sorted(self.groups):
            if not self.groups[g].closed:
                self.run(("close", self.groups[g].owner, g))
        assert self.net.chain.balance(GROUPS) == self.net.state().funds_wei == 0


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(actions, min_size=10, max_size=40))
def test_random_groups_calls_follow_the_rules_and_keep_the_bonds(plan):
    with tempfile.TemporaryDirectory() as tmp:
        net = GroupsChain.start(f"{tmp}/db", groups_state(KEYS, {"max_moderators": MAX_MODERATORS}))
        net.keys = KEYS
        try:
            run = Run(net)
            for action in (*PRELUDE, *plan):
                run.run(action)
            run.everybody_closes()
        finally:
            net.chain.app.close()
