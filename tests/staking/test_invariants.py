"""Random sequences of staking calls, faults and time keep the books: checked after every block.

Each example runs a fresh chain (two genesis validators, four more funded keys) through random
declare / delegate / undelegate / redelegate / withdrawCandidacy / deactivate / activate calls,
double-sign misbehavior, absent votes and time, then closes every position and waits out the
unbonding period. Amounts carry odd wei so that share rounding happens. A slash of a
redelegation's source burns shares of the delegators who moved stake to the target: their loss;
the target's own slash lowers the worth of every share of its pool, in the same block too.

Inflation is off and the votes carry no signatures, so no reward ever enters the staking
precompile: its balance is stake only (rewards keep their own books and tests).
"""

import tempfile
from dataclasses import dataclass, field
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abci_app import staking
from abci_app.abci import types
from abci_app.staking import rules
from abci_app.staking.params import BPS, WEI_PER_CMT

from .harness import SELF_STAKE, STAKING, StakingChain, pubkey_of, staking_state

CMT = WEI_PER_CMT
UNBONDING_S = 100
PARAMS = {"unbonding_seconds": UNBONDING_S, "downtime_window": 4, "downtime_max_missed": 2, "jail_seconds": 30}
DECLARE = "declareCandidacy(bytes32,uint16,string,string,string)"
STAKERS = range(6)

amounts = st.tuples(st.integers(500, 30_000), st.integers(0, 10**6)).map(lambda a: a[0] * CMT + a[1])
fractions = st.tuples(st.integers(1, 8), st.integers(0, 1_000))  # (eighths of the position, wei off)
picks = st.integers(0, 999)  # resolved when the step runs: mostly a live candidate or position
actions = st.one_of(
    st.tuples(st.just("declare"), st.sampled_from(STAKERS), amounts),
    st.tuples(st.just("delegate"), st.sampled_from(STAKERS), picks, amounts),
    st.tuples(st.just("undelegate"), picks, fractions),
    st.tuples(st.just("redelegate"), picks, picks, fractions),
    st.tuples(st.just("withdraw"), picks),
    st.tuples(st.just("deactivate"), picks),
    st.tuples(st.just("activate"), picks),
    st.tuples(st.just("double_sign"), picks, st.integers(0, 10)),
    st.tuples(st.just("downtime"), st.integers(1, 63), st.integers(1, 4)),
    st.tuples(st.just("time"), st.integers(1, 2 * UNBONDING_S)),
)


@dataclass
class Books:
    """What the test knows independently of the staking code, per delegator (canonical address)."""

    put_in: dict[bytes, int]                       # CMT sent into stake: declare, delegate, genesis
    paid_back: dict[bytes, int] = field(default_factory=dict)      # unbonding payouts
    burned_share: dict[bytes, Fraction] = field(default_factory=dict)  # its part of every slash
    burned_unowned: Fraction = Fraction(0)        # slashes of pool dust that no share owns
    orphaned: int = 0                               # stake wei that withdrawCandidacy left untracked
    operations: int = 0                             # successful share changes, for the rounding bound


@dataclass(frozen=True)
class Snapshot:
    balance: int                                    # the staking precompile's balance
    pools: dict[bytes, tuple[int, int]]             # candidate -> (tokens, shares)
    shares: dict[tuple[bytes, bytes], int]          # (delegator, candidate) -> shares
    pending: dict[bytes, int]                       # delegator -> wei waiting in the unbonding queue
    pending_total: int
    burned: int


def snapshot(net: StakingChain, delegators: list[bytes]) -> Snapshot:
    view = staking.state_view(net.chain.app.reader.state)
    pools, shares, pending = {}, {}, dict.fromkeys(delegators, 0)
    for operator in view.candidates:
        candidate = view.candidate(operator)
        pools[operator] = (candidate.tokens_wei, candidate.shares)
    for delegator in delegators:
        for operator in view.delegations_of(delegator):
            shares[(delegator, operator)] = view.shares(delegator, operator)
    total = 0
    for _, entry in view.unbondings.pending():
        pending[entry.delegator] = pending.get(entry.delegator, 0) + entry.amount_wei
        total += entry.amount_wei
    return Snapshot(net.chain.balance(STAKING), pools, shares, pending, total, view.burned_wei)


def own_slashes(net: StakingChain) -> dict[bytes, int]:
    """The candidates slashed for their own fault in the last block, with the slash in bps: only
    these pools lose worth per share."""
    params = staking.state_view(net.chain.app.reader.state).params()
    bps = {"double_sign": params.slash_double_sign_bps, "downtime": params.slash_downtime_bps}
    slashed = {}
    for event in net.last.events:
        if event.type == "stake.slash":
            attrs = {a.key: a.value for a in event.attributes}
            slashed[bytes.fromhex(attrs["operator"][2:])] = bps[attrs["reason"]]
    return slashed


def check(net: StakingChain, books: Books, before: Snapshot, after: Snapshot, delegators: list[bytes]) -> None:
    """The invariants after one block; updates the books with the block's slashes and payouts."""
    net.assert_supply()
    # every pool's shares are exactly the shares its delegators hold; nobody holds more than the pool
    for operator, (tokens, shares) in after.pools.items():
        held = [s for (d, op), s in after.shares.items() if op == operator]
        assert sum(held) == shares
        assert all(s > 0 and 0 <= rules.tokens_of(s, tokens, shares) <= tokens for s in held)
        assert tokens >= 0
    assert all(op in after.pools for _, op in after.shares)
    # payouts of the block
    paid: dict[bytes, int] = {}
    for event in net.last.events:
        if event.type == "stake.unbonding_completed":
            attrs = {a.key: a.value for a in event.attributes}
            delegator = bytes.fromhex(attrs["delegator"][2:])
            paid[delegator] = paid.get(delegator, 0) + int(attrs["amount"])
    for delegator, amount in paid.items():
        books.paid_back[delegator] = books.paid_back.get(delegator, 0) + amount
    # slashes: each delegator loses its proportion of each pool's cut and its unbondings' cuts
    burned = after.burned - before.burned
    attributed = Fraction(0)
    slashed = own_slashes(net)
    for operator, (tokens, shares) in before.pools.items():
        after_tokens, after_shares = after.pools.get(operator, (tokens, shares))
        cut = tokens - after_tokens
        if cut <= 0 or net.last.tx_results:
            continue  # a call, not a slash, moved these tokens
        attributed += cut
        if shares == 0:
            assert operator in slashed
            books.burned_unowned += cut
            continue
        held = {d: s for (d, op), s in before.shares.items() if op == operator}
        kept = {d: after.shares.get((d, operator), 0) for d in held}
        moved = {d: held[d] - kept[d] for d in held if kept[d] < held[d]}
        # the pool's own slash lowers the worth of every share it keeps by the slash's fraction
        # (give or take the cuts' rounding); a slash of a redelegation's source burns shares of
        # the stake moved here: the rest of the cut is those movers' loss. Both in one block: a
        # mover pays both faults, the pool's other delegators only the pool's own.
        per_share = Fraction(0)
        if operator in slashed and after_shares:
            rate, after_rate = Fraction(tokens, shares), Fraction(after_tokens, after_shares)
            assert 0 <= (after_rate - rate * (BPS - slashed[operator]) / BPS) * after_shares <= 1 + 2 * len(moved)
            per_share = rate - after_rate
        assert operator in slashed or moved  # else tokens left a pool that no slash touched
        for delegator in held:
            books.burned_share[delegator] = books.burned_share.get(delegator, 0) + kept[delegator] * per_share
        rest = cut - after_shares * per_share
        for delegator, burned_shares in moved.items():
            books.burned_share[delegator] += rest * burned_shares / sum(moved.values())
        books.operations += len(moved)  # each cut burns its shares rounded up
    for delegator in delegators:
        queue_cut = before.pending.get(delegator, 0) - after.pending.get(delegator, 0) - paid.get(delegator, 0)
        if net.last.tx_results:
            assert queue_cut <= 0  # calls only add to the queue
            continue
        assert queue_cut >= 0
        books.burned_share[delegator] = books.burned_share.get(delegator, 0) + queue_cut
        attributed += queue_cut
    assert attributed == burned
    # the precompile holds exactly the stake: bonded + unbonding (+ dust withdrawCandidacy left)
    tracked = sum(tokens for tokens, _ in after.pools.values()) + after.pending_total
    assert after.balance == tracked + books.orphaned, (after.balance, tracked, books.orphaned)


class Run:
    def __init__(self, net: StakingChain, keys) -> None:
        self.net = net
        self.keys = keys
        self.delegators = [bytes.fromhex(k.address[2:]) for k in keys]
        self.books = Books(put_in={d: SELF_STAKE if i < 2 else 0 for i, d in enumerate(self.delegators)})
        self.serial = 0

    def address(self, i: int) -> str:
        return self.keys[i].address

    def worth(self, delegator: int, operator: int) -> int:
        view = staking.state_view(self.net.chain.app.reader.state)
        d, op = self.delegators[delegator], self.delegators[operator]
        candidate = view.candidate(op)
        return rules.tokens_of(view.shares(d, op), candidate.tokens_wei, candidate.shares)

    def consensus_of(self, i: int) -> bytes:
        view = staking.state_view(self.net.chain.app.reader.state)
        return staking.consensus_address(view.candidate(self.delegators[i]).pubkey)

    def call(self, i: int, signature: str, *args, value: int = 0, gas: int = 3_000_000) -> bool:
        """One call in one block; True if it succeeded."""
        before = snapshot(self.net, self.delegators)
        result = self.net.send(self.keys[i], signature, *args, value=value, gas=gas)
        after = snapshot(self.net, self.delegators)
        ok = result.code == 0
        if ok:
            self.books.operations += 1
            self.books.put_in[self.delegators[i]] += value
        if ok and signature == "withdrawCandidacy()":
            tracked = sum(tokens for tokens, _ in after.pools.values()) + after.pending_total
            left = after.balance - tracked - self.books.orphaned
            closed = sum(1 for _, op in before.shares if op == self.delegators[i])
            assert 0 <= left <= closed  # at most a wei of rounding per delegation closed
            self.books.orphaned += left
        check(self.net, self.books, before, after, self.delegators)
        return ok

    def empty_blocks(self, count: int = 1, seconds: int = 1, votes=None, misbehavior=None) -> None:
        for _ in range(count):
            before = snapshot(self.net, self.delegators)
            self.net.block(seconds=seconds, votes=votes, misbehavior=misbehavior)
            check(self.net, self.books, before, snapshot(self.net, self.delegators), self.delegators)

    def candidate(self, pick: int) -> int:
        """A live candidate (4 times in 5, if any), else any key; as an index into the keys."""
        live = sorted(staking.state_view(self.net.chain.app.reader.state).candidates)
        if live and pick % 5:
            return self.delegators.index(live[pick % len(live)])
        return pick % len(self.keys)

    def position(self, pick: int) -> tuple[int, int]:
        """A (delegator, candidate) that holds shares (4 times in 5, if any), else any pair."""
        view = staking.state_view(self.net.chain.app.reader.state)
        held = sorted((d, op) for d in self.delegators for op in view.delegations_of(d))
        if held and pick % 5:
            d, op = held[pick % len(held)]
            return self.delegators.index(d), self.delegators.index(op)
        return pick % len(self.keys), pick // len(self.keys) % len(self.keys)

    def run(self, action) -> None:
        kind = action[0]
        if kind == "declare":
            _, i, amount = action
            self.serial += 1
            self.call(i, DECLARE, pubkey_of(f"c{i}-{self.serial}"), 500, f"c{i}", "", "", value=amount)
        elif kind == "delegate":
            _, i, pick, amount = action
            self.call(i, "delegate(address)", self.address(self.candidate(pick)), value=amount)
        elif kind == "undelegate":
            _, pick, (eighths, off) = action
            i, c = self.position(pick)
            amount = max(1, self.worth(i, c) * eighths // 8 - off)
            self.call(i, "undelegate(address,uint256)", self.address(c), amount)
        elif kind == "redelegate":
            _, pick, target, (eighths, off) = action
            i, src = self.position(pick)
            amount = max(1, self.worth(i, src) * eighths // 8 - off)
            self.call(i, "redelegate(address,address,uint256)", self.address(src),
                      self.address(self.candidate(target)), amount)
        elif kind in ("withdraw", "deactivate", "activate"):
            self.call(self.candidate(action[1]), "withdrawCandidacy()" if kind == "withdraw" else f"{kind}()")
        elif kind == "double_sign":
            _, pick, back = action
            fault = types.Misbehavior(type=types.MisbehaviorType.DUPLICATE_VOTE,
                                      validator=types.Validator(address=self.consensus_of(self.candidate(pick)),
                                                                power=1),
                                      height=max(1, self.net.chain.height - back))
            self.empty_blocks(misbehavior=[fault])
        elif kind == "downtime":
            _, mask, count = action
            view = staking.state_view(self.net.chain.app.reader.state)
            absent = [(staking.consensus_address(view.candidate(op).pubkey), False)
                      for op in view.validators if mask >> self.delegators.index(op) & 1]
            self.empty_blocks(count, votes=absent)
        elif kind == "time":
            self.empty_blocks(seconds=action[1])

    def close_everything(self) -> None:
        """Every candidate withdraws (which unbonds every delegation); then the queue pays out."""
        view = staking.state_view(self.net.chain.app.reader.state)
        for operator in sorted(view.candidates):
            assert self.call(self.delegators.index(operator), "withdrawCandidacy()")
        self.empty_blocks(seconds=UNBONDING_S)
        final = snapshot(self.net, self.delegators)
        assert final.pools == {} and final.shares == {} and final.pending_total == 0
        assert final.balance == self.books.orphaned


def keeps_the_books(stakers, plan) -> None:
    """Run `plan` on a fresh chain (checked after every block), close everything, check the books."""
    with tempfile.TemporaryDirectory() as tmp:
        state = staking_state(stakers, params=PARAMS)
        state["economics"] = {"inflation_bps": 0}
        net = StakingChain.start(f"{tmp}/db", state)
        try:
            run = Run(net, stakers)
            for action in plan:
                run.run(action)
            run.close_everything()
        finally:
            net.chain.app.close()
    books = run.books
    # every delegator got back what it put in less its part of what slashes burned, to the wei
    # but for share rounding (under a wei per operation); all rounding dust together is what
    # withdrawCandidacy left in the precompile plus slashed dust no share owned
    drift = {d: books.put_in[d] - books.paid_back.get(d, 0) - books.burned_share.get(d, 0) for d in run.delegators}
    assert sum(drift.values()) == books.orphaned + books.burned_unowned
    for d, wei in drift.items():
        assert abs(wei) <= books.operations + 1, (d.hex(), wei, books.operations)
    assert books.orphaned <= books.operations


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(actions, min_size=10, max_size=30))
def test_random_staking_keeps_the_books(stakers, plan):
    keeps_the_books(stakers, plan)


def test_a_pool_slashed_in_the_block_that_cuts_a_redelegation_into_it_keeps_the_books(stakers):
    """Found by the property test: v0 moves 7/8 of its self-stake to v1, then both miss 3 blocks
    and are slashed for downtime in one block. The books once charged v1's own slash of the pool
    (10 CMT of it v1's) to v0, because v0's shares there were also cut for v0's fault."""
    keeps_the_books(stakers, [("redelegate", 0, 4, (7, 0)), ("downtime", 3, 3)])


def test_withdraw_candidacy_empties_the_pool_to_the_wei(tmp_path, stakers):
    """Shares are worth their rounded-down tokens; withdrawCandidacy gives the remainder to the
    operator's unbonding, so no wei is left in the precompile that nobody owns."""
    state = staking_state(stakers, params={"downtime_window": 10, "downtime_max_missed": 5,
                                           "slash_downtime_bps": 500})
    state["economics"] = {"inflation_bps": 0}
    net = StakingChain.start(str(tmp_path / "db"), state)
    v0, v1 = (staking.consensus_address(pubkey_of(name)) for name in ("v0", "v1"))
    for _ in range(6):
        net.block(votes=[(v0, False), (v1, True)])  # slashed 5% for downtime (and jailed a while)
    # 95,000 CMT for 100,000 CMT of shares: 1,000 CMT buys shares worth 1 wei less
    assert net.send(stakers[3], "delegate(address)", stakers[0].address, value=1_000 * CMT).code == 0
    assert net.send(stakers[0], "withdrawCandidacy()").code == 0
    after = snapshot(net, [bytes.fromhex(k.address[2:]) for k in stakers])
    tracked = sum(tokens for tokens, _ in after.pools.values()) + after.pending_total
    net.chain.app.close()
    assert after.balance == tracked
