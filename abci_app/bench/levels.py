"""The application-object level: CheckTx for every tx, then FinalizeBlock and Commit, on a fresh
RocksDB, in-process. Setup blocks run before the clock starts."""

import resource
import tempfile
import time
from pathlib import Path

from .. import staking
from ..app.driver import InProcessChain
from .workloads import Workload


def folder_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def peak_rss_mib() -> float:
    """This process's peak resident set so far (Linux: ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_blocks(chain: InProcessChain, blocks: list[list[bytes]], check: bool) -> float:
    """Run blocks; returns the FinalizeBlock + Commit seconds. Raises if any tx is refused or fails."""
    block_s = 0.0
    for block in blocks:
        if check:
            for raw in block:
                result = chain.check(raw)
                if result.code != 0:
                    raise RuntimeError(f"a benchmark tx was refused by CheckTx: {result.log}")
        started = time.perf_counter()
        results = chain.block(block)
        block_s += time.perf_counter() - started
        failed = [r.log for r in results if r.code != 0]
        if failed:
            raise RuntimeError(f"{len(failed)} benchmark txs failed in FinalizeBlock: {failed[0]}")
    return block_s


def measure_app(workload: Workload, block_txs: int) -> dict:
    """Every figure of one run of `workload` through the application object."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "db"
        chain = InProcessChain.start(str(db), workload.genesis())
        try:
            run_blocks(chain, workload.setup, check=True)
            size_before = folder_bytes(db)
            started = time.perf_counter()
            block_s = run_blocks(chain, workload.blocks(block_txs), check=True)
            elapsed = time.perf_counter() - started
            size_after = folder_bytes(db)
            balances = chain.supply()  # every balance, by walking the account trie
            recorded = staking.state_view(chain.app.reader.state).supply_wei
        finally:
            chain.app.close()
    txs = len(workload.timed)
    return {
        "txs": txs,
        "block_txs": block_txs,
        "tx_per_s": txs / elapsed,
        "exec_tx_per_s": txs / block_s,
        "block_ms_per_1000_txs": block_s / txs * 1000 * 1000,
        "peak_rss_mib": peak_rss_mib(),
        "db_bytes_per_tx": (size_after - size_before) / txs,
        "supply_invariant": balances == recorded,  # sum of balances == genesis + minted - burned
    }
