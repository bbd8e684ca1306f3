"""Reward distribution maths (DESIGN.md §6): split by voting power, commission, and a
reward-per-share accumulator with exact fractional carry.

Each delegation keeps `debt_scaled` (shares * acc when last settled) and `carry` (the fraction of
a wei, in 1/SCALE units, it earned but was not paid): its pending reward is
`(shares * acc - debt_scaled + carry) // SCALE`. So a delegator is paid the floor of exactly what it
earned, the fraction waits for the next settlement, and the sum paid never exceeds what was
distributed.
"""

SCALE = 10**36
BPS = 10_000


def split_by_power(amount_wei: int, powers: list[tuple[bytes, int]]) -> tuple[list[tuple[bytes, int]], int]:
    """Pro rata by power, rounded down; returns the parts and the undistributed dust."""
    total = sum(power for _, power in powers)
    if total == 0:
        return [], amount_wei
    parts = [(key, amount_wei * power // total) for key, power in powers]
    return parts, amount_wei - sum(part for _, part in parts)


def split_commission(amount_wei: int, commission_bps: int) -> tuple[int, int]:
    """(commission, delegators' part)."""
    commission = amount_wei * commission_bps // BPS
    return commission, amount_wei - commission


def accrue(acc: int, amount_wei: int, total_shares: int) -> int:
    """The accumulator after distributing `amount_wei` over `total_shares` (> 0)."""
    return acc + amount_wei * SCALE // total_shares


def settle(shares: int, acc: int, debt_scaled: int, carry: int) -> tuple[int, int]:
    """(wei to pay now, the new carry: the fraction of a wei still owed, in 1/SCALE units)."""
    pending = shares * acc - debt_scaled + carry
    return pending // SCALE, pending % SCALE
