"""`miles start --upgrade-dir DIR`: run the node as a child and carry out upgrades by itself, as
cosmovisor does.

The node runs as `miles start` (the same arguments, without --upgrade-dir) in a process group of
its own. When it exits with EXIT_UPGRADE_NEEDED, the plan it stopped for is in
`<data>/upgrade-info.json`; the release for it is `DIR/<plan>/bin/miles` (an executable taking
the same arguments as `miles`). Once every process of the old node has exited, that release is
started the same way, and watched the same way (later upgrades work too). SIGINT and SIGTERM are
passed to the node. A missing release stops here with the node's exit code and says what to install.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from ..app.upgrades import EXIT_UPGRADE_NEEDED, INFO_FILE

GROUP_EXIT_TIMEOUT_S = 30


def without_upgrade_dir(argv: list[str]) -> list[str]:
    """The node's arguments: ours minus `--upgrade-dir DIR` (or `--upgrade-dir=DIR`)."""
    rest, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--upgrade-dir":
            skip = True
        elif not arg.startswith("--upgrade-dir="):
            rest.append(arg)
    return rest


def release_for(upgrade_dir: Path, data_dir: Path) -> tuple[str, Path]:
    """(plan name, its release's executable) from the node's upgrade-info.json."""
    info = json.loads((data_dir / INFO_FILE).read_text())
    return info["name"], upgrade_dir / info["name"] / "bin" / "miles"


def supervise(argv: list[str], upgrade_dir: Path, data_dir: Path) -> int:
    command = [sys.executable, "-m", "abci_app.cli.main", *without_upgrade_dir(argv)]
    while True:
        code = _run(command)
        if code != EXIT_UPGRADE_NEEDED:
            return code
        name, release = release_for(upgrade_dir, data_dir)
        if not os.access(release, os.X_OK):
            print(f"upgrade {name}: no executable release at {release}; install it there (or run it by hand)",
                  file=sys.stderr, flush=True)
            return code
        print(f"upgrade {name}: restarting with {release}", flush=True)
        command = [str(release), *without_upgrade_dir(argv)]


def _run(command: list[str]) -> int:
    """Run the node until it exits (its whole process group gone); forward SIGINT and SIGTERM."""
    child = subprocess.Popen(command, start_new_session=True)
    forward = lambda sig, _frame: _signal_group(child.pid, sig)  # noqa: E731
    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        code = child.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    _wait_group_gone(child.pid)
    return code


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


def _wait_group_gone(pgid: int) -> None:
    """cometbft stops by itself once the app is gone; SIGTERM, then SIGKILL, what lingers."""
    deadline = time.monotonic() + GROUP_EXIT_TIMEOUT_S
    for sig in (None, signal.SIGTERM, signal.SIGKILL):
        if sig is not None:
            _signal_group(pgid, sig)
        while time.monotonic() < deadline:
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)
        deadline = time.monotonic() + 10
