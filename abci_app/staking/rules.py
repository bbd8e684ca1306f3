"""Pure staking arithmetic (DESIGN.md §5): shares, self-stake ratio, ranking, power cap, slashes.

All integers; rounding always favours the pool, so no wei is ever created.
"""

from .params import BPS, WEI_PER_CMT, StakingParams


def shares_for_deposit(amount_wei: int, tokens_wei: int, shares: int) -> int:
    """Shares minted for a deposit into a pool: proportional, rounded down."""
    if shares == 0:
        return amount_wei
    return amount_wei * shares // tokens_wei


def tokens_of(own_shares: int, tokens_wei: int, shares: int) -> int:
    """What `own_shares` of a pool are worth, rounded down."""
    return 0 if shares == 0 else own_shares * tokens_wei // shares


def shares_for_withdrawal(amount_wei: int, tokens_wei: int, shares: int) -> int:
    """Shares burned to take `amount_wei` out of a pool: rounded up."""
    return -(-amount_wei * shares // tokens_wei)


def meets_self_stake_ratio(self_tokens_wei: int, total_tokens_wei: int, params: StakingParams) -> bool:
    return self_tokens_wei * BPS >= total_tokens_wei * params.min_self_stake_ratio_bps


def slash_amount(amount_wei: int, bps: int) -> int:
    return amount_wei * bps // BPS


def commission_change_allowed(base_bps: int, new_bps: int, params: StakingParams) -> bool:
    return abs(new_bps - base_bps) <= params.max_commission_change_bps


def select_validators(candidates: list[tuple[bytes, int]], params: StakingParams) -> list[tuple[bytes, int]]:
    """(address, power) of the validator set from eligible (address, tokens).

    Ranked by tokens, ties by address; the top `max_validators` with at least 1 CMT; power =
    tokens // 10**18, capped at `max_power_share_bps` of the total (at least 1)."""
    ranked = sorted(candidates, key=lambda c: (-c[1], c[0]))[:params.max_validators]
    powered = [(address, tokens // WEI_PER_CMT) for address, tokens in ranked if tokens >= WEI_PER_CMT]
    return cap_powers(powered, params.max_power_share_bps)


def cap_powers(validators: list[tuple[bytes, int]], max_share_bps: int) -> list[tuple[bytes, int]]:
    total = sum(power for _, power in validators)
    cap = max(1, total * max_share_bps // BPS)
    return [(address, min(power, cap)) for address, power in validators]


def uptime_exceeded(missed: int, params: StakingParams) -> bool:
    return missed > params.downtime_max_missed
