"""The pure rules: fee reserve, the draw, the decision and the split."""

from hypothesis import given, settings
from hypothesis import strategies as st

from abci_app.middleware.arbitration import rules
from abci_app.middleware.arbitration.params import ArbitrationParams

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


def test_draw_refuses_too_few():
    import pytest
    with pytest.raises(ValueError):
        rules.draw_arbiters(b"\0" * 32, MEMBERS[:2], 3)


def test_draw_reaches_every_member_in_every_position():
    """Over many seeds, each member appears at each of the three positions (no member is favoured
    or excluded by the arithmetic)."""
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
