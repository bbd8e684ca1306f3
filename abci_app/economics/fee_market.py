"""The base fee (EIP-1559): it rises when blocks use more than half their gas limit, falls when
they use less, by at most 1/8 a block, and never goes below the chain's minimum gas price."""

ELASTICITY = 2               # the target is the gas limit / 2
CHANGE_DENOMINATOR = 8       # at most 12.5% a block


def next_base_fee(base_fee_wei: int, gas_used: int, gas_limit: int, minimum_wei: int) -> int:
    """The base fee of the block after one that used `gas_used` at `base_fee_wei`."""
    target = gas_limit // ELASTICITY
    if gas_used > target:
        return base_fee_wei + max(1, base_fee_wei * (gas_used - target) // target // CHANGE_DENOMINATOR)
    fall = base_fee_wei * (target - gas_used) // target // CHANGE_DENOMINATOR
    return max(minimum_wei, base_fee_wei - fall)


def split_base_fee(gas_used: int, base_fee_wei: int, minimum_wei: int) -> tuple[int, int]:
    """(to the reward pool, burned): the minimum part of the base fee is the validators', what
    congestion added above it is burned, so a validator stuffing blocks pays like anyone."""
    return gas_used * minimum_wei, gas_used * (base_fee_wei - minimum_wei)
