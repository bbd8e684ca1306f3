"""The base fee's rule (economics/fee_market.py), as EIP-1559 states it, floored at the minimum."""

from hypothesis import given
from hypothesis import strategies as st

from abci_app.economics import next_base_fee, split_base_fee

GWEI = 10**9
LIMIT = 100_000_000


def test_full_half_and_empty_blocks():
    assert next_base_fee(GWEI, LIMIT, LIMIT, GWEI) == GWEI + GWEI // 8           # full: +12.5%
    assert next_base_fee(GWEI, LIMIT // 2, LIMIT, GWEI) == GWEI                  # at the target: unchanged
    assert next_base_fee(2 * GWEI, 0, LIMIT, GWEI) == 2 * GWEI - 2 * GWEI // 8   # empty: -12.5%
    assert next_base_fee(GWEI, 0, LIMIT, GWEI) == GWEI                           # never below the minimum
    assert next_base_fee(8, LIMIT // 2 + 1, LIMIT, 1) == 9                      # a rise is at least 1 wei


@given(base=st.integers(GWEI, 10**15), used=st.integers(0, LIMIT))
def test_the_base_fee_moves_at_most_an_eighth_and_stays_above_the_minimum(base, used):
    after = next_base_fee(base, used, LIMIT, GWEI)
    assert after >= GWEI
    assert abs(after - base) <= max(1, base // 8)
    assert (after > base) == (used > LIMIT // 2)


@given(gas=st.integers(0, LIMIT), base=st.integers(GWEI, 10**15))
def test_the_split_adds_up_to_the_base_fee_paid(gas, base):
    credited, burned = split_base_fee(gas, base, GWEI)
    assert credited + burned == gas * base and credited == gas * GWEI and burned >= 0
