"""A real CometBFT v0.38.25 node for end-to-end tests: find the binary, make a fast home, start
it against an ABCI address, wait for a height over RPC, stop it (terminate, then kill).

Every wait is bounded; a node that exits or stalls fails the test with the tail of its log.
"""

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from abci_app.versions import COMETBFT_VERSION

REPO_ROOT = Path(__file__).resolve().parents[2]
FALLBACK_BINARY = Path("/tmp/cbft/cometbft")
START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 15
POLL_INTERVAL_S = 0.1
RPC_TIMEOUT_S = 2
LOG_TAIL_BYTES = 4000
HOST = "127.0.0.1"


def find_binary() -> Path:
    """`$COMETBFT_BIN`, else the repo's `bin/cometbft`, else /tmp/cbft/cometbft; it must be the
    pinned version, since other versions speak a different ABCI schema."""
    candidates = [os.environ.get("COMETBFT_BIN"), REPO_ROOT / "bin" / "cometbft", FALLBACK_BINARY]
    binary = next((Path(c) for c in candidates if c and Path(c).is_file()), None)
    if binary is None:
        raise FileNotFoundError("no cometbft binary: set COMETBFT_BIN or run scripts/install_cometbft.sh")
    version = subprocess.run([str(binary), "version"], capture_output=True, text=True, timeout=30).stdout.strip()
    if version != COMETBFT_VERSION.removeprefix("v"):
        raise RuntimeError(f"{binary} is cometbft {version!r}, the tests need {COMETBFT_VERSION}")
    return binary


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def proxy_app_address(abci: str, port: int) -> str:
    """cometbft's socket client dials `tcp://host:port`; its gRPC client wants bare `host:port`
    (grpc-go would take `tcp` for a resolver scheme it does not know)."""
    return f"{HOST}:{port}" if abci == "grpc" else f"tcp://{HOST}:{port}"


def replace_line(text: str, old: str, new: str) -> str:
    """Replace one whole line that must appear exactly once (the pinned version's default)."""
    lines = text.split("\n")
    if lines.count(old) != 1:
        raise ValueError(f"config.toml: expected exactly one line {old!r}")
    lines[lines.index(old)] = new
    return "\n".join(lines)


class CometNode:
    """One single-validator node in `home`, talking to the ABCI app at `proxy_app`."""

    def __init__(self, home: Path, proxy_app: str, abci: str = "socket", timeout_commit: str = "100ms") -> None:
        self.binary = find_binary()
        self.home = home
        self.rpc_port = free_port()
        self.p2p_port = free_port()
        self.process: subprocess.Popen | None = None
        self._log_path = home / "cometbft.log"
        self._log = None
        self._init(proxy_app, abci, timeout_commit)

    @property
    def rpc_url(self) -> str:
        return f"http://{HOST}:{self.rpc_port}"

    def _init(self, proxy_app: str, abci: str, timeout_commit: str) -> None:
        subprocess.run([str(self.binary), "init", "--home", str(self.home)],
                       check=True, capture_output=True, timeout=START_TIMEOUT_S)
        config = self.home / "config" / "config.toml"
        text = config.read_text()
        for old, new in (
            ('proxy_app = "tcp://127.0.0.1:26658"', f'proxy_app = "{proxy_app}"'),
            ('abci = "socket"', f'abci = "{abci}"'),
            ('laddr = "tcp://127.0.0.1:26657"', f'laddr = "tcp://{HOST}:{self.rpc_port}"'),
            ('laddr = "tcp://0.0.0.0:26656"', f'laddr = "tcp://{HOST}:{self.p2p_port}"'),
            ('timeout_commit = "1s"', f'timeout_commit = "{timeout_commit}"'),
            ("create_empty_blocks = true", "create_empty_blocks = true"),
        ):
            text = replace_line(text, old, new)
        config.write_text(text)

    def start(self) -> None:
        self._log = open(self._log_path, "ab")
        self.process = subprocess.Popen([str(self.binary), "node", "--home", str(self.home)],
                                        stdout=self._log, stderr=subprocess.STDOUT)

    def stop(self) -> None:
        """Terminate, then kill if it does not exit in time; safe to call twice."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(STOP_TIMEOUT_S)
        if self._log is not None:
            self._log.close()
            self._log = None

    def rpc(self, path: str, timeout_s: float = RPC_TIMEOUT_S) -> dict:
        """GET `/<path>` on the node's RPC (e.g. `status`, `broadcast_tx_commit?tx=0x...`): its result."""
        with urllib.request.urlopen(f"{self.rpc_url}/{path}", timeout=timeout_s) as reply:
            answer = json.load(reply)
        if "error" in answer:
            raise RuntimeError(f"RPC {path}: {answer['error']}")
        return answer["result"]

    def height(self) -> int | None:
        """The latest block height from `/status`, or None while the RPC is not up."""
        try:
            status = self.rpc("status")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return None
        return int(status["sync_info"]["latest_block_height"])

    def wait_for_height(self, height: int, timeout_s: float = START_TIMEOUT_S) -> int:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"cometbft exited with {self.process.returncode}:\n{self.log_tail()}")
            current = self.height()
            if current is not None and current >= height:
                return current
            time.sleep(POLL_INTERVAL_S)
        raise TimeoutError(f"no height {height} after {timeout_s}s (at {self.height()}):\n{self.log_tail()}")

    def wait_for_log(self, text: str, timeout_s: float = START_TIMEOUT_S) -> None:
        """Until the node's log contains `text` (e.g. proof it tried to reach the app)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"cometbft exited with {self.process.returncode}:\n{self.log_tail()}")
            if text in self._log_path.read_text(errors="replace"):
                return
            time.sleep(POLL_INTERVAL_S)
        raise TimeoutError(f"no {text!r} in the log after {timeout_s}s:\n{self.log_tail()}")

    def log_tail(self) -> str:
        if not self._log_path.exists():
            return ""
        return self._log_path.read_bytes()[-LOG_TAIL_BYTES:].decode(errors="replace")
