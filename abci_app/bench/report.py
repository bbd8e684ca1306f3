"""Running every workload at every level with its baseline, and printing / writing the figures."""

import json
import platform
import time
from pathlib import Path

from .baselines import measure_bare_evm
from .levels import measure_app
from .socket_level import measure_socket
from .workloads import NAMES, build


CHECKS = ("supply_ok", "solvent")  # what every level checks at the end of every run (supply.py)


def median_run(runs: list[dict]) -> dict:
    """The run with the median tx/s (an actual run, so its figures belong together), plus all tx/s."""
    ordered = sorted(runs, key=lambda r: r["tx_per_s"])
    chosen = dict(ordered[(len(ordered) - 1) // 2])
    chosen["runs_tx_per_s"] = [r["tx_per_s"] for r in runs]
    for check in CHECKS:  # every run's end state must hold, not just the median one's
        if check in chosen:
            chosen[check] = all(r[check] for r in runs)
    if "supply_invariant" in chosen:
        chosen["supply_invariant"] = chosen["supply_ok"]
    return chosen


def run_all(workloads: list[str], block_txs: int, blocks: int, accounts: int, runs: int) -> dict:
    results = {}
    for name in workloads:
        workload = build(name, block_txs * blocks, accounts)  # signed before any clock starts
        app = median_run([measure_app(workload, block_txs) for _ in range(runs)])
        sock = median_run([measure_socket(workload, block_txs) for _ in range(runs)])
        bare = median_run([measure_bare_evm(workload, block_txs) for _ in range(runs)])
        results[name] = {
            "app": app,
            "socket": sock,
            "bare_evm": bare,
            "ratio_app_over_bare_evm": app["tx_per_s"] / bare["tx_per_s"],
            "ratio_block_exec_over_bare_evm": app["exec_tx_per_s"] / bare["tx_per_s"],
            "ratio_socket_over_app": sock["tx_per_s"] / app["tx_per_s"],
            "ratio_socket_block_exec_over_app": sock["exec_tx_per_s"] / app["exec_tx_per_s"],
        }
    return {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"python": platform.python_version(), "cpu": platform.processor() or platform.machine()},
        "settings": {"block_txs": block_txs, "blocks": blocks, "accounts": accounts, "runs": runs},
        "workloads": results,
    }


def holds(doc: dict, check: str) -> bool:
    """Every level's `check` (one of CHECKS), at the end of every run (stored as doc[check])."""
    levels = [r[level] for r in doc["workloads"].values() for level in ("app", "socket")]
    levels += list(doc.get("node", {}).values())
    return all(level[check] for level in levels)


def _row(cells) -> None:
    print("  ".join(f"{c:>14}" for c in cells))


def print_report(doc: dict) -> None:
    s = doc["settings"]
    print(f"application object (CheckTx + FinalizeBlock + Commit), blocks of {s['block_txs']} txs, "
          f"{s['blocks']} blocks, {s['accounts']} senders, median of {s['runs']} runs")
    _row(("workload", "tx/s", "exec tx/s", "ms/1000 tx", "peak RSS MiB", "DB B/tx", "bare py-evm tx/s",
          "ours/bare", "exec/bare", "supply ok", "solvent"))
    for name, r in doc["workloads"].items():
        a = r["app"]
        _row((name, f"{a['tx_per_s']:.0f}", f"{a['exec_tx_per_s']:.0f}", f"{a['block_ms_per_1000_txs']:.0f}",
              f"{a['peak_rss_mib']:.0f}", f"{a['db_bytes_per_tx']:.0f}", f"{r['bare_evm']['tx_per_s']:.0f}",
              f"{r['ratio_app_over_bare_evm']:.2f}", f"{r['ratio_block_exec_over_bare_evm']:.2f}",
              str(a["supply_ok"]), str(a["solvent"])))
    print("ABCI socket (the server in its own process; CheckTx pipelined on a mempool connection, "
          "FinalizeBlock + Commit on a consensus connection), same blocks:")
    _row(("workload", "tx/s", "exec tx/s", "ms/1000 tx", "app RSS MiB", "DB B/tx", "socket/app",
          "exec/app", "supply ok", "solvent"))
    for name, r in doc["workloads"].items():
        k = r["socket"]
        _row((name, f"{k['tx_per_s']:.0f}", f"{k['exec_tx_per_s']:.0f}", f"{k['block_ms_per_1000_txs']:.0f}",
              f"{k['peak_rss_mib']:.0f}", f"{k['db_bytes_per_tx']:.0f}", f"{r['ratio_socket_over_app']:.2f}",
              f"{r['ratio_socket_block_exec_over_app']:.2f}", str(k["supply_ok"]), str(k["solvent"])))
    if "node" in doc:
        _print_node(doc["node"], s)
    print(f"supply invariant at the end of every run, every level: {'holds' if doc['supply_ok'] else 'BROKEN'}")
    print(f"solvency (each module's balance covers what it owes) at the end of every run, every level: "
          f"{'holds' if doc['solvent'] else 'BROKEN'}")


def _print_node(node: dict, s: dict) -> None:
    how = f"sustained {s['seconds']:g} s" if s.get("seconds") else f"{s['node_txs']} txs"
    print(f"end to end, single-validator cometbft, broadcast_tx_async from each workload's senders (batches of 10, "
          f"10 lanes), {how}, until committed; ms/1000 tx: FinalizeBlock (app log); kvstore fed as many txs of "
          "the same size:")
    _row(("workload", "txs", "tx/s", "p50 s", "p99 s", "ms/1000 tx", "app RSS MiB", "cmt RSS MiB", "DB B/tx",
          "kvstore tx/s", "ours/kvstore", "supply ok", "solvent"))
    for name, n in node.items():
        _row((name, n["txs"], f"{n['tx_per_s']:.0f}", f"{n['latency_p50_s']:.2f}", f"{n['latency_p99_s']:.2f}",
              f"{n['block_ms_per_1000_txs']:.0f}", f"{n['app_peak_rss_mib']:.0f}", f"{n['cometbft_peak_rss_mib']:.0f}",
              f"{n['db_bytes_per_tx']:.0f}", f"{n['kvstore']['tx_per_s']:.0f}", f"{n['ratio_over_kvstore']:.2f}",
              str(n["supply_ok"]), str(n["solvent"])))
        if s.get("seconds") and n["txs"] == n["presigned"]:
            print(f"  {name}: every pre-signed tx was sent before {s['seconds']:g} s: the run was shorter")


def write_json(doc: dict, path: str) -> None:
    Path(path).write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n", encoding="utf-8")


__all__ = ["CHECKS", "NAMES", "holds", "run_all", "print_report", "write_json"]
