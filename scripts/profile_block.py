"""Where a block's time goes, per 1,000 transactions, without a profiler's distortion.

Runs a benchmark workload (abci_app/bench/workloads.py) through the application object in blocks
of 1,000, CheckTx for each tx then FinalizeBlock and Commit, with wall-clock timers around the
application's and the block execution's steps. The figures of docs/performance.md ("Where the time
went") come from it. Usage:

    .venv/bin/python scripts/profile_block.py cmt 4000 --accounts 1000
    .venv/bin/python scripts/profile_block.py erc20 4000
"""

import argparse
import collections
import functools
import logging
import tempfile
import time
from pathlib import Path

from abci_app.app import application
from abci_app.app.driver import InProcessChain
from abci_app.bench import workloads
from abci_app.bench.levels import run_blocks
from abci_app.evm import execute
from abci_app.logs import configure_logging

STEPS = (
    (application.Application, "check_tx", "CheckTx"),
    (application.Application, "finalize_block", "FinalizeBlock"),
    (execute.BlockExecution, "apply", "  applying the txs"),
    (execute.BlockExecution, "finish", "  state root + persist"),
    (application.Application, "commit", "Commit"),
)


def timed(seconds: collections.Counter, cls: type, name: str, label: str) -> None:
    original = getattr(cls, name)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            seconds[label] += time.perf_counter() - started

    setattr(cls, name, wrapper)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workload", choices=workloads.NAMES)
    parser.add_argument("txs", type=int)
    parser.add_argument("--accounts", type=int, default=100)
    args = parser.parse_args()
    configure_logging(level=logging.WARNING)  # a line per block would bury the figures
    workload = workloads.build(args.workload, args.txs, args.accounts)
    seconds: collections.Counter = collections.Counter()
    for cls, name, label in STEPS:
        timed(seconds, cls, name, label)
    with tempfile.TemporaryDirectory() as tmp:
        chain = InProcessChain.start(str(Path(tmp) / "db"), workload.genesis(), check_solvency=False)
        try:
            run_blocks(chain, workload.setup, check=True)
            seconds.clear()
            started = time.perf_counter()
            run_blocks(chain, workload.blocks(1000), check=True)
            elapsed = time.perf_counter() - started
        finally:
            chain.app.close()
    count = len(workload.timed)
    print(f"{args.workload}, {count} txs from {args.accounts} senders: {count / elapsed:.0f} tx/s; ms per 1,000 tx:")
    for _, _, label in STEPS:
        print(f"  {label:24s} {seconds[label] / count * 1e6:8.1f}")
    print(f"  {'total':24s} {elapsed / count * 1e6:8.1f}")


if __name__ == "__main__":
    main()
