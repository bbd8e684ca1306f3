"""The CometBFT binary and its home folder: find it, initialise it, configure it, run it.

Used by `miles init/start` and by the end-to-end tests, so a test node is configured exactly like
an operator's.
"""

import json
import os
import re
import shutil
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..versions import COMETBFT_VERSION

REPO_ROOT = Path(__file__).resolve().parents[2]


class CometbftMissing(Exception):
    """No cometbft binary of the pinned version could be found."""


def find_cometbft() -> Path:
    """`$COMETBFT_BIN` if set (and then only it), else the project's `bin/cometbft`, else
    `cometbft` on PATH; whichever is the pinned version."""
    override = os.environ.get("COMETBFT_BIN")
    candidates = [override] if override else [REPO_ROOT / "bin" / "cometbft", shutil.which("cometbft")]
    wanted = COMETBFT_VERSION.removeprefix("v")
    found = []
    for candidate in candidates:
        if not candidate or not Path(candidate).is_file():
            continue
        version = cometbft_version(Path(candidate))
        if version == wanted:
            return Path(candidate)
        found.append(f"{candidate} is {version}")
    raise CometbftMissing(
        f"cometbft {COMETBFT_VERSION} not found ({'; '.join(found) or 'no binary'}). "
        "Install it with: scripts/install_cometbft.sh"
    )


def cometbft_version(binary: Path) -> str:
    out = subprocess.run([str(binary), "version"], capture_output=True, text=True, timeout=30)
    return out.stdout.strip()


@dataclass(frozen=True, slots=True)
class NodeConfig:
    """What differs between nodes: ports, ABCI transport and devnet timing."""

    rpc_port: int = 26657
    p2p_port: int = 26656
    abci_port: int = 26658
    abci: str = "socket"
    timeout_commit: str = "300ms"
    empty_blocks_interval: str = "5s"
    host: str = "127.0.0.1"
    moniker: str = "miles-node"
    # CometBFT's own Prometheus metrics; None: derived, abci_port + 3 (26661 by default, beside
    # the app's 26660, and inside a localnet node's block of ports). Defaulted, so node.json files
    # written before the field existed still load.
    prometheus_port: int | None = None
    # The Ethereum JSON-RPC gateway `miles app` serves (None: none unless --gateway-port is
    # given; `miles start` serves one on 8545 by default). Localnet nodes each have one.
    gateway_port: int | None = None

    @property
    def proxy_app(self) -> str:
        # cometbft's socket client wants tcp://host:port, its gRPC client host:port.
        address = f"{self.host}:{self.abci_port}"
        return address if self.abci == "grpc" else f"tcp://{address}"

    @property
    def cometbft_metrics_port(self) -> int:
        return self.prometheus_port if self.prometheus_port is not None else self.abci_port + 3

    @property
    def rpc_url(self) -> str:
        return f"http://{self.host}:{self.rpc_port}"

    @property
    def gateway_url(self) -> str | None:
        return None if self.gateway_port is None else f"http://{self.host}:{self.gateway_port}"


def set_option(text: str, section: str | None, key: str, value: str | int | bool) -> str:
    """Set `key = value` in one section of a TOML file, keeping everything else as written."""
    rendered = json.dumps(value) if not isinstance(value, bool) else str(value).lower()
    start = 0
    if section is not None:
        header = re.search(rf"^\[{re.escape(section)}\]\s*$", text, re.M)
        if header is None:
            raise KeyError(f"no [{section}] in config.toml")
        start = header.end()
    next_header = re.compile(r"^\[", re.M).search(text, start)
    end = next_header.start() if next_header else len(text)
    line = re.compile(rf"^{re.escape(key)} = .*$", re.M)
    body, count = line.subn(f"{key} = {rendered}", text[start:end], count=1)
    if count != 1:
        raise KeyError(f"no {key} in [{section or 'top level'}] of config.toml")
    return text[:start] + body + text[end:]


def configure(home: Path, config: NodeConfig) -> None:
    path = home / "config" / "config.toml"
    text = path.read_text()
    for section, key, value in (
        (None, "proxy_app", config.proxy_app),
        (None, "abci", config.abci),
        (None, "moniker", config.moniker),
        ("rpc", "laddr", f"tcp://{config.host}:{config.rpc_port}"),
        ("p2p", "laddr", f"tcp://{config.host}:{config.p2p_port}"),
        ("p2p", "addr_book_strict", False),
        ("p2p", "allow_duplicate_ip", True),
        ("consensus", "timeout_commit", config.timeout_commit),
        ("consensus", "create_empty_blocks_interval", config.empty_blocks_interval),
        ("instrumentation", "prometheus", True),
        ("instrumentation", "prometheus_listen_addr", f"{config.host}:{config.cometbft_metrics_port}"),
    ):
        text = set_option(text, section, key, value)
    path.write_text(text)


def init_home(binary: Path, home: Path, config: NodeConfig) -> None:
    """`cometbft init` (keys, genesis skeleton) then our configuration."""
    subprocess.run([str(binary), "init", "--home", str(home)], check=True, capture_output=True, timeout=60)
    configure(home, config)


def write_genesis(home: Path, chain_id: str, app_state: dict, validators: list[dict]) -> None:
    """Put our chain id, app_state and validators into the genesis `cometbft init` wrote."""
    path = home / "config" / "genesis.json"
    genesis = json.loads(path.read_text())
    genesis["chain_id"] = chain_id
    genesis["app_state"] = app_state
    genesis["validators"] = validators
    genesis["consensus_params"]["version"]["app"] = "1"
    path.write_text(json.dumps(genesis, indent=2) + "\n")


def node_command(binary: Path, home: Path) -> list[str]:
    return [str(binary), "node", "--home", str(home)]


def state_sync_enabled(home: Path) -> bool:
    config = tomllib.loads((home / "config" / "config.toml").read_text())
    return bool(config.get("statesync", {}).get("enable"))


def reset_state(binary: Path, home: Path) -> None:
    """`cometbft reset-state`: its blocks, state and WAL go; keys, config, address book and the
    validator's last-signed record stay."""
    done = subprocess.run([str(binary), "reset-state", "--home", str(home)], capture_output=True, text=True,
                          timeout=60)
    if done.returncode != 0:
        raise RuntimeError(f"cometbft reset-state failed: {(done.stderr or done.stdout).strip()}")
