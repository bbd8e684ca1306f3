"""Snapshots in a real process: killed (SIGKILL) at a random point while one is written, the node
restarts to its app hash with no unfinished snapshot listed; building one of a 100,000-account
state takes memory that does not grow with the state."""

import hashlib
import os
import random
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
import rlp

from abci_app.abci import types
from abci_app.app import AppSettings, Application
from abci_app.app.driver import GENESIS_TIME_S
from abci_app.cli.wallet import dev_account
from abci_app.store import keys as store_keys

from ..chain import Chain, app_state, transfer

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = AppSettings(snapshot_interval=10, snapshot_keep=2, keep_recent=0)
KEY = dev_account(0)


def _txs(height: int) -> list[bytes]:
    """Block `height`: transfers to eight fresh addresses (the state grows), nonces in order."""
    return [transfer(KEY, (height - 1) * 8 + i, "0x" + f"{height:04x}{i:02x}" * 6 + "ab" * 2, 1) for i in range(8)]


NODE = textwrap.dedent(r"""
    import os, sys, time
    from abci_app.app import AppSettings, snapshots
    from tests.app.test_snapshot_process import KEY, SETTINGS, _txs
    from tests.chain import Chain, app_state
    snapshots.CHUNK_BYTES = 512
    build = snapshots.build

    def loud(*args):
        for index, chunk in enumerate(build(*args)):
            yield chunk
            os.write(1, b"CHUNK %d\n" % index)   # chunk `index` is written (one write: threads share stdout)
            time.sleep(0.002)
    snapshots.build = loud
    chain = Chain.start(sys.argv[1], app_state([KEY]))
    chain.app.settings = SETTINGS
    for height in range(1, 15):
        chain.block(_txs(height))
        os.write(1, b"COMMITTED %d\n" % height)
    chain.app.snapshotter.wait()
    os.write(1, b"DONE\n")
    time.sleep(600)
""")


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def _complete(app: Application, snapshot: types.Snapshot) -> bool:
    _app_hash, hashes = rlp.decode(snapshot.metadata)
    chunks = [app.load_snapshot_chunk(types.RequestLoadSnapshotChunk(height=snapshot.height, format=snapshot.format,
                                                                     chunk=i)).chunk for i in range(snapshot.chunks)]
    return [hashlib.sha256(chunk).digest() for chunk in chunks] == hashes


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(4))
def test_a_node_killed_while_writing_a_snapshot_restarts_to_its_app_hash(tmp_path, seed):
    path = str(tmp_path / "node")
    reference = Chain.start(str(tmp_path / "reference"), app_state([KEY]))
    for height in range(1, 21):
        reference.block(_txs(height))
    reference.app.close()
    node = subprocess.Popen([sys.executable, "-c", NODE, path], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, cwd=ROOT, env=_env())
    watchdog = threading.Timer(120, node.kill)
    watchdog.start()
    try:
        for line in node.stdout:
            if line == "COMMITTED 10\n":
                break
        time.sleep(random.Random(seed).uniform(0, 0.25))   # the builder writes ~2 ms a chunk meanwhile
        node.kill()
        node.wait()
        seen = [line for line in node.stdout if line.startswith(("CHUNK", "DONE"))]
    finally:
        watchdog.cancel()
        node.kill()
    app = Application(path, settings=SETTINGS)
    try:
        assert app.height >= 10 and app.app_hash == reference.app_hashes[app.height], f"killed after {seen[-3:]}"
        listed = app.list_snapshots(types.RequestListSnapshots()).snapshots
        assert {s.height for s in listed} <= {10} and all(_complete(app, s) for s in listed)
        if "DONE\n" in seen:
            assert [s.height for s in listed] == [10]
        chain = Chain(app, height=app.height, time_s=GENESIS_TIME_S + app.height)
        for height in range(app.height + 1, 21):
            chain.block(_txs(height))
            assert chain.app_hashes[-1] == reference.app_hashes[height]
            assert app.snapshotter.wait(60)
        listed = app.list_snapshots(types.RequestListSnapshots()).snapshots
        assert 20 in {s.height for s in listed} and all(_complete(app, s) for s in listed)
        chunk_heights = {int.from_bytes(key[len(store_keys.SNAPSHOT_CHUNK):][:8], "big")
                         for key in app.store.keys(store_keys.SNAPSHOT_CHUNK)}
        assert chunk_heights == {s.height for s in listed}        # nothing unfinished left behind
    finally:
        app.close()


MEASURE = textwrap.dedent(r"""
    import sys, time
    from abci_app.app import snapshots
    from abci_app.store import Store, keys
    from tests.app.big_state import ROOT_KEY

    def mib(field):
        return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith(field)) / 1024

    def memtables():
        return store._db.property_int_value("rocksdb.cur-size-all-mem-tables") / 2**20

    store = Store(sys.argv[1])
    root = store.get(ROOT_KEY)
    for key in store.keys(keys.STATE):   # RocksDB's caches and table readers settle first
        store.get(key)
    open("/proc/self/clear_refs", "w").write("5")   # VmHWM restarts from here
    before, tables = mib("VmRSS:"), memtables()
    started = time.perf_counter()
    snapshot = snapshots.take(store, store.view(), 1, root, keep=1)
    print("RESULT", snapshot.chunks, round(time.perf_counter() - started, 2), round(mib("VmHWM:") - before, 1),
          round(memtables() - tables, 1))
""")


@pytest.mark.slow
def test_building_a_snapshot_of_100k_accounts_takes_memory_that_does_not_grow_with_the_state(tmp_path):
    """The old build held every chunk, every key and every account at once: +65 MiB of Python
    objects at 100,000 accounts (RSS 76 -> 167 MiB). The stream holds a chunk and a path. What
    RocksDB takes for the chunks written (its memtables, flushed at a fixed size) is not the
    builder's and is left out."""
    path = str(tmp_path / "state")
    built = subprocess.run([sys.executable, "-c", f"from tests.app.big_state import build; build({path!r}, 100_000)"],
                           capture_output=True, text=True, cwd=ROOT, env=_env(), timeout=300)
    assert built.returncode == 0, built.stderr[-2000:]
    done = subprocess.run([sys.executable, "-c", MEASURE, path], capture_output=True, text=True, cwd=ROOT, env=_env(),
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    (line,) = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    chunks, seconds, grown_mib, memtables_mib = map(float, line.split()[1:])
    assert chunks > 20 and grown_mib - memtables_mib <= 20, f"{line}: +{grown_mib - memtables_mib:.0f} MiB"
