"""Inflation (DESIGN.md §6): `inflation_bps` a year of the supply at the start of each inflation
year, prorated by block time so that rounding never loses a wei over a year.

The inflation clock advances with block time, at most `max_block_interval_s` per block, so a
chain that halted for a day does not mint a day's worth in its first block back.
"""

from dataclasses import dataclass, replace

YEAR_SECONDS = 31_557_600  # 365.25 days
BPS = 10_000


@dataclass(frozen=True, slots=True)
class MintParams:
    inflation_bps: int = 800
    max_block_interval_s: int = 60
    supply_cap_wei: int = 10**10 * 10**18
    community_pool_bps: int = 0     # the share of each mint paid to the community pool (governance)

    def validate(self) -> None:
        """What a governance change must keep (genesis checks its own fields)."""
        if self.inflation_bps > BPS or self.community_pool_bps > BPS:
            raise ValueError(f"inflation_bps and community_pool_bps must be at most {BPS}")
        if not 1 <= self.max_block_interval_s <= 86_400:
            raise ValueError("max_block_interval_s must be 1 to 86400")


@dataclass(frozen=True, slots=True)
class MintState:
    last_block_time_s: int
    elapsed_in_year_s: int      # inflation clock since the start of the current year
    year_supply_wei: int        # supply at the start of the current year
    minted_in_year_wei: int
    minted_total_wei: int


def genesis_mint_state(genesis_time_s: int, supply_wei: int) -> MintState:
    return MintState(genesis_time_s, 0, supply_wei, 0, 0)


def annual_provision(year_supply_wei: int, params: MintParams) -> int:
    return year_supply_wei * params.inflation_bps // BPS


def compute_mint(state: MintState, block_time_s: int, supply_wei: int, params: MintParams) -> tuple[int, MintState]:
    """(wei to mint in this block, the new state). `supply_wei` is the supply before this mint."""
    advance = min(max(0, block_time_s - state.last_block_time_s), params.max_block_interval_s)
    elapsed = state.elapsed_in_year_s + advance
    year_supply, minted_in_year, mint = state.year_supply_wei, state.minted_in_year_wei, 0
    if elapsed >= YEAR_SECONDS:  # close the year exactly, then start the next on the new supply
        mint = annual_provision(year_supply, params) - minted_in_year
        elapsed -= YEAR_SECONDS
        year_supply, minted_in_year = supply_wei + mint, 0
    owed = annual_provision(year_supply, params) * elapsed // YEAR_SECONDS
    mint += owed - minted_in_year
    mint = max(0, min(mint, params.supply_cap_wei - supply_wei))  # the last mint lands on the cap
    new_state = replace(
        state, last_block_time_s=max(block_time_s, state.last_block_time_s), elapsed_in_year_s=elapsed,
        year_supply_wei=year_supply, minted_in_year_wei=owed, minted_total_wei=state.minted_total_wei + mint,
    )
    return mint, new_state
