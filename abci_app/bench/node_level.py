"""The end-to-end level: every workload through a real single-validator cometbft (LocalNode).

Each run gets a fresh node whose genesis also funds the workload's accounts and keeps the chain's
block gas limit (`LocalNode.create(..., genesis_extra=workload.genesis(engine=False))`). The setup blocks go through
the node untimed, each committed and successful before the next; then the timed txs, from all the
workload's senders, with broadcast_tx_async over LANES client lanes (`send_and_confirm`), stage by
stage (the marketplace's: each committed before the next is sent; one that must be included in
order goes as one lane). Block
execution time comes from the app's `block_finalized` log lines (FinalizeBlock only, as the app
measures it), database growth from the app's DB folder before and after the timed txs.
"""

import json
import math
import statistics
import tempfile
import time
from pathlib import Path

from eth_hash.auto import keccak

from ..cli.localnode import LocalNode
from ..cli.send import wait_for_receipt
from ..rpc import CometRPC
from .levels import IN_FLIGHT_WINDOW, RPC_BATCH, folder_bytes, measure_kvstore, send_and_confirm
from .report import median_run
from .socket_level import peak_rss_mib_of
from .supply import db_supply
from .workloads import Workload, build

LANES = 10  # concurrent RPC clients; a lane carries whole senders, in nonce order
SETUP_TIMEOUT_S = 120
PRESIGN_MARGIN = 1.3
CAMPAIGN_LEAD_S = 3600  # coupon campaigns start an hour before the workload is signed
# A saturated app answers abci_info (and CheckTx) only between blocks, and 2,000 in-flight claims
# make a block of seconds: the generator's RPC client waits longer than LocalNode's 5 s.
LOAD_RPC_TIMEOUT_S = 60


def broadcast_sync(rpc, txs: list[bytes]) -> None:
    """broadcast_tx_sync in JSON-RPC batches; raises if CheckTx refuses any."""
    for first in range(0, len(txs), RPC_BATCH):
        for answer in rpc.broadcast_batch(txs[first:first + RPC_BATCH]):
            if answer["code"] != 0:
                raise RuntimeError(f"a benchmark tx was refused: {answer.get('log')}")


def run_setup(rpc, blocks: list[list[bytes]]) -> None:
    """Each setup block's txs committed and successful before the next (a deployment before the
    token transfers that call it), all before any clock starts."""
    for block in blocks:
        broadcast_sync(rpc, block)
        for raw in block:
            receipt = wait_for_receipt(rpc, "0x" + keccak(raw).hex(), SETUP_TIMEOUT_S)
            if receipt["status"] != 1:
                raise RuntimeError(f"a benchmark setup tx failed: {receipt.get('error')}")


def block_exec_ms(app_log: str, heights: list[int]) -> float:
    """FinalizeBlock milliseconds summed over `heights`, from the app's JSON `block_finalized` lines."""
    durations = {}
    for line in app_log.splitlines():
        if '"block_finalized"' in line:
            entry = json.loads(line)
            durations[entry["height"]] = entry["duration_ms"]
    missing = [h for h in heights if h not in durations]
    if missing:
        raise RuntimeError(f"no block_finalized log line for heights {missing[:5]}")
    return sum(durations[h] for h in heights)


def measure_end_to_end(workload: Workload, seconds: float | None = None) -> dict:
    """Every figure of one run of `workload` on a fresh node (`seconds`: a sustained run)."""
    with tempfile.TemporaryDirectory() as tmp:
        node = LocalNode.create(Path(tmp) / "node", genesis_extra=workload.genesis(engine=False))
        db = node.home.load().app_db(node.home.path)
        try:
            node.start()
            rpc = CometRPC(node.config.rpc_url, timeout_s=LOAD_RPC_TIMEOUT_S)
            run_setup(rpc, workload.setup)
            size_before = folder_bytes(db)
            figures = send_and_confirm(rpc, workload.lanes(LANES), seconds=seconds)
            growth = folder_bytes(db) - size_before
            rss = {"app_peak_rss_mib": peak_rss_mib_of(node.app.pid),
                   "cometbft_peak_rss_mib": peak_rss_mib_of(node.node.pid)}
        finally:
            node.stop()
        block_ms = block_exec_ms(node.log_text("app"), figures.pop("heights"))
        supply = db_supply(db)  # /supply, every balance and /solvency, on the stopped app's committed state
    return {
        **figures,
        "presigned": len(workload.timed),
        "tx_bytes": statistics.median(len(raw) for raw in workload.timed),
        "block_ms_per_1000_txs": block_ms / figures["txs"] * 1000,
        "db_bytes_per_tx": growth / figures["txs"],
        **rss,
        **supply,
    }


def presign_count(node_txs: int, seconds: float | None, app_tx_per_s: float) -> int:
    """How many txs to sign: `node_txs`; for a sustained run the application level's rate in the
    same command x seconds x 1.3 (end to end does that level's work and more, so it is slower;
    the margin covers noise), plus the generator's in-flight window, which it posts ahead of
    what is committed. A run that sends them all reports txs == presigned."""
    if seconds is None:
        return node_txs
    return math.ceil(app_tx_per_s * seconds * PRESIGN_MARGIN) + IN_FLIGHT_WINDOW


def run_all(doc: dict, names: list[str], accounts: int, runs: int, node_txs: int,
            seconds: float | None = None) -> dict:
    """doc["node"]: per workload our figures (median run), the kvstore baseline fed as many txs
    of the workload's median size as our node confirmed, and the ratio."""
    results = {}
    for name in names:
        count = presign_count(node_txs, seconds, doc["workloads"][name]["app"]["tx_per_s"])
        workload = build(name, count, accounts, start_s=int(time.time()) - CAMPAIGN_LEAD_S)
        ours = median_run([measure_end_to_end(workload, seconds) for _ in range(runs)])
        kvstore = median_run([measure_kvstore(ours["txs"], int(ours["tx_bytes"])) for _ in range(runs)])
        results[name] = {**ours, "kvstore": kvstore, "ratio_over_kvstore": ours["tx_per_s"] / kvstore["tx_per_s"]}
    return results
