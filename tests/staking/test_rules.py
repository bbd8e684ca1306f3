"""The pure staking arithmetic of abci_app/staking/rules.py: shares, ratios, ranking, power, cap."""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from abci_app.staking import rules
from abci_app.staking.params import BPS, WEI_PER_CMT, StakingParams

CMT = WEI_PER_CMT
PARAMS = StakingParams()
UNCAPPED = StakingParams(max_power_share_bps=BPS)

wei = st.integers(min_value=1, max_value=10**9 * CMT)


@st.composite
def pools(draw):
    """(tokens, shares) of a live pool: shares start 1:1 and slashes only ever lower the tokens."""
    shares = draw(wei)
    tokens = draw(st.integers(min_value=1, max_value=shares))
    return tokens, shares


def address(n: int) -> bytes:
    return n.to_bytes(20, "big")


# ---- shares ----------------------------------------------------------------------------------


def test_first_deposit_mints_one_share_per_wei():
    assert rules.shares_for_deposit(5 * CMT, 0, 0) == 5 * CMT
    assert rules.tokens_of(5 * CMT, 5 * CMT, 5 * CMT) == 5 * CMT
    assert rules.tokens_of(0, 0, 0) == 0


@settings(deadline=None)
@given(pools(), wei)
def test_a_deposit_never_creates_wei(pool, amount):
    tokens, shares = pool
    minted = rules.shares_for_deposit(amount, tokens, shares)
    assert minted * tokens <= amount * shares  # rounded down
    # the depositor's shares are worth at most what it paid, the old shares at least what they were
    assert rules.tokens_of(minted, tokens + amount, shares + minted) <= amount
    assert rules.tokens_of(shares, tokens + amount, shares + minted) >= tokens
    assert Fraction(tokens + amount, shares + minted) >= Fraction(tokens, shares)


@settings(deadline=None)
@given(pools(), st.data())
def test_a_withdrawal_never_creates_wei(pool, data):
    tokens, shares = pool
    held = data.draw(st.integers(min_value=1, max_value=shares))
    worth = rules.tokens_of(held, tokens, shares)
    assert worth * shares <= held * tokens  # rounded down
    if worth == 0:
        return
    amount = data.draw(st.integers(min_value=1, max_value=worth))
    burned = rules.shares_for_withdrawal(amount, tokens, shares)
    assert burned * tokens >= amount * shares  # rounded up: the shares given up are worth >= amount
    assert burned <= held  # never more shares than the delegator holds
    if burned < shares:
        assert Fraction(tokens - amount, shares - burned) >= Fraction(tokens, shares)


@settings(deadline=None)
@given(pools(), wei)
def test_deposit_then_withdraw_everything_gives_back_at_most_the_deposit(pool, amount):
    tokens, shares = pool
    minted = rules.shares_for_deposit(amount, tokens, shares)
    worth = rules.tokens_of(minted, tokens + amount, shares + minted)
    assert worth <= amount
    if worth:
        assert rules.shares_for_withdrawal(worth, tokens + amount, shares + minted) <= minted


@settings(deadline=None)
@given(pools(), st.integers(min_value=0, max_value=BPS), st.data())
def test_a_slash_lowers_every_share_by_the_same_ratio(pool, bps, data):
    tokens, shares = pool
    cut = rules.slash_amount(tokens, bps)
    assert cut == tokens * bps // BPS and 0 <= cut <= tokens
    after = tokens - cut
    for _ in range(3):
        held = data.draw(st.integers(min_value=1, max_value=shares))
        exact_before, exact_after = Fraction(held * tokens, shares), Fraction(held * after, shares)
        assert exact_after == exact_before * Fraction(after, tokens)
        assert rules.tokens_of(held, after, shares) == held * after // shares
    # the holders together lose exactly the cut, no wei more or less
    assert Fraction(shares * tokens, shares) - Fraction(shares * after, shares) == cut


def test_slash_amounts():
    assert rules.slash_amount(100_000 * CMT, 500) == 5_000 * CMT
    assert rules.slash_amount(100_000 * CMT, 1) == 10 * CMT
    assert rules.slash_amount(9_999, 1) == 0  # rounded down: never more than the bps


# ---- self-stake ratio and commission ---------------------------------------------------------


def test_self_stake_ratio_is_at_least_ten_percent():
    assert rules.meets_self_stake_ratio(100 * CMT, 1_000 * CMT, PARAMS)
    assert not rules.meets_self_stake_ratio(100 * CMT - 1, 1_000 * CMT, PARAMS)
    assert rules.meets_self_stake_ratio(0, 0, PARAMS)
    assert rules.meets_self_stake_ratio(1, 1, StakingParams(min_self_stake_ratio_bps=BPS))
    assert not rules.meets_self_stake_ratio(1, 2, StakingParams(min_self_stake_ratio_bps=BPS))


def test_commission_moves_at_most_the_parameter_from_the_base():
    assert rules.commission_change_allowed(1_000, 1_100, PARAMS)
    assert rules.commission_change_allowed(1_000, 900, PARAMS)
    assert rules.commission_change_allowed(1_000, 1_000, PARAMS)
    assert not rules.commission_change_allowed(1_000, 1_101, PARAMS)
    assert not rules.commission_change_allowed(1_000, 899, PARAMS)
    assert rules.commission_change_allowed(0, 500, StakingParams(max_commission_change_bps=500))


def test_uptime_exceeded_only_above_the_maximum():
    params = StakingParams(downtime_window=10, downtime_max_missed=5)
    assert not rules.uptime_exceeded(5, params)
    assert rules.uptime_exceeded(6, params)


# ---- validator selection ---------------------------------------------------------------------


def test_ranked_by_tokens_with_ties_broken_by_address():
    candidates = [(address(3), 10 * CMT), (address(1), 20 * CMT), (address(2), 10 * CMT), (address(0), 5 * CMT)]
    chosen = rules.select_validators(candidates, UNCAPPED)
    assert chosen == [(address(1), 20), (address(2), 10), (address(3), 10), (address(0), 5)]


def test_only_the_top_max_validators_are_chosen():
    params = StakingParams(max_validators=2, max_power_share_bps=BPS)
    candidates = [(address(1), 10 * CMT), (address(2), 30 * CMT), (address(3), 20 * CMT), (address(4), 20 * CMT)]
    assert rules.select_validators(candidates, params) == [(address(2), 30), (address(3), 20)]
    assert rules.select_validators([], params) == []


def test_power_is_whole_cmt_and_less_than_one_cmt_is_dropped():
    candidates = [(address(1), 7 * CMT + CMT - 1), (address(2), CMT), (address(3), CMT - 1), (address(4), 0)]
    assert rules.select_validators(candidates, UNCAPPED) == [(address(1), 7), (address(2), 1)]
    # a sub-CMT candidate inside the top max_validators is dropped, not replaced from below
    params = StakingParams(max_validators=2, max_power_share_bps=BPS)
    assert rules.select_validators([(address(1), 5 * CMT), (address(2), CMT // 2), (address(3), CMT // 3)],
                                   params) == [(address(1), 5)]


def test_power_is_capped_at_twelve_percent_of_the_total():
    candidates = [(address(1), 800 * CMT), (address(2), 100 * CMT), (address(3), 100 * CMT)]
    # total 1000 -> cap 120
    assert rules.select_validators(candidates, PARAMS) == [(address(1), 120), (address(2), 100), (address(3), 100)]
    assert rules.cap_powers([(address(1), 100), (address(2), 100)], 1_200) == [(address(1), 24), (address(2), 24)]
    assert rules.cap_powers([(address(1), 50)], BPS) == [(address(1), 50)]


def test_the_cap_is_at_least_one():
    validators = [(address(i), 1) for i in range(3)]
    # 3 * 12% rounds down to 0: the cap is 1, so nobody loses its only unit of power
    assert rules.cap_powers(validators, 1_200) == validators
    assert rules.cap_powers([(address(1), 5), (address(2), 1)], 1) == [(address(1), 1), (address(2), 1)]
    assert rules.cap_powers([], 1_200) == []


@settings(deadline=None, max_examples=50)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 10**6 * CMT)), max_size=30, unique_by=lambda c: c[0]),
       st.integers(1, 25), st.integers(0, BPS))
def test_selection_properties(raw, max_validators, cap_bps):
    params = StakingParams(max_validators=max_validators, max_power_share_bps=cap_bps)
    candidates = [(address(a), tokens) for a, tokens in raw]
    chosen = rules.select_validators(candidates, params)
    assert len(chosen) <= max_validators
    tokens = dict(candidates)
    uncapped = [tokens[a] // CMT for a, _ in chosen]
    total = sum(uncapped)
    cap = max(1, total * cap_bps // BPS)
    assert [p for _, p in chosen] == [min(p, cap) for p in uncapped]
    assert all(p >= 1 for _, p in chosen)
    # everyone chosen ranks above everyone left out who had at least 1 CMT
    keys = [(-tokens[a], a) for a, _ in chosen]
    assert keys == sorted(keys)
    left_out = [(-t, a) for a, t in candidates if a not in dict(chosen) and t >= CMT]
    if left_out and chosen:
        assert max(keys) < min(left_out)
