"""A chain watched from outside: every block as the node commits it, and the app's memory.

The attack run (bench/attack.py) must measure what a user sees whatever the app does inside, so
this reads only CometBFT's RPC and /proc. A block counts as committed when CometBFT answers
`block_results` for it: FinalizeBlock has run and its results are stored, the moment a receipt
becomes readable (Commit follows at once); `seen_s` is when this watcher first saw that answer
(polled every 50 ms). Header times are not used: a block's header carries the time its parent was
voted on, so the interval between two headers shows the execution of an earlier block.
"""

import base64
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from eth_hash.auto import keccak

from ..rpc import CometRPC, RpcError

POLL_INTERVAL_S = 0.05
RSS_INTERVAL_S = 0.5


@dataclass(frozen=True, slots=True)
class Block:
    height: int
    seen_s: float                 # time.monotonic() when block_results first answered
    txs: tuple[tuple[str, int], ...]  # (Ethereum tx hash 0x.., ExecTxResult code)


def tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and all its descendants (a query worker the app may start), in
    MiB; a process that is gone counts 0."""
    total, stack = 0.0, [pid]
    while stack:
        current = stack.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(child) for child in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


class ChainWatcher:
    """A thread following the chain from `from_height` on: `blocks` in order, `committed`
    (tx hash -> (seen_s, height, code)), and `rss` samples (monotonic time, MiB) of `app_pid`'s
    process tree. `start()`, then `stop()` from a `finally`."""

    def __init__(self, rpc_url: str, app_pid: int, from_height: int) -> None:
        self.rpc = CometRPC(rpc_url, timeout_s=10)
        self.app_pid = app_pid
        self.blocks: list[Block] = []
        self.committed: dict[str, tuple[float, int, int]] = {}
        self.rss: list[tuple[float, float]] = []
        self._next = from_height
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="chain-watcher", daemon=True)

    def start(self) -> "ChainWatcher":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(30)

    @property
    def height(self) -> int:
        """The last block seen (0 before the first)."""
        return self.blocks[-1].height if self.blocks else 0

    def _run(self) -> None:
        next_sample = 0.0
        while not self._stop.is_set():
            if time.monotonic() >= next_sample:
                self.rss.append((time.monotonic(), tree_rss_mib(self.app_pid)))
                next_sample = time.monotonic() + RSS_INTERVAL_S
            try:
                results = self.rpc.call("block_results", height=str(self._next))
                seen = time.monotonic()
                block = self.rpc.call("block", height=str(self._next))["block"]
            except RpcError:  # not committed yet (or the node is busy): look again shortly
                self._stop.wait(POLL_INTERVAL_S)
                continue
            self._record(block, results, seen)

    def _record(self, block: dict, results: dict, seen: float) -> None:
        hashes = ["0x" + keccak(base64.b64decode(raw)).hex() for raw in block["data"]["txs"] or []]
        codes = [int(r.get("code") or 0) for r in results.get("txs_results") or []]
        record = Block(self._next, seen, tuple(zip(hashes, codes)))
        for tx_hash, code in record.txs:
            self.committed[tx_hash] = (seen, record.height, code)
        self.blocks.append(record)
        self._next += 1
