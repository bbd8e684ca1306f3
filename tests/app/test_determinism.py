"""Determinism and conservation: two applications fed the same generated blocks agree on the app
hash at every height, and the sum of all balances always equals genesis supply + minted."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abci_app import staking
from abci_app.cli.wallet import dev_account

from ..chain import CMT, GWEI, Chain, app_state, transfer

KEYS = [dev_account(i) for i in range(3)]
RECIPIENTS = [k.address for k in KEYS] + ["0x" + "77" * 20]
GENESIS_BALANCE = 10 * CMT

action = st.one_of(
    st.tuples(
        st.just("transfer"),
        st.integers(0, len(KEYS) - 1),                    # sender
        st.sampled_from([0, 0, 0, -1, 1]),                # nonce offset: mostly right
        st.integers(0, len(RECIPIENTS) - 1),              # recipient
        st.one_of(st.integers(0, CMT), st.just(20 * CMT)),  # value, sometimes unaffordable
        st.booleans(),                                    # fee market or legacy
        st.integers(1, 3),                                # gas price in gwei
    ),
    st.tuples(st.just("garbage"), st.binary(min_size=0, max_size=40)),
)
blocks = st.lists(st.tuples(st.integers(0, 3), st.lists(action, max_size=6)), min_size=1, max_size=6)


def _raw(step, nonces: list[int]) -> bytes:
    if step[0] == "garbage":
        return step[1]
    _, sender, offset, recipient, value, fee_market, price = step
    nonce = max(0, nonces[sender] + offset)
    if offset == 0:
        nonces[sender] += 1
    return transfer(KEYS[sender], nonce, RECIPIENTS[recipient], value, fee_market=fee_market,
                    gas_price=price * GWEI)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(blocks=blocks)
def test_two_apps_agree_and_conserve_supply(tmp_path_factory, blocks):
    base = tmp_path_factory.mktemp("det")
    state = app_state(KEYS, balance_wei=GENESIS_BALANCE, inflation_bps=800)
    first, second = Chain.start(str(base / "a"), state), Chain.start(str(base / "b"), state)
    try:
        assert first.app_hashes == second.app_hashes
        nonces = [0] * len(KEYS)
        for seconds, steps in blocks:
            raws = [_raw(step, nonces) for step in steps]
            results_a = first.block(raws, seconds=seconds)
            results_b = second.block(raws, seconds=seconds)
            assert [(r.code, r.gas_used) for r in results_a] == [(r.code, r.gas_used) for r in results_b]
            assert first.app_hashes[-1] == second.app_hashes[-1]
            minted = staking.state_view(first.app.reader.state).mint_state().minted_total_wei
            assert first.supply() == len(KEYS) * GENESIS_BALANCE + minted
            nonces = [first.account(k.address)["nonce"] for k in KEYS]
    finally:
        first.app.close()
        second.app.close()
