"""Fuzz the chain with hostile transactions and contracts on two app instances (issue 13).

Random and mutated signed txs of every type, precompile calls with random selectors, arguments
and values, hostile contracts reaching the precompiles by CALL, DELEGATECALL, CALLCODE and
STATICCALL (nested, reverting, running out of gas), and raw junk go through CheckTx,
PrepareProposal, ProcessProposal, FinalizeBlock and Commit on two apps (twins.py). Nothing may
escape, the twins agree on every result and app hash, and the supply and every module's solvency
hold after every block.

The suite runs a few thousand txs from a fixed seed; the long mode is run by hand:

    .venv/bin/python -m tests.fuzz.test_fuzz --txs 100000 --seed 1000
"""

import argparse
import sys
import tempfile
import time

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from abci_app.cli.wallet import dev_account
from abci_app.evm.fork import TX_BUILDER

from ..staking.harness import staking_state
from .generators import World, draw_tx
from .twins import Tally, Twins

KEYS = [dev_account(i) for i in range(6)]
VALIDATORS = 2
SUITE_TXS = 2_500
ROUND = 25         # hypothesis examples per round; a run is rounds until it has sent enough txs
BLOCK_SECONDS = [1, 1, 5, 3_600, 86_400, 30 * 86_400]   # sometimes far enough for unbondings, expiries


def _one_chain(data, base: str, total: Tally) -> None:
    """One example: fresh twins, a few blocks of drawn txs."""
    twins = Twins(base, staking_state(KEYS, validators=VALIDATORS, inflation_bps=800), total)
    try:
        world = World(keys=KEYS, validators=[bytes.fromhex(k.address[2:]) for k in KEYS[:VALIDATORS]])
        for _ in range(data.draw(st.integers(1, 6), label="blocks")):
            reader = twins.first.app.reader
            world.nonces = {sender: reader.nonce_and_balance(sender)[0] for sender in world.senders()}
            world.now_s = twins.first.time_s
            raws, admitted = [], []
            for _ in range(data.draw(st.integers(1, 8), label="txs")):
                raws.append(draw_tx(data, world))
                if twins.check(raws[-1:]):
                    admitted.append(raws[-1])
                    world.admitted(TX_BUILDER.decode(raws[-1]))
            twins.propose(admitted, data.draw(st.permutations(raws), label="crafted proposal"),
                          seconds=data.draw(st.sampled_from(BLOCK_SECONDS), label="seconds"),
                          run_crafted=data.draw(st.sampled_from([False] * 3 + [True]),
                                                label="finalize the crafted proposal"))
    finally:
        twins.close()


def fuzz(txs: int, first_seed: int) -> Tally:
    """Rounds of hypothesis examples, each round from its own seed, until `txs` were sent. No
    shrinking: a chain of blocks shrinks for many minutes; the failure names its tx and height,
    and the example's draws are printed."""
    total = Tally()
    round_seed = first_seed
    while total.txs < txs:
        @seed(round_seed)
        @settings(max_examples=ROUND, database=None, deadline=None, derandomize=False,
                  phases=[Phase.generate], suppress_health_check=list(HealthCheck))
        @given(st.data())
        def run(data):
            with tempfile.TemporaryDirectory(prefix="fuzz-") as base:
                _one_chain(data, base, total)
        run()
        round_seed += 1
    return total


def _report(total: Tally, seconds: float) -> str:
    return (f"{total.txs} txs in {total.blocks} blocks, {seconds:.0f} s: {total.checked_ok} admitted, "
            f"{total.executed_ok} executed ok, {total.failed_in_evm} failed in the EVM, "
            f"refused by code {dict(sorted(total.refused.items()))}")


def _assert_it_reached_the_chain(total: Tally) -> None:
    """A fuzz that only sends junk proves nothing: most txs must be admitted and executed, some
    fail in the EVM, and many kinds of refusal are met."""
    assert total.checked_ok > total.txs // 3, total
    assert total.executed_ok > total.txs // 5 and total.failed_in_evm > total.txs // 50, total
    assert len(total.refused) >= 8, total.refused


def test_fuzz_hostile_txs_on_twin_apps():
    started = time.perf_counter()
    total = fuzz(SUITE_TXS, first_seed=0)
    print(_report(total, time.perf_counter() - started))
    _assert_it_reached_the_chain(total)


def main() -> int:
    parser = argparse.ArgumentParser(description="the fuzz harness's long mode")
    parser.add_argument("--txs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1_000)
    args = parser.parse_args()
    started = time.perf_counter()
    total = fuzz(args.txs, args.seed)
    print(_report(total, time.perf_counter() - started))
    _assert_it_reached_the_chain(total)
    return 0


if __name__ == "__main__":
    sys.exit(main())
