"""Inflation, exactly: a year mints 8% to the wei, the cap is met exactly, a halt mints no lump."""

from abci_app.economics import YEAR_SECONDS, MintParams, annual_provision, compute_mint, genesis_mint_state

CMT = 10**18
GENESIS = 10**9 * CMT
PARAMS = MintParams()


def run(state, supply: int, times: list[int], params: MintParams = PARAMS):
    minted = []
    for t in times:
        amount, state = compute_mint(state, t, supply, params)
        supply += amount
        minted.append(amount)
    return state, supply, minted


def test_a_year_of_block_times_mints_exactly_eight_percent():
    state = genesis_mint_state(0, GENESIS)
    times = list(range(60, YEAR_SECONDS + 1, 60))  # one block a minute, every minute of the year
    assert times[-1] == YEAR_SECONDS
    state, supply, minted = run(state, GENESIS, times)
    assert sum(minted) == 80_000_000 * CMT == GENESIS * 800 // 10_000
    assert supply == 1_080_000_000 * CMT
    assert state.elapsed_in_year_s == 0 and state.year_supply_wei == supply


def test_uneven_blocks_lose_no_rounding_over_the_year():
    params = MintParams(max_block_interval_s=3600)
    state = genesis_mint_state(0, GENESIS + 7)  # an awkward supply
    times, t = [], 0
    pattern = [1234, 3600, 17, 2999, 0, 611, 1]
    i = 0
    while t < YEAR_SECONDS:
        t = min(YEAR_SECONDS, t + pattern[i % len(pattern)])
        times.append(t)
        i += 1
    _, _, minted = run(state, GENESIS + 7, times, params)
    assert sum(minted) == (GENESIS + 7) * 800 // 10_000


def test_the_second_year_compounds_on_the_new_supply():
    state = genesis_mint_state(0, GENESIS)
    state, supply, _ = run(state, GENESIS, [YEAR_SECONDS])  # 60 s cap: one block cannot jump a year
    assert state.elapsed_in_year_s == 60
    hourly = MintParams(max_block_interval_s=3600)
    state = genesis_mint_state(0, GENESIS)
    times = list(range(3600, 2 * YEAR_SECONDS + 1, 3600))
    state, supply, minted = run(state, GENESIS, times, hourly)
    assert supply == GENESIS * 108 // 100 * 108 // 100


def test_a_halted_chain_mints_no_lump_on_restart():
    state = genesis_mint_state(0, GENESIS)
    state, supply, _ = run(state, GENESIS, [5, 10])
    day = 24 * 3600
    state, supply, minted = run(state, supply, [10 + day, 10 + day + 5])
    per_minute = annual_provision(GENESIS, PARAMS) * 60 // YEAR_SECONDS
    assert minted[0] <= per_minute + 1  # the day of halt counts as at most 60 s
    assert state.elapsed_in_year_s == 10 + 60 + 5


def test_time_going_backwards_mints_nothing():
    state = genesis_mint_state(100, GENESIS)
    amount, state = compute_mint(state, 90, GENESIS, PARAMS)
    assert amount == 0 and state.last_block_time_s == 100


def test_the_cap_is_reached_exactly_and_then_minting_stops():
    cap = GENESIS + 1_000 * CMT + 1
    params = MintParams(supply_cap_wei=cap)
    state = genesis_mint_state(0, GENESIS)
    state, supply, minted = run(state, GENESIS, list(range(60, 24 * 3600, 60)), params)
    assert supply == cap
    assert minted[-1] == 0 and sum(minted) == cap - GENESIS


def test_zero_inflation_mints_nothing():
    state = genesis_mint_state(0, GENESIS)
    _, supply, minted = run(state, GENESIS, [60, 120], MintParams(inflation_bps=0))
    assert supply == GENESIS and minted == [0, 0]
