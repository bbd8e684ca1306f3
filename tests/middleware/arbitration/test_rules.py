"""The pure rules: fee reserve, the draw (its seed block, who is eligible, who is drawn), the
decision and the split."""

from hypothesis import given, settings
from hypothesis import strategies as st

from abci_app.middleware.arbitration import rules
from abci_app.middleware.arbitration.params import ArbitrationParams
from abci_app.middleware.arbitration.records import Eligibility

PARAMS = ArbitrationParams(min_arbiter_stake_wei=1, fee_bps=100, arbiter_penalty_bps=500)
MEMBERS = [bytes([i]) * 20 for i in range(1, 8)]


def test_fee_reserve_and_penalty_round_down():
    assert rules.compute_fee_reserve(10_000, PARAMS) == 100
    assert rules.compute_fee_reserve(199, PARAMS) == 1
    assert rules.compute_fee_reserve(99, PARAMS) == 0
    assert rules.compute_penalty(1_000, PARAMS) == 50
    assert rules.compute_penalty(19, PARAMS) == 0


def test_dispute_deadline():
    assert rules.dispute_deadline(1_000, ArbitrationParams(dispute_window_seconds=60)) == 1_060


def test_draw_is_deterministic_distinct_and_seeded():
    seed = rules.draw_seed(b"\x11" * 32, 1)
    assert seed == rules.draw_seed(b"\x11" * 32, 1) != rules.draw_seed(b"\x11" * 32, 2)
    drawn = rules.draw_arbiters(seed, MEMBERS, 3)
    assert drawn == rules.draw_arbiters(seed, MEMBERS, 3)
    assert len(set(drawn)) == 3 and set(drawn) <= set(MEMBERS)
    assert sorted(rules.draw_arbiters(seed, MEMBERS, len(MEMBERS))) == sorted(MEMBERS)
    assert rules.draw_arbiters(seed, MEMBERS, 0) == []


def test_draw_takes_every_member_when_there_are_fewer():
    assert sorted(rules.draw_arbiters(b"\0" * 32, MEMBERS[:2], 3)) == sorted(MEMBERS[:2])
    assert rules.draw_arbiters(b"\0" * 32, [], 3) == []


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32), st.permutations(MEMBERS), st.integers(0, 6))
def test_a_member_leaving_moves_nobody_else(order_id, members, leaver):
    """The draw depends on who is eligible, never on their order: a member not drawn that leaves
    changes nothing, a drawn one that leaves is replaced and the others keep their places."""
    seed = rules.draw_seed(b"\x22" * 32, order_id)
    drawn = rules.draw_arbiters(seed, members, 3)
    assert drawn == rules.draw_arbiters(seed, sorted(members), 3)
    gone = members[leaver]
    after = rules.draw_arbiters(seed, [m for m in members if m != gone], 3)
    if gone in drawn:
        assert [m for m in drawn if m != gone] == after[:2]
    else:
        assert after == drawn


def test_seed_height_is_the_draw_height_then_the_latest_block_in_its_place():
    """The hash of the draw block while BLOCKHASH reaches it (the 256 blocks after it), then that
    of the latest block at the draw height plus a multiple of 256."""
    assert rules.compute_seed_height(100, 101) == 100
    assert rules.compute_seed_height(100, 356) == 100
    assert rules.compute_seed_height(100, 357) == 356
    assert rules.compute_seed_height(100, 612) == 356
    assert rules.compute_seed_height(100, 613) == 612
    for height in range(101, 2_000):
        seed_height = rules.compute_seed_height(100, height)
        assert height - 256 <= seed_height < height and (seed_height - 100) % 256 == 0


def test_eligible_at_the_seed_block():
    """Eligible for a draw seeded by block s: eligible (stake at least the minimum) since a block
    at or before s, and still eligible, or made ineligible by a penalty after s."""
    params = ArbitrationParams(min_arbiter_stake_wei=100)

    def member(stake, since, ineligible_since=0):
        return Eligibility(stake_wei=stake, eligible_since_height=since, ineligible_since_height=ineligible_since)

    assert rules.eligible_at(member(100, 10), 10, params)
    assert rules.eligible_at(member(100, 10), 50, params)
    assert not rules.eligible_at(member(100, 11), 10, params)       # joined (or topped up) after it
    assert not rules.eligible_at(member(99, 5, 10), 10, params)     # penalized at or before it
    assert rules.eligible_at(member(99, 5, 11), 10, params)         # penalized after it
    assert not rules.eligible_at(member(0, 0), 10, params)          # never eligible


def test_dispute_fee_shares():
    """The dispute fee is shared equally by every arbiter who voted; the remainder of the division
    goes to the first of them in draw order."""
    assert rules.compute_fee_shares(100, 3) == [34, 33, 33]
    assert rules.compute_fee_shares(100, 2) == [50, 50]
    assert rules.compute_fee_shares(0, 3) == [0, 0, 0]
    assert rules.compute_fee_shares(100, 0) == []


def test_draw_reaches_every_member_in_every_position():
    """Over many seeds, each member appears at each of the three positions (no member is favoured
    or excluded by the arithmetic, nor by its place in the list)."""
    seen = set()
    for i in range(300):
        for position, member in enumerate(rules.draw_arbiters(rules.draw_seed(b"\0" * 32, i), MEMBERS, 3)):
            seen.add((position, member))
    assert seen == {(p, m) for p in range(3) for m in MEMBERS}


def test_refund_wins_on_majority_and_ties():
    assert rules.refund_wins(2, 1) and rules.refund_wins(1, 1) and rules.refund_wins(0, 0)
    assert not rules.refund_wins(1, 2) and not rules.refund_wins(0, 1)


def test_split_examples():
    # 2-1: the two voters share the fee reserve (101 wei: 50 each, 1 wei to the winner)
    assert rules.compute_split(10_100, 101, 0, 2) == rules.Split(10_000, 50, 1)
    # one silent arbiter's penalty joins the pot
    assert rules.compute_split(10_000, 100, 51, 2) == rules.Split(9_901, 75, 1)
    # nobody voted: the buyer gets everything, penalties included
    assert rules.compute_split(10_000, 100, 30, 0) == rules.Split(10_030, 0, 130)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 10**30), st.integers(0, 9_999), st.integers(0, 10**24), st.integers(0, 21))
def test_split_loses_no_wei(escrow, fee_bps, penalties, voters):
    fee = rules.compute_fee_reserve(escrow, ArbitrationParams(fee_bps=fee_bps))
    split = rules.compute_split(escrow, fee, penalties, voters)
    assert split.to_winner_wei + split.per_voter_wei * voters == escrow + penalties
    assert split.to_winner_wei >= escrow - fee and 0 <= split.winner_extra_wei <= fee + penalties
