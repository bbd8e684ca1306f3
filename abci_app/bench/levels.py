"""The application-object level: CheckTx for every tx, then FinalizeBlock and Commit, on a fresh
RocksDB, in-process. Setup blocks run before the clock starts."""

import base64
import math
import resource
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..app.driver import InProcessChain
from .supply import app_supply
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
        chain = InProcessChain.start(str(db), workload.genesis(), check_solvency=False)  # checked at the end
        try:
            run_blocks(chain, workload.setup, check=True)
            size_before = folder_bytes(db)
            started = time.perf_counter()
            block_s = run_blocks(chain, workload.blocks(block_txs), check=True)
            elapsed = time.perf_counter() - started
            size_after = folder_bytes(db)
            supply = app_supply(chain.app)  # /supply, every balance by walking the account trie, /solvency
        finally:
            chain.app.close()
    return {
        **run_figures(len(workload.timed), block_txs, elapsed, block_s, peak_rss_mib(), size_after - size_before),
        **supply,
        "supply_invariant": supply["supply_ok"],  # the earlier name, kept for readers of the JSON
    }


def run_figures(txs: int, block_txs: int, elapsed_s: float, block_s: float, peak_rss: float,
                db_growth_bytes: int) -> dict:
    """The throughput figures every in-process level reports for one run."""
    return {
        "txs": txs,
        "block_txs": block_txs,
        "tx_per_s": txs / elapsed_s,
        "exec_tx_per_s": txs / block_s,
        "block_ms_per_1000_txs": block_s / txs * 1000 * 1000,
        "peak_rss_mib": peak_rss,
        "db_bytes_per_tx": db_growth_bytes / txs,
    }


# ---- end to end: broadcast_tx_async, per-tx confirmation latency -------------------------------

RPC_BATCH = 10  # CometBFT's default max_request_batch_size
MEMPOOL_FULL = "mempool is full"
MEMPOOL_FULL_BACKOFF_S = 0.05
IN_FLIGHT_WINDOW = 2_000  # txs sent and not yet seen committed: the block being executed and the next one


def _broadcast_async(rpc, txs: list[bytes], sent: dict, in_flight=lambda: 0, window: int = IN_FLIGHT_WINDOW,
                     stop_at: float = math.inf) -> None:
    """Post `txs` in batches, closed loop: no more than `window` txs sent and not yet committed
    (`in_flight()`), and a batch the mempool has no room for is posted again a moment later. A
    sustained load then runs at the rate the chain commits, not the rate we signed, and CometBFT
    is not buried under rechecks. A transaction's clock starts when the mempool takes it. No new
    batch is posted from `stop_at` (perf_counter) on: the rest of `txs` is simply not sent."""
    for first in range(0, len(txs), RPC_BATCH):
        while in_flight() >= window and time.perf_counter() < stop_at:
            time.sleep(0.005)
        if time.perf_counter() >= stop_at:
            return
        pending = txs[first:first + RPC_BATCH]
        while pending:
            batch = [{"jsonrpc": "2.0", "id": i, "method": "broadcast_tx_async",
                      "params": {"tx": base64.b64encode(raw).decode()}} for i, raw in enumerate(pending)]
            now = time.perf_counter()
            answers = rpc.post_batch("broadcast_tx_async batch", batch)
            full = []
            for answer in sorted(answers, key=lambda a: a["id"]):
                raw = pending[answer["id"]]
                if "error" not in answer:
                    sent[raw] = now
                elif MEMPOOL_FULL in str(answer["error"].get("data", "")):
                    full.append(raw)
                else:
                    raise RuntimeError(f"broadcast_tx_async refused: {answer['error']}")
            pending = full
            if full:
                time.sleep(MEMPOOL_FULL_BACKOFF_S)


def _app_height(rpc) -> int:
    return int(rpc.call("abci_info")["response"].get("last_block_height") or 0)


def send_and_confirm(rpc, stages: list[list[list[bytes]]], timeout_s: float = 300, window: int = IN_FLIGHT_WINDOW,
                     seconds: float | None = None) -> dict:
    """Send each stage's lanes (in order, one thread each) with broadcast_tx_async; watch the
    blocks; the next stage goes once every tx of this one is committed.

    A transaction's confirmation latency runs from just before its batch is posted to when a
    poller (every 10 ms) first sees the app's last committed height (abci_info) reach the block
    holding it: the app has run FinalizeBlock and Commit, so its receipt is queryable. With
    `seconds`, a sustained run: no new tx is posted `seconds` after the start, and what was sent
    is waited for. tx/s: confirmed txs / (last confirmation - first post), the waits between
    stages included. Raises if a confirmed tx failed (its ExecTxResult code). `heights`: the
    blocks holding the txs.
    """
    watch = _Watch(rpc, {raw for lanes in stages for lane in lanes for raw in lane})
    started = time.perf_counter()
    stop_at = started + seconds if seconds else math.inf
    deadline = started + (seconds or 0) + timeout_s
    for lanes in stages:
        if time.perf_counter() >= stop_at:
            break
        watch.send(lanes, window, stop_at, deadline, timeout_s)
    _check_results(rpc, watch.heights)
    sent, seen = watch.sent, watch.seen
    latencies = sorted(seen[raw] - sent[raw] for raw in seen)
    return {
        "txs": len(seen),
        "tx_per_s": len(seen) / (max(seen.values()) - min(sent.values())),
        "latency_p50_s": latencies[len(latencies) // 2],
        "latency_p99_s": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "heights": sorted(watch.heights),
    }


class _Watch:
    """What was posted when, and when each of `wanted` was first seen committed, over stages."""

    def __init__(self, rpc, wanted: set[bytes]) -> None:
        self.rpc, self.wanted = rpc, wanted
        self.sent: dict[bytes, float] = {}
        self.seen: dict[bytes, float] = {}
        self.heights: set[int] = set()
        self.height = _app_height(rpc)

    def send(self, lanes: list[list[bytes]], window: int, stop_at: float, deadline: float, timeout_s: float) -> None:
        """Post the lanes and poll until every tx posted is seen committed."""
        with ThreadPoolExecutor(len(lanes)) as pool:
            futures = [pool.submit(_broadcast_async, self.rpc, lane, self.sent,
                                   lambda: len(self.sent) - len(self.seen), window, stop_at) for lane in lanes]
            while not all(f.done() for f in futures) or len(self.seen) < len(self.sent):
                if time.perf_counter() > deadline:
                    raise RuntimeError(
                        f"only {len(self.seen)} of {len(self.sent)} txs sent committed after {timeout_s} s")
                for f in futures:
                    if f.done() and f.exception():
                        raise f.exception()
                self._poll()
                time.sleep(0.01)

    def _poll(self) -> None:
        latest = _app_height(self.rpc)
        now = time.perf_counter()
        for h in range(self.height + 1, latest + 1):
            for tx in self.rpc.call("block", height=str(h))["block"]["data"]["txs"] or []:
                raw = base64.b64decode(tx)
                if raw in self.wanted and raw not in self.seen:
                    self.seen[raw] = now
                    self.heights.add(h)
        self.height = latest


def _check_results(rpc, heights: set[int]) -> None:
    """Every tx of these blocks succeeded (checked after the clock: a failed tx is no throughput)."""
    for h in sorted(heights):
        failed = [r for r in rpc.call("block_results", height=str(h))["txs_results"] or [] if r.get("code", 0)]
        if failed:
            raise RuntimeError(f"{len(failed)} benchmark txs failed in block {h}: {failed[0].get('log')}")


def kvstore_txs(count: int, size: int) -> list[bytes]:
    """`count` distinct key=value txs of exactly `size` bytes, for cometbft's kvstore."""
    txs = []
    for i in range(count):
        head = b"bench-%08d=" % i
        txs.append(head + b"v" * max(1, size - len(head)))
    return txs


def measure_kvstore(count: int, size: int, lanes: int = 10) -> dict:
    """cometbft's built-in kvstore in a throwaway home, fed `count` txs of `size` bytes."""
    from ..cli import cometbft
    from ..cli.localnode import end_process, free_port, wait_until

    binary = cometbft.find_cometbft()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "kvstore"
        config = cometbft.NodeConfig(rpc_port=free_port(), p2p_port=free_port(), abci_port=free_port(),
                                     timeout_commit="200ms", empty_blocks_interval="1s")
        cometbft.init_home(binary, home, config)
        with open(Path(tmp) / "kvstore.log", "wb") as log:
            process = subprocess.Popen([str(binary), "node", "--home", str(home), "--proxy_app", "kvstore"],
                                       stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        try:
            from ..rpc.cometbft import CometRPC, RpcError
            rpc = CometRPC(config.rpc_url, timeout_s=5)

            def started() -> bool:
                try:
                    return rpc.height() >= 1
                except RpcError:
                    return False

            wait_until(started, 60, "cometbft kvstore to make a block")
            txs = kvstore_txs(count, size)
            figures = send_and_confirm(rpc, [[txs[i::lanes] for i in range(lanes)]])
            del figures["heights"]
            return figures
        finally:
            end_process(process)
