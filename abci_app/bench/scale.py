"""`miles bench scale --accounts N`: the chain at a marketplace's size (issue 15).

Each size runs in a process of its own (so its memory is its own): a genesis of N funded accounts
(an accounts file, genesis_accounts.py), an ERC-20 token held by a tenth of them (handed out by
an Airdrop contract, untimed), then blocks of 1,000 CMT transfers and blocks of 1,000 ERC-20
transfers from 1,000 senders to random accounts, through the application object. It measures
what grows with the state: InitChain, block execution, CheckTx, Commit, pruning (part of each
block's write), a state-sync snapshot and a second app restoring the state from it, memory and
disk. A baseline of BASELINE_ACCOUNTS runs first, in the same invocation; every figure is also
given as a ratio to it. Every transaction is signed before any clock starts. With a profile
path, one more CMT block runs after the timed ones under cProfile (not in any figure): where a
block's time goes at that size.
"""

import argparse
import cProfile
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from eth._utils.address import generate_contract_address
from eth_abi import encode
from eth_account import Account
from eth_hash.auto import keccak
from google.protobuf.timestamp_pb2 import Timestamp

from ..abci import types
from ..app import AppSettings, Application
from ..app.driver import GENESIS_TIME_S, InProcessChain
from ..app.genesis import WEI_PER_CMT
from ..app.genesis_accounts import write_accounts_file
from ..contracts import load_contract
from .levels import folder_bytes, peak_rss_mib
from .workloads import BLOCK_GAS_LIMIT, ERC20_GAS, call
from .workloads import sign_bench_tx as sign

BASELINE_ACCOUNTS = 10_000
SENDERS = 1_000            # each sends one tx per timed block
BLOCK_TXS = SENDERS
TOKEN_SHARE = 10           # a tenth of the accounts hold the token
DROP_BATCH = 400           # holders per Airdrop.drop
DROPS_PER_BLOCK = 40
SNAPSHOT_WAIT_S = 3600

FIGURES = (  # (key, label, unit); lower is better for every one
    ("init_chain_s", "InitChain", "s"),
    ("setup_s", "token setup (untimed part)", "s"),
    ("cmt_block_p50_ms", "block of 1,000 CMT transfers, p50", "ms"),
    ("cmt_block_p99_ms", "block of 1,000 CMT transfers, p99", "ms"),
    ("erc20_block_p50_ms", "block of 1,000 ERC-20 transfers, p50", "ms"),
    ("erc20_block_p99_ms", "block of 1,000 ERC-20 transfers, p99", "ms"),
    ("check_tx_us", "CheckTx, median", "µs"),
    ("commit_p50_ms", "Commit p50", "ms"),
    ("commit_p99_ms", "Commit p99", "ms"),
    ("prune_p50_ms", "pruning a block (in FinalizeBlock), p50", "ms"),
    ("prune_p99_ms", "pruning a block (in FinalizeBlock), p99", "ms"),
    ("snapshot_s", "snapshot, taken off the consensus path", "s"),
    ("snapshot_bytes", "snapshot size", "B"),
    ("restore_s", "a second app restores the snapshot", "s"),
    ("rss_mib", "app RSS after the blocks", "MiB"),
    ("rocksdb_mib", "of which RocksDB (memtables, cache, indexes)", "MiB"),
    ("peak_rss_mib", "peak RSS (incl. setup and restore)", "MiB"),
    ("disk_bytes_per_account", "disk per account (state, history)", "B"),
)


def _address(index: int) -> bytes:
    return keccak(b"scale-account-%d" % index)[:20]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class _Timed:
    """Wraps an app method, keeping the seconds of each call."""

    def __init__(self, method) -> None:
        self.method, self.seconds = method, []

    def __call__(self, *args):
        started = time.perf_counter()
        try:
            return self.method(*args)
        finally:
            self.seconds.append(time.perf_counter() - started)


def measure(accounts: int, blocks: int, keep_recent: int, workdir: Path, profile: Path | None = None) -> dict:
    """Every figure at one size (run it in a process of its own: peak RSS is the process's);
    `profile`: where to write the pstats of one more CMT block."""
    rng = random.Random(accounts)
    senders = [Account.from_key(keccak(b"scale-sender-%d" % i)) for i in range(SENDERS)]
    deployer = Account.from_key(keccak(b"scale-deployer"))
    accounts_path = workdir / "accounts.bin"
    described = write_accounts_file(accounts_path, ((_address(i), 100 * WEI_PER_CMT) for i in range(accounts)))
    holders = [_address(i) for i in range(accounts // TOKEN_SHARE)]
    token, airdrop = (load_contract(name) for name in ("Token", "Airdrop"))
    token_address = "0x" + generate_contract_address(bytes.fromhex(deployer.address[2:]), 0).hex()
    airdrop_address = "0x" + generate_contract_address(bytes.fromhex(deployer.address[2:]), 1).hex()
    supply = 10**30
    setup = [sign(deployer, 0, "", data=token.bytecode + encode(["string", "string", "uint256"], ["Scale", "SCL", supply]),
                  gas=3_000_000),
             sign(deployer, 1, "", data=airdrop.bytecode, gas=1_000_000),
             sign(deployer, 2, token_address, data=call("transfer(address,uint256)", airdrop_address, supply), gas=100_000)]
    drop_to = [bytes.fromhex(k.address[2:]) for k in senders] + holders
    for start in range(0, len(drop_to), DROP_BATCH):
        batch = ["0x" + a.hex() for a in drop_to[start:start + DROP_BATCH]]
        setup.append(sign(deployer, len(setup), airdrop_address, data=call(
            "drop(address,address[],uint256)", token_address, batch, 10**18), gas=60_000 * len(batch) + 100_000))
    timed = []
    for block in range(blocks + (profile is not None)):
        erc20 = block % 2 == 1 and block < blocks
        timed.append(("erc20" if erc20 else "cmt", [
            sign(key, block, token_address, data=call("transfer(address,uint256)", "0x" + rng.choice(holders).hex(), 1),
                 gas=ERC20_GAS) if erc20 else
            sign(key, block, "0x" + _address(rng.randrange(accounts)).hex(), 1)
            for key in senders]))
    genesis = {"chain_id": 1818, "params": {"block_gas_limit": BLOCK_GAS_LIMIT},
               "accounts": [{"address": k.address, "balance_wei": str(10**6 * WEI_PER_CMT)} for k in [deployer, *senders]],
               "accounts_file": described.to_json()}

    db = workdir / "db"
    app = Application(str(db), settings=AppSettings(keep_recent=keep_recent, snapshot_interval=0,
                                                    genesis_accounts_file=str(accounts_path)))
    started = time.perf_counter()
    response = app.init_chain(types.RequestInitChain(
        chain_id="miles-scale", app_state_bytes=json.dumps(genesis).encode(), initial_height=1,
        time=Timestamp(seconds=GENESIS_TIME_S)))
    init_s = time.perf_counter() - started
    chain = InProcessChain(app, check_solvency=False)
    chain.app_hashes.append(response.app_hash)
    started = time.perf_counter()
    for first in range(0, len(setup), DROPS_PER_BLOCK):
        results = chain.block(setup[first:first + DROPS_PER_BLOCK])
        failed = [r.log for r in results if r.code != 0]
        if failed:
            raise RuntimeError(f"a setup tx failed: {failed[0]}")
    setup_s = time.perf_counter() - started

    finalize, commit = _Timed(app.finalize_block), _Timed(app.commit)
    app.finalize_block, app.commit = finalize, commit
    check_us, prune_ms, kinds = [], [], []
    for kind, txs in timed[:blocks]:
        for raw in txs:
            started = time.perf_counter()
            if chain.check(raw).code != 0:
                raise RuntimeError("a timed tx was refused by CheckTx")
            check_us.append((time.perf_counter() - started) * 1e6)
        results = chain.block(txs)
        if any(r.code != 0 for r in results):
            raise RuntimeError(f"a timed {kind} tx failed: {next(r.log for r in results if r.code != 0)}")
        kinds.append(kind)
        prune_ms.append(app.prune_seconds * 1000)
    rss, rocksdb_mib = _rss_mib(), app.store.memory_bytes() / 2**20
    block_ms = {kind: [s * 1000 for k, s in zip(kinds, finalize.seconds) if k == kind] for kind in ("cmt", "erc20")}
    commit_s = list(commit.seconds)
    if profile is not None:
        for raw in timed[blocks][1]:  # through CheckTx first, as the timed blocks went
            chain.check(raw)
        profiler = cProfile.Profile()
        profiler.runcall(chain.block, timed[blocks][1])
        profiler.dump_stats(profile)

    disk = folder_bytes(db)  # state and history; snapshots are counted apart (snapshot_bytes)
    started = time.perf_counter()
    snapshot = _take_snapshot(app)
    snapshot_s = time.perf_counter() - started
    sizes: list[int] = []

    def chunk(index: int) -> bytes:
        data = app.load_snapshot_chunk(types.RequestLoadSnapshotChunk(height=snapshot.height, format=snapshot.format,
                                                                      chunk=index)).chunk
        sizes.append(len(data))
        return data

    started = time.perf_counter()
    restored_hash = _restore(workdir / "restored", snapshot, app.app_hash, chunk)
    restore_s = time.perf_counter() - started
    if restored_hash != app.app_hash:
        raise RuntimeError("the restored app does not have the snapshot's app hash")
    app.close()
    return {
        "accounts": accounts, "blocks": blocks, "keep_recent": keep_recent,
        "init_chain_s": init_s, "setup_s": setup_s,
        **{f"{kind}_block_{name}_ms": _percentile(values, share) for kind, values in block_ms.items()
           for name, share in (("p50", 0.5), ("p99", 0.99))},
        "check_tx_us": statistics.median(check_us),
        "commit_p50_ms": _percentile(commit_s, 0.5) * 1000, "commit_p99_ms": _percentile(commit_s, 0.99) * 1000,
        "prune_p50_ms": _percentile(prune_ms, 0.5), "prune_p99_ms": _percentile(prune_ms, 0.99),
        "snapshot_s": snapshot_s, "snapshot_bytes": sum(sizes), "snapshot_chunks": snapshot.chunks,
        "restore_s": restore_s, "rss_mib": rss, "rocksdb_mib": rocksdb_mib, "peak_rss_mib": peak_rss_mib(),
        "disk_bytes_per_account": disk / accounts,
    }


def _take_snapshot(app: Application) -> types.Snapshot:
    """The app's snapshot of its committed height, built in the snapshotter's thread as a node
    builds one every snapshot_interval."""
    app.snapshotter.start(app.height, app.state_root, app.settings.snapshot_keep)
    if not app.snapshotter.wait(SNAPSHOT_WAIT_S):
        raise RuntimeError("the snapshot was not done in time")
    listed = [s for s in app.list_snapshots(types.RequestListSnapshots()).snapshots if s.height == app.height]
    if not listed:
        raise RuntimeError("no snapshot appeared")
    return listed[0]


def _restore(db: Path, snapshot: types.Snapshot, app_hash: bytes, chunk) -> bytes:
    """A second app restores the snapshot, its chunks read one at a time (`chunk(index)`), as
    CometBFT hands them over; its app hash."""
    app = Application(str(db), settings=AppSettings(snapshot_interval=0))
    try:
        offered = app.offer_snapshot(types.RequestOfferSnapshot(snapshot=snapshot, app_hash=app_hash))
        if offered.result != types.ResponseOfferSnapshot.ACCEPT:
            raise RuntimeError(f"the snapshot was not accepted: {offered.result}")
        for index in range(snapshot.chunks):
            applied = app.apply_snapshot_chunk(types.RequestApplySnapshotChunk(index=index, chunk=chunk(index),
                                                                               sender="bench"))
            if applied.result != types.ResponseApplySnapshotChunk.ACCEPT:
                raise RuntimeError(f"chunk {index} was not accepted: {applied.result}")
        return app.app_hash
    finally:
        app.close()


def run(accounts: int, blocks: int, keep_recent: int, baseline: int = BASELINE_ACCOUNTS,
        profiles: Path | None = None) -> dict:
    """The baseline and the size, each in a process of its own; figures and ratios. `profiles`:
    a folder for each size's profiled block (`baseline.pstats`, `scaled.pstats`)."""
    sizes = {"baseline": baseline, "scaled": accounts}
    results = {name: _child(size, blocks, keep_recent, profiles / f"{name}.pstats" if profiles else None)
               for name, size in sizes.items()}
    base, scaled = results["baseline"], results["scaled"]
    results["ratio"] = {key: scaled[key] / base[key] if base[key] else None for key, _, _ in FIGURES}
    return results


def _child(accounts: int, blocks: int, keep_recent: int, profile: Path | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="miles-scale-") as tmp:
        out = Path(tmp) / "figures.json"
        subprocess.run([sys.executable, "-m", "abci_app.bench.scale", "--accounts", str(accounts), "--blocks",
                        str(blocks), "--keep-recent", str(keep_recent), "--workdir", tmp, "--out", str(out),
                        *(["--profile", str(profile)] if profile else [])],
                       check=True, stdout=subprocess.DEVNULL)
        return json.loads(out.read_text())


def table(results: dict) -> str:
    base, scaled, ratio = results["baseline"], results["scaled"], results["ratio"]
    lines = [f"{'':44} {base['accounts']:>14,} {scaled['accounts']:>14,}   ratio",
             f"{'':44} {'accounts':>14} {'accounts':>14}"]
    for key, label, unit in FIGURES:
        value = ratio[key]
        lines.append(f"{label + ' (' + unit + ')':44} {base[key]:>14,.1f} {scaled[key]:>14,.1f}   "
                     + (f"{value:.2f}x" if value is not None else "-"))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="one size of miles bench scale (in a process of its own)")
    parser.add_argument("--accounts", type=int, required=True)
    parser.add_argument("--blocks", type=int, required=True)
    parser.add_argument("--keep-recent", type=int, required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--profile", type=Path)
    args = parser.parse_args()
    figures = measure(args.accounts, args.blocks, args.keep_recent, Path(args.workdir), args.profile)
    Path(args.out).write_text(json.dumps(figures))


if __name__ == "__main__":
    main()
