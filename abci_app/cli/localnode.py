"""A throwaway local node: our app as its own process and a real cometbft beside it.

For end-to-end tests and benchmarks. The home is made with the same code as `miles init`, on free
ports of 127.0.0.1; `stop()` ends every process it started (call it from a `finally`).
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from ..rpc import CometRPC, RpcError
from . import cometbft
from .home import Home
from .node import create_home

START_TIMEOUT_S = 60


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


class LocalNode:
    """One validator: a home folder, our ABCI app process and a cometbft process."""

    def __init__(self, base: Path, abci: str = "socket") -> None:
        self.home = Home(base)
        self.config = cometbft.NodeConfig(
            rpc_port=free_port(), p2p_port=free_port(), abci_port=free_port(), abci=abci,
            timeout_commit="200ms", empty_blocks_interval="1s",
        )
        self.binary = create_home(self.home, self.config)
        self.rpc = CometRPC(self.config.rpc_url, timeout_s=5)
        self.app: subprocess.Popen | None = None
        self.node: subprocess.Popen | None = None
        self._logs = []

    def _log(self, name: str):
        handle = open(self.home.path / f"{name}.log", "ab")
        self._logs.append(handle)
        return handle

    def start_app(self) -> None:
        log = self._log("app")
        self.app = subprocess.Popen(
            [sys.executable, "-m", "abci_app.cli.main", "--home", str(self.home.path),
             "--log-format", "json", "app"],
            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        wait_until(self._app_listening, START_TIMEOUT_S, "the app to listen")

    def _app_listening(self) -> bool:
        if self.app.poll() is not None:
            raise RuntimeError(f"app exited with {self.app.returncode}: see {self.home.path}/app.log")
        try:
            socket.create_connection(("127.0.0.1", self.config.abci_port), timeout=1).close()
            return True
        except OSError:
            return False

    def start_cometbft(self) -> None:
        log = self._log("cometbft")
        self.node = subprocess.Popen(cometbft.node_command(self.binary, self.home.cometbft),
                                     stdout=log, stderr=subprocess.STDOUT)

    def start(self) -> "LocalNode":
        self.start_app()
        self.start_cometbft()
        self.wait_height(1)
        return self

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
        return wait_until(reached, timeout_s, f"height {height}")

    def log_text(self, name: str) -> str:
        """What `name` (app or cometbft) has logged so far."""
        path = self.home.path / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def kill_app(self) -> None:
        """kill -9: the crash we must survive."""
        self.app.send_signal(signal.SIGKILL)
        self.app.wait(10)

    def stop_cometbft(self, timeout_s: float = 15) -> None:
        """Wait for cometbft to stop by itself (it does when the app dies), else kill it."""
        try:
            self.node.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.node.kill()
            self.node.wait(10)

    def stop(self) -> None:
        for process in (self.node, self.app):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(10)
        for handle in self._logs:
            handle.close()
        self._logs.clear()
