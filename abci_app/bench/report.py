"""Running every workload at every level with its baseline, and printing / writing the figures."""

import json
import platform
import time
from pathlib import Path

from .baselines import measure_bare_evm
from .levels import measure_app
from .workloads import NAMES, build


def median_run(runs: list[dict]) -> dict:
    """The run with the median tx/s (an actual run, so its figures belong together), plus all tx/s."""
    ordered = sorted(runs, key=lambda r: r["tx_per_s"])
    chosen = dict(ordered[(len(ordered) - 1) // 2])
    chosen["runs_tx_per_s"] = [r["tx_per_s"] for r in runs]
    return chosen


def run_all(workloads: list[str], block_txs: int, blocks: int, accounts: int, runs: int) -> dict:
    results = {}
    for name in workloads:
        workload = build(name, block_txs * blocks, accounts)  # signed before any clock starts
        app = median_run([measure_app(workload, block_txs) for _ in range(runs)])
        bare = median_run([measure_bare_evm(workload, block_txs) for _ in range(runs)])
        results[name] = {
            "app": app,
            "bare_evm": bare,
            "ratio_app_over_bare_evm": app["tx_per_s"] / bare["tx_per_s"],
            "ratio_block_exec_over_bare_evm": app["exec_tx_per_s"] / bare["tx_per_s"],
        }
    return {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"python": platform.python_version(), "cpu": platform.processor() or platform.machine()},
        "settings": {"block_txs": block_txs, "blocks": blocks, "accounts": accounts, "runs": runs},
        "workloads": results,
    }


def print_report(doc: dict) -> None:
    s = doc["settings"]
    print(f"application object (CheckTx + FinalizeBlock + Commit), blocks of {s['block_txs']} txs, "
          f"{s['blocks']} blocks, {s['accounts']} senders, median of {s['runs']} runs")
    header = ("workload", "tx/s", "exec tx/s", "ms/1000 tx", "peak RSS MiB", "DB B/tx", "bare py-evm tx/s",
              "ours/bare", "exec/bare", "supply ok")
    print("  ".join(f"{h:>14}" for h in header))
    for name, r in doc["workloads"].items():
        a = r["app"]
        row = (name, f"{a['tx_per_s']:.0f}", f"{a['exec_tx_per_s']:.0f}", f"{a['block_ms_per_1000_txs']:.0f}",
               f"{a['peak_rss_mib']:.0f}", f"{a['db_bytes_per_tx']:.0f}", f"{r['bare_evm']['tx_per_s']:.0f}",
               f"{r['ratio_app_over_bare_evm']:.2f}", f"{r['ratio_block_exec_over_bare_evm']:.2f}",
               str(a["supply_invariant"]))
        print("  ".join(f"{c:>14}" for c in row))
    if "node" in doc:
        n = doc["node"]
        print("end to end, single-validator cometbft, broadcast_tx_async (batches of 10, 10 lanes), until committed:")
        for name, r in (("CMT transfers, our app", n["cmt"]), ("cometbft kvstore, same count and size", n["kvstore"])):
            print(f"  {name}: {r['txs']} txs, {r['tx_per_s']:.0f} tx/s, confirmation p50 {r['latency_p50_s']:.2f} s,"
                  f" p99 {r['latency_p99_s']:.2f} s (runs: {', '.join(f'{x:.0f}' for x in r['runs_tx_per_s'])})")
        print(f"  ours / kvstore: {n['ratio_over_kvstore']:.2f}")


def write_json(doc: dict, path: str) -> None:
    Path(path).write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n", encoding="utf-8")


__all__ = ["NAMES", "run_all", "print_report", "write_json"]
