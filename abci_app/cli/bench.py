"""`miles bench app|node`: transfers per second through the application object and end to end.

`app`: CheckTx for every transfer, then FinalizeBlock and Commit, on a fresh RocksDB, in-process.
`node`: a throwaway local node (our app + a real cometbft); transfers go in through CometBFT's
RPC (batched broadcast_tx_sync) and the clock stops when the last one is committed.
Signing happens before the clock starts: it is the wallet's cost, not the chain's.
Each figure is the median of `--runs` runs on this machine.
"""

import argparse
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from eth_account import Account
from eth_hash.auto import keccak

from ..app.driver import InProcessChain
from ..app.genesis import WEI_PER_CMT
from .localnode import LocalNode, wait_until
from .node import DEFAULT_EVM_CHAIN_ID
from .wallet import DEV_ACCOUNT_COUNT, dev_account, sign_tx

RECIPIENT = "0x" + "be" * 20
RPC_BATCH = 10  # CometBFT's default max_request_batch_size
CLIENT_LANES = 10  # concurrent RPC clients, one per dev account (a lane keeps its nonce order)


def add_parsers(commands: argparse._SubParsersAction) -> None:
    bench = commands.add_parser("bench", help="measure transfers per second").add_subparsers(dest="bench", required=True)
    app = bench.add_parser("app", help="through the application object (CheckTx + FinalizeBlock + Commit)")
    app.add_argument("--block-txs", type=int, default=1000)
    app.add_argument("--blocks", type=int, default=3)
    app.add_argument("--runs", type=int, default=3)
    app.set_defaults(run=run_app_bench)
    node = bench.add_parser("node", help="end to end through a real cometbft")
    node.add_argument("--txs", type=int, default=2000)
    node.add_argument("--runs", type=int, default=3)
    node.set_defaults(run=run_node_bench)


def _transfers(keys: list, first_nonces: list[int], count: int) -> list[bytes]:
    """`count` signed transfers, round robin over the keys, consecutive nonces per key."""
    txs = []
    for i in range(count):
        sender = i % len(keys)
        nonce = first_nonces[sender] + i // len(keys)
        txs.append(sign_tx(keys[sender], nonce, RECIPIENT, 1, chain_id=DEFAULT_EVM_CHAIN_ID))
    return txs


def measure_app(block_txs: int, blocks: int) -> float:
    """Transfers per second for `blocks` blocks of `block_txs` transfers from 100 accounts."""
    keys = [Account.from_key(keccak(b"bench-%d" % i)) for i in range(100)]
    state = {
        "chain_id": DEFAULT_EVM_CHAIN_ID,
        "accounts": [{"address": k.address, "balance_wei": str(1000 * WEI_PER_CMT)} for k in keys],
    }
    txs = _transfers(keys, [0] * len(keys), block_txs * blocks)
    with tempfile.TemporaryDirectory() as tmp:
        chain = InProcessChain.start(str(Path(tmp) / "db"), state)
        try:
            started = time.perf_counter()
            for b in range(blocks):
                block = txs[b * block_txs:(b + 1) * block_txs]
                for raw in block:
                    if chain.check(raw).code != 0:
                        raise RuntimeError("a benchmark transfer was refused by CheckTx")
                if any(result.code != 0 for result in chain.block(block)):
                    raise RuntimeError("a benchmark transfer failed in FinalizeBlock")
            elapsed = time.perf_counter() - started
        finally:
            chain.app.close()
    return block_txs * blocks / elapsed


def measure_node(node: LocalNode, count: int) -> float:
    keys = [dev_account(i) for i in range(DEV_ACCOUNT_COUNT)]
    nonces = [node.rpc.query_json(f"/account/{k.address}")["nonce"] for k in keys]
    txs = _transfers(keys, nonces, count)
    last_nonces = [n + len(range(i, count, len(keys))) for i, n in enumerate(nonces)]
    lanes = [txs[lane::CLIENT_LANES] for lane in range(CLIENT_LANES)]  # each lane: whole senders, in nonce order
    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENT_LANES) as pool:
        list(pool.map(lambda lane: _broadcast(node, lane), lanes))

    def committed() -> bool:
        return node.rpc.query_json(f"/account/{keys[-1].address}")["nonce"] == last_nonces[-1] and all(
            node.rpc.query_json(f"/account/{k.address}")["nonce"] == n for k, n in zip(keys, last_nonces)
        )

    wait_until(committed, 300, "the benchmark transfers to be committed", interval_s=0.05)
    return count / (time.perf_counter() - started)


def _broadcast(node: LocalNode, txs: list[bytes]) -> None:
    for first in range(0, len(txs), RPC_BATCH):
        for answer in node.rpc.broadcast_batch(txs[first:first + RPC_BATCH]):
            if answer["code"] != 0:
                raise RuntimeError(f"a benchmark transfer was refused: {answer.get('log')}")


def _report(name: str, figures: list[float]) -> None:
    runs = ", ".join(f"{f:.0f}" for f in figures)
    print(f"{name}: median {statistics.median(figures):.0f} transfers/s (runs: {runs})")


def run_app_bench(args: argparse.Namespace) -> int:
    _report(f"application object, blocks of {args.block_txs}",
            [measure_app(args.block_txs, args.blocks) for _ in range(args.runs)])
    return 0


def run_node_bench(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        node = LocalNode.create(Path(tmp) / "node").start()
        try:
            _report(f"end to end through cometbft, {args.txs} transfers",
                    [measure_node(node, args.txs) for _ in range(args.runs)])
        finally:
            node.stop()
    return 0
