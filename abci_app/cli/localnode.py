"""A throwaway local node: our app as its own process and a real cometbft beside it.

For end-to-end tests, benchmarks and `miles localnet`. `LocalNode.create(base)` makes a
single-validator home with the same code as `miles init`, on free ports of 127.0.0.1;
`LocalNode(home, config)` runs a home made elsewhere (a localnet's node). `stop()` ends every
process it started (call it from a `finally`).

Non-default app settings: `LocalNode.create(base, app_settings={"snapshot_interval": 10})` writes
them into the node's miles.toml ([app]); `app_env={"MILES_APP_KEEP_RECENT": "0"}` (constructor
argument or attribute) adds environment variables to the app process only;
`genesis_extra=workload.genesis()` funds a benchmark workload's accounts and sets its params.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from ..rpc import CometRPC, RpcError
from . import cometbft
from .home import Home
from .node import create_home
from .statesync import redo_unconfirmed_state_sync

START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 15


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout_s: float, what: str, interval_s: float = 0.1):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval_s)
    raise TimeoutError(f"timed out after {timeout_s}s waiting for {what}")


def end_process(process: subprocess.Popen | None, timeout_s: float = STOP_TIMEOUT_S) -> None:
    """SIGTERM, then SIGKILL if it has not exited within `timeout_s`; always reaped."""
    if process is None:
        return
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


# A local devnet's state is small and its only users are its operators: /solvency audits it whole
# (app.audit_max_reads; a public node keeps the default).
DEVNET_APP_SETTINGS = {"audit_max_reads": 200_000}


class LocalNode:
    """One node: a home folder, our ABCI app process and a cometbft process.

    `detach=True` starts both in their own session (they outlive this Python process, as
    `miles localnet start` wants); otherwise they are plain children.
    """

    def __init__(self, home: Home, config: cometbft.NodeConfig, binary: Path | None = None, *,
                 detach: bool = False, app_env: Mapping[str, str] | None = None) -> None:
        self.home = home
        self.config = config
        self.binary = binary or cometbft.find_cometbft()
        self.rpc = CometRPC(config.rpc_url, timeout_s=5)
        self.detach = detach
        self.app_env = dict(app_env or {})  # MILES_* overrides for the app process
        self.app: subprocess.Popen | None = None
        self.node: subprocess.Popen | None = None

    @classmethod
    def create(cls, base: Path, abci: str = "socket", *, app_settings: Mapping[str, int] | None = None,
               app_env: Mapping[str, str] | None = None, genesis_extra: Mapping | None = None) -> "LocalNode":
        """A fresh single-validator home at `base` on free ports, with fast devnet timing;
        `app_settings` ([app] keys of miles.toml) written into its miles.toml; `genesis_extra`'s
        accounts and params added to the dev genesis (`dev_app_state`)."""
        home = Home(base)
        config = cometbft.NodeConfig(
            rpc_port=free_port(), p2p_port=free_port(), abci_port=free_port(), prometheus_port=free_port(),
            abci=abci, timeout_commit="200ms", empty_blocks_interval="1s",
        )
        binary = create_home(home, config, genesis_extra=genesis_extra,
                             app={**DEVNET_APP_SETTINGS, **(app_settings or {})})
        return cls(home, config, binary, app_env=app_env)

    @property
    def name(self) -> str:
        return self.home.path.name

    def _spawn(self, name: str, command: list[str], env: dict | None = None) -> subprocess.Popen:
        with open(self.home.path / f"{name}.log", "ab") as log:
            return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                    env=env, start_new_session=self.detach)

    def launch_app(self) -> None:
        """Start the app process without waiting for it to listen (see `wait_app`)."""
        self.app = self._spawn(
            "app",
            [sys.executable, "-m", "abci_app.cli.main", "--home", str(self.home.path), "--log-format", "json", "app"],
            env={**os.environ, **self.app_env, "PYTHONUNBUFFERED": "1"},
        )

    def wait_app(self, timeout_s: float = START_TIMEOUT_S) -> None:
        wait_until(self._app_listening, timeout_s, f"the app of {self.name} to listen")

    def start_app(self) -> None:
        self.launch_app()
        self.wait_app()

    def _app_listening(self) -> bool:
        if self.app.poll() is not None:
            raise RuntimeError(f"app exited with {self.app.returncode}: see {self.home.path}/app.log")
        try:
            socket.create_connection(("127.0.0.1", self.config.abci_port), timeout=1).close()
            return True
        except OSError:
            return False

    def start_cometbft(self) -> None:
        """Start cometbft (its stores reset first after a state sync it cannot resume:
        cli/statesync.py)."""
        app_db = self.home.load(env={**os.environ, **self.app_env}).app_db(self.home.path)
        redo_unconfirmed_state_sync(self.binary, self.home.cometbft, app_db)
        self.node = self._spawn("cometbft", cometbft.node_command(self.binary, self.home.cometbft))

    def start(self) -> "LocalNode":
        self.start_app()
        self.start_cometbft()
        self.wait_height(1)
        return self

    @property
    def running(self) -> bool:
        """Whether the cometbft process this object started is still alive."""
        return self.node is not None and self.node.poll() is None

    def pids(self) -> dict[str, int]:
        """The process ids of whichever of app and cometbft are alive."""
        alive = {"app": self.app, "cometbft": self.node}
        return {name: p.pid for name, p in alive.items() if p is not None and p.poll() is None}

    def height(self) -> int:
        try:
            return self.rpc.height()
        except RpcError:
            return 0

    def wait_height(self, height: int, timeout_s: float = START_TIMEOUT_S) -> int:
        def reached():
            if self.node is not None and self.node.poll() is not None:
                raise RuntimeError(f"cometbft exited with {self.node.returncode}: see {self.home.path}/cometbft.log")
            return self.height() >= height and self.height()
        return wait_until(reached, timeout_s, f"{self.name} to reach height {height}")

    def log_text(self, name: str) -> str:
        """What `name` (app or cometbft) has logged so far."""
        path = self.home.path / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def kill_app(self) -> None:
        """kill -9: the crash we must survive."""
        self.app.send_signal(signal.SIGKILL)
        self.app.wait(10)

    def stop_app(self, timeout_s: float = STOP_TIMEOUT_S) -> None:
        """SIGTERM the app (SIGKILL after `timeout_s`)."""
        end_process(self.app, timeout_s)

    def kill_cometbft(self) -> None:
        self.node.send_signal(signal.SIGKILL)
        self.node.wait(10)

    def stop_cometbft(self, timeout_s: float = STOP_TIMEOUT_S) -> None:
        """Stop cometbft. With the app gone it stops by itself, so wait for that; with the app
        still running, SIGTERM it. Either way SIGKILL after `timeout_s`."""
        if self.node is None:
            return
        app_gone = self.app is None or self.app.poll() is not None
        if not app_gone and self.node.poll() is None:
            self.node.terminate()
        try:
            self.node.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.node.kill()
            self.node.wait(10)

    def stop(self) -> None:
        """cometbft first (it closes its stores), then the app."""
        end_process(self.node)
        end_process(self.app)
