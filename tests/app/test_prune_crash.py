"""kill -9 at random points of blocks whose Commit prunes: the node restarts, goes on, and ends
at the same app hash as a run never interrupted, with every kept version whole and nothing else
left (pruning is part of each block's one atomic write, app/pruning.py)."""

import random
import subprocess
import sys
import time
from pathlib import Path

from abci_app.app import AppSettings, Application
from abci_app.app.pruning import oldest_kept, state_root_at
from abci_app.evm.nodes import state_keys
from abci_app.store import keys

ROOT = Path(__file__).resolve().parents[2]
BLOCKS = 40
KEEP_RECENT = 3
KILLS = 5


def _child(db: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.app.crash_child", str(db), str(BLOCKS), str(KEEP_RECENT)],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)


def _run_to_end(db: Path) -> str:
    proc = _child(db)
    try:
        out, _ = proc.communicate(timeout=300)
    finally:
        proc.kill()
    assert proc.returncode == 0, out
    return out.split("app_hash ")[-1].strip()


def _kill_during_a_block(db: Path, rng: random.Random, block_s: float) -> int:
    """Let the child commit a few blocks, then kill -9 it somewhere inside the next one."""
    proc = _child(db)
    try:
        wanted, committed = rng.randint(1, 6), 0
        for line in proc.stdout:
            if line.startswith("committed"):
                committed = int(line.split()[1])
                wanted -= 1
                if wanted == 0:
                    time.sleep(rng.uniform(0, block_s))
                    break
    finally:
        proc.kill()
        proc.wait()
    return committed


def test_kill_9_while_pruning_restarts_to_the_same_app_hash(tmp_path):
    started = time.perf_counter()
    expected = _run_to_end(tmp_path / "whole")
    block_s = (time.perf_counter() - started) / BLOCKS
    rng = random.Random(1507)
    for _ in range(KILLS):
        _kill_during_a_block(tmp_path / "killed", rng, block_s)
    assert _run_to_end(tmp_path / "killed") == expected

    app = Application(str(tmp_path / "killed"), settings=AppSettings(keep_recent=KEEP_RECENT))
    try:
        assert oldest_kept(app.store) == BLOCKS - KEEP_RECENT + 1
        live: set[bytes] = set()
        for height in range(BLOCKS - KEEP_RECENT + 1, BLOCKS + 1):
            get = lambda key: app.store.get(keys.state_key(key))  # noqa: E731
            list(state_keys(get, state_root_at(app.store, height), live))   # a missing node fails here
        assert {key[len(keys.STATE):] for key in app.store.keys(keys.STATE)} == live
    finally:
        app.close()
