"""`miles bench all|app|node|attack|scale`: throughput through the application object, the ABCI socket
and end to end; issue 14's attack run; issue 15's state at a marketplace's size.

`all`: every workload (CMT transfers, ERC-20 transfers, coupon claims, a mix, a marketplace day of
escrowed orders, coupons, disputes, votes, reviews, ads and loyalty points; abci_app/bench/) at
the application-object level and through the ABCI socket (our server in its own process, driven
over the wire as CometBFT drives it), each beside the bare py-evm baseline, optionally `--node`
too (each workload end to end from its own senders through a real cometbft, beside cometbft's
kvstore; `--seconds S` makes it a sustained run; abci_app/bench/node_level.py); the supply
invariant and every module's solvency are checked at the end of every run at every level (a
failure: exit 1);
`--json PATH` writes every figure; `--quick` is the few-seconds variant the tests run.
`app`: CMT transfers only, CheckTx for every transfer, then FinalizeBlock and Commit, on a fresh
RocksDB, in-process.
`node`: a throwaway local node (our app + a real cometbft); transfers go in through CometBFT's
RPC (batched broadcast_tx_sync) and the clock stops when the last one is committed.
Signing happens before the clock starts: it is the wallet's cost, not the chain's.
Each figure is the median of `--runs` runs on this machine.
`attack`: a fresh node; an attacker drives each vector in turn for `--phase-seconds` while an
honest account sends a transfer a second (abci_app/bench/attack.py); a table of what the honest
user saw, the longest gap between blocks, the app's memory and the attacker's cost; exit 1 if the
supply invariant or a module's solvency broke.
`scale --accounts N`: a state of N accounts (and an ERC-20 held by a tenth of them) beside a
baseline of 10,000, each in a process of its own: blocks of 1,000 CMT and ERC-20 transfers,
CheckTx, Commit, pruning, a snapshot and its restore, memory and disk (abci_app/bench/scale.py).
"""

import argparse
import logging
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


from ..bench import attack, node_level, report, scale, workloads
from ..logs import configure_logging
from ..bench.levels import measure_app as measure_workload
from .localnode import LocalNode, wait_until
from .node import DEFAULT_EVM_CHAIN_ID
from .wallet import DEV_ACCOUNT_COUNT, dev_account, sign_tx

RECIPIENT = "0x" + "be" * 20
CLIENT_LANES = 10  # concurrent RPC clients, one per dev account (a lane keeps its nonce order)


def add_parsers(commands: argparse._SubParsersAction) -> None:
    bench = commands.add_parser("bench", help="measure transfers per second").add_subparsers(dest="bench", required=True)
    every = bench.add_parser(
        "all", help="every workload through the application object and the ABCI socket, beside bare py-evm")
    every.add_argument("--workloads", nargs="+", choices=workloads.NAMES, default=list(workloads.NAMES))
    every.add_argument("--block-txs", type=int, default=1000)
    every.add_argument("--blocks", type=int, default=3)
    every.add_argument("--accounts", type=int, default=100, help="senders per workload")
    every.add_argument("--runs", type=int, default=3)
    every.add_argument("--node", action="store_true", help="also every workload end to end through a real cometbft")
    every.add_argument("--node-txs", type=int, default=2000, help="end-to-end txs per workload (without --seconds)")
    every.add_argument("--seconds", type=float, help="end to end: post for this long (sustained run), then wait "
                       "for what was sent; signs the application level's rate x seconds x 1.3 txs + 2,000")
    every.add_argument("--quick", action="store_true", help="tiny blocks, one run: checks that it all works")
    every.add_argument("--json", metavar="PATH", help="write every figure as JSON")
    every.set_defaults(run=run_all_bench)
    app = bench.add_parser("app", help="through the application object (CheckTx + FinalizeBlock + Commit)")
    app.add_argument("--block-txs", type=int, default=1000)
    app.add_argument("--blocks", type=int, default=3)
    app.add_argument("--runs", type=int, default=3)
    app.set_defaults(run=run_app_bench)
    node = bench.add_parser("node", help="end to end through a real cometbft")
    node.add_argument("--txs", type=int, default=2000)
    node.add_argument("--runs", type=int, default=3)
    node.set_defaults(run=run_node_bench)
    attacked = bench.add_parser("attack", help="issue 14's attack run: each vector in turn beside an honest sender")
    attacked.add_argument("--phase-seconds", type=float, default=60, help="how long each vector runs (default 60)")
    attacked.add_argument("--backlog", type=int, default=attack.BACKLOG,
                     help=f"attacker txs kept in the mempool at once (default {attack.BACKLOG})")
    attacked.add_argument("--flood-clients", type=int, default=attack.FLOOD_CLIENTS,
                     help=f"concurrent eth_call clients (default {attack.FLOOD_CLIENTS})")
    attacked.add_argument("--json", metavar="PATH", help="write every figure as JSON")
    attacked.set_defaults(run=run_attack_bench)
    scaled = bench.add_parser("scale", help="issue 15: a state of N accounts beside a 10,000-account baseline")
    scaled.add_argument("--accounts", type=int, default=100_000)
    scaled.add_argument("--baseline", type=int, default=scale.BASELINE_ACCOUNTS)
    scaled.add_argument("--blocks", type=int, default=10, help="timed blocks, CMT and ERC-20 in turn (default 10)")
    scaled.add_argument("--keep-recent", type=int, default=100)
    scaled.add_argument("--json", metavar="PATH", help="write every figure as JSON")
    scaled.add_argument("--profile", metavar="DIR", type=Path,
                        help="cProfile one more CMT block at each size into DIR (baseline.pstats, scaled.pstats)")
    scaled.set_defaults(run=run_scale_bench)


def _transfers(keys: list, first_nonces: list[int], count: int) -> list[bytes]:
    """`count` signed transfers, round robin over the keys, consecutive nonces per key."""
    txs = []
    for i in range(count):
        sender = i % len(keys)
        nonce = first_nonces[sender] + i // len(keys)
        txs.append(sign_tx(keys[sender], nonce, RECIPIENT, 1, chain_id=DEFAULT_EVM_CHAIN_ID))
    return txs


def measure_app(block_txs: int, blocks: int) -> float:
    """CMT transfers per second for `blocks` blocks of `block_txs` transfers from 100 accounts."""
    return measure_workload(workloads.cmt(block_txs * blocks, 100), block_txs)["tx_per_s"]


def measure_node(node: LocalNode, count: int) -> float:
    keys = [dev_account(i) for i in range(DEV_ACCOUNT_COUNT)]
    nonces = [node.rpc.query_json(f"/account/{k.address}")["nonce"] for k in keys]
    txs = _transfers(keys, nonces, count)
    last_nonces = [n + len(range(i, count, len(keys))) for i, n in enumerate(nonces)]
    lanes = [txs[lane::CLIENT_LANES] for lane in range(CLIENT_LANES)]  # each lane: whole senders, in nonce order
    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENT_LANES) as pool:
        list(pool.map(lambda lane: node_level.broadcast_sync(node.rpc, lane), lanes))

    def committed() -> bool:
        return node.rpc.query_json(f"/account/{keys[-1].address}")["nonce"] == last_nonces[-1] and all(
            node.rpc.query_json(f"/account/{k.address}")["nonce"] == n for k, n in zip(keys, last_nonces)
        )

    wait_until(committed, 300, "the benchmark transfers to be committed", interval_s=0.05)
    return count / (time.perf_counter() - started)


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


def run_all_bench(args: argparse.Namespace) -> int:
    configure_logging(args.log_format, level=logging.WARNING)  # a log line per block would bury the table
    try:
        return _run_all(args)
    finally:
        configure_logging(args.log_format)


def _run_all(args: argparse.Namespace) -> int:
    if args.quick:
        args.block_txs, args.blocks, args.accounts, args.runs, args.node_txs = 30, 2, 10, 1, 60
        args.seconds = None
    doc = report.run_all(args.workloads, args.block_txs, args.blocks, args.accounts, args.runs)
    if args.node:
        doc["settings"].update(node_txs=args.node_txs, seconds=args.seconds)
        doc["node"] = node_level.run_all(doc, args.workloads, args.accounts, args.runs, args.node_txs, args.seconds)
    for check in report.CHECKS:
        doc[check] = report.holds(doc, check)
    report.print_report(doc)
    if args.json:
        report.write_json(doc, args.json)
    return 0 if all(doc[check] for check in report.CHECKS) else 1


def run_attack_bench(args: argparse.Namespace) -> int:
    configure_logging(args.log_format, level=logging.WARNING)
    try:
        doc = attack.measure(args.phase_seconds, args.backlog, args.flood_clients)
    finally:
        configure_logging(args.log_format)
    print(attack.table(doc))
    print(f"supply invariant {'holds' if doc['supply_ok'] else 'BROKEN'}; "
          f"{'every module solvent' if doc['solvent'] else 'a module is INSOLVENT'}")
    if args.json:
        report.write_json(doc, args.json)
    return 0 if doc["supply_ok"] and doc["solvent"] else 1


def run_scale_bench(args: argparse.Namespace) -> int:
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    results = scale.run(args.accounts, args.blocks, args.keep_recent, baseline=args.baseline, profiles=args.profile)
    print(scale.table(results))
    if args.json:
        report.write_json(results, args.json)
    return 0
