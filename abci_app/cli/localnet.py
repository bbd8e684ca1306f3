"""`miles localnet`: several validators of our chain on 127.0.0.1, each its own app + cometbft.

`Localnet(base_dir, validators=4)` makes (or reopens) the homes `node0..node{N-1}` under
`base_dir`: `cometbft init` for each, one shared genesis (chain "miles-localnet", EVM chain id
1818, validator i operated by dev account i), and `persistent_peers` naming every other node.
Ports are free ones, or with `base_port` deterministic: node i has p2p base+10i, RPC base+10i+1,
ABCI base+10i+2, its Ethereum JSON-RPC gateway base+10i+4 (CometBFT's metrics are on ABCI+3). `add_node()` adds a non-validator that block-syncs from the others.

Each node's settings are its `miles.toml`. `app_settings={"snapshot_interval": 10, ...}` ([app] keys)
goes into every node's file when the homes are made; `add_node()` copies node0's [app] (plus its
own `app_settings`), and can set CometBFT options of the new node before it starts (state sync).
`genesis_extra` (e.g. a benchmark workload's `genesis()`) adds accounts and params to the genesis.

Every process started is recorded in `base_dir/pids.json` (pid and kernel start time, so a reused
pid is never signalled); `miles localnet stop` ends them from another process.
"""

import argparse
import dataclasses
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from ..rpc import RpcError
from . import cometbft
from .devgenesis import dev_app_state, genesis_validators, validator_pubkey
from .home import Home
from .localnode import DEVNET_APP_SETTINGS, START_TIMEOUT_S, STOP_TIMEOUT_S, LocalNode, end_process, free_port
from .wallet import DEV_ACCOUNT_COUNT

CHAIN_ID = "miles-localnet"
EVM_CHAIN_ID = 1818
DEFAULT_VALIDATORS = 4
DEFAULT_BASE_PORT = 26600
PORT_STRIDE = 10
MANIFEST = "localnet.json"
PID_FILE = "pids.json"
# Fast, but with room for 2N processes on two cores; a missing proposer costs 1 s, not 3 s.
TIMEOUT_COMMIT = "500ms"
EMPTY_BLOCKS_INTERVAL = "1s"
EXTRA_SETTINGS = (("consensus", "timeout_propose", "1s"),)
LOG_TAIL_LINES = 15


class LocalnetError(Exception):
    """The localnet folder cannot be used as asked."""


class Localnet:
    """N validator nodes (and any added non-validators) sharing one genesis."""

    def __init__(self, base_dir: Path, validators: int = DEFAULT_VALIDATORS, abci: str = "socket",
                 base_port: int | None = None, *, detach: bool = False,
                 app_settings: Mapping[str, int] | None = None, genesis_extra: Mapping | None = None) -> None:
        self.dir = Path(base_dir)
        self.detach = detach
        self.app_settings = {**DEVNET_APP_SETTINGS, **(app_settings or {})}  # [app] of new homes' miles.toml
        self.genesis_extra = genesis_extra  # accounts and params added to a new genesis
        self.binary = cometbft.find_cometbft()
        manifest = self.dir / MANIFEST
        created = manifest.is_file()
        if created:
            settings = json.loads(manifest.read_text())
            if settings["validators"] != validators:
                raise LocalnetError(f"{self.dir} holds a {settings['validators']}-validator localnet, "
                                    f"not {validators}: remove it or ask for {settings['validators']}")
            if base_port is not None and settings["base_port"] != base_port:
                raise LocalnetError(f"{self.dir} uses base port {settings['base_port']}, not {base_port}")
        else:
            settings = {"chain_id": CHAIN_ID, "validators": validators, "base_port": base_port}
        self.validators = settings["validators"]
        self.base_port = settings["base_port"]
        if not created:
            self._create(abci)
            manifest.write_text(json.dumps(settings, indent=2) + "\n")  # last: the homes are complete
        self.nodes = [self._open(path) for path in self._node_dirs()]

    @classmethod
    def open(cls, base_dir: Path, *, detach: bool = False) -> "Localnet":
        """An existing localnet, as `Localnet(...)` made it."""
        manifest = Path(base_dir) / MANIFEST
        if not manifest.is_file():
            raise LocalnetError(f"no localnet in {base_dir}: run `miles localnet start` first")
        return cls(base_dir, json.loads(manifest.read_text())["validators"], detach=detach)

    # ---- homes -----------------------------------------------------------------------------

    def _create(self, abci: str) -> None:
        if not 1 <= self.validators <= DEV_ACCOUNT_COUNT:
            raise LocalnetError(f"a localnet has 1 to {DEV_ACCOUNT_COUNT} validators (one per dev account)")
        self.dir.mkdir(parents=True, exist_ok=True)
        taken: set[int] = set()
        homes = [self._init_node(i, self._node_config(i, abci, taken)) for i in range(self.validators)]
        app_state = dev_app_state(EVM_CHAIN_ID, [validator_pubkey(home.cometbft) for home in homes],
                                  self.genesis_extra)
        cometbft.write_genesis(homes[0].cometbft, CHAIN_ID, app_state, genesis_validators(app_state))
        for home in homes[1:]:
            shutil.copyfile(_genesis(homes[0]), _genesis(home))
        peers = [self._peer_address(home) for home in homes]
        for i, home in enumerate(homes):
            _set_options(home, [("p2p", "persistent_peers", ",".join(peers[:i] + peers[i + 1:]))])

    def _node_config(self, index: int, abci: str, taken: set[int]) -> cometbft.NodeConfig:
        if self.base_port is not None:
            p2p = self.base_port + PORT_STRIDE * index
            ports = [p2p, p2p + 1, p2p + 2, p2p + 4]
        else:
            ports = []
            while len(ports) < 4:
                port = free_port()
                if port not in taken:
                    taken.add(port)
                    ports.append(port)
        return cometbft.NodeConfig(
            p2p_port=ports[0], rpc_port=ports[1], abci_port=ports[2], gateway_port=ports[3], abci=abci,
            timeout_commit=TIMEOUT_COMMIT, empty_blocks_interval=EMPTY_BLOCKS_INTERVAL, moniker=f"node{index}",
        )

    def _init_node(self, index: int, config: cometbft.NodeConfig,
                   app_settings: Mapping[str, int] | None = None) -> Home:
        home = Home(self.dir / f"node{index}")
        cometbft.init_home(self.binary, home.cometbft, config)
        _set_options(home, EXTRA_SETTINGS)
        home.save_config(config, app=self.app_settings if app_settings is None else app_settings)
        return home

    def _peer_address(self, home: Home) -> str:
        """`<node id>@127.0.0.1:<p2p port>`, as persistent_peers wants it."""
        out = subprocess.run([str(self.binary), "show-node-id", "--home", str(home.cometbft)],
                             capture_output=True, text=True, check=True, timeout=30)
        config = home.load_config(env={})  # what cometbft's config.toml was written from
        return f"{out.stdout.strip()}@{config.host}:{config.p2p_port}"

    def _node_dirs(self) -> list[Path]:
        dirs = []
        while Home(self.dir / f"node{len(dirs)}").initialised:
            dirs.append(self.dir / f"node{len(dirs)}")
        return dirs

    def _open(self, path: Path) -> LocalNode:
        home = Home(path)
        return LocalNode(home, home.load_config(env={}), self.binary, detach=self.detach)

    # ---- processes -------------------------------------------------------------------------

    def start(self, timeout_s: float = 2 * START_TIMEOUT_S) -> "Localnet":
        """Start every node (apps first, together) and wait until all have made a new block.
        On failure the caller stops what was started (`stop()` in a `finally`)."""
        for node in self.nodes:
            node.launch_app()
            self._record(node)
        for node in self.nodes:
            node.wait_app()
        for node in self.nodes:
            node.start_cometbft()
            self._record(node)
        deadline = time.monotonic() + timeout_s
        self.wait_height(1, timeout_s)  # then one block more, so that a restarted net is live too
        self.wait_height(max(node.height() for node in self.nodes) + 1, max(0.1, deadline - time.monotonic()))
        return self

    def stop(self) -> None:
        """Every process this object started: all cometbfts first, then all apps."""
        for kind in ("node", "app"):
            processes = [getattr(node, kind) for node in self.nodes]
            for process in processes:
                if process is not None and process.poll() is None:
                    process.terminate()
            for process in processes:
                end_process(process)
        for node in self.nodes:
            self._record(node)

    def node(self, index: int) -> LocalNode:
        return self.nodes[index]

    def rpc(self, index: int):
        return self.nodes[index].rpc

    def stop_node(self, index: int) -> None:
        """Stop one node's cometbft, then its app."""
        node = self.nodes[index]
        node.stop()
        self._record(node)

    def start_node(self, index: int) -> LocalNode:
        """(Re)start one node's app and cometbft; it catches up by block sync."""
        node = self.nodes[index]
        node.start_app()
        self._record(node)
        node.start_cometbft()
        self._record(node)
        return node

    def running_nodes(self) -> list[LocalNode]:
        return [node for node in self.nodes if node.running]

    def wait_height(self, height: int, timeout_s: float = START_TIMEOUT_S) -> int:
        """Wait until every running node is at `height` or above; returns the lowest height seen."""
        deadline = time.monotonic() + timeout_s
        running = self.running_nodes()
        if not running:
            raise RuntimeError("no node of the localnet is running")
        return min(node.wait_height(height, max(0.1, deadline - time.monotonic())) for node in running)

    def add_node(self, timeout_s: float = START_TIMEOUT_S, *, app_settings: Mapping[str, int] | None = None,
                 cometbft_options=(), app_env: Mapping[str, str] | None = None, wait: bool = True) -> LocalNode:
        """A non-validator with the same genesis, peered with every node so far; started and
        (unless not to `wait`) synced to the height the others had when it started. Its [app]
        settings are node0's with `app_settings` on top; `cometbft_options` ((section, key,
        value), e.g. ("statesync", "enable", True)) go into its cometbft config.toml before it
        starts; `app_env` is added to its app process's environment."""
        index = len(self.nodes)
        taken = {port for node in self.nodes for port in (node.config.p2p_port, node.config.rpc_port,
                                                          node.config.abci_port, node.config.gateway_port)}
        inherited = dataclasses.asdict(self.nodes[0].home.load(env={}).app)
        home = self._init_node(index, self._node_config(index, self.nodes[0].config.abci, taken),
                               {**inherited, **(app_settings or {})})
        shutil.copyfile(_genesis(self.nodes[0].home), _genesis(home))
        peers = [self._peer_address(node.home) for node in self.nodes]
        _set_options(home, [("p2p", "persistent_peers", ",".join(peers)), *cometbft_options])
        node = self._open(home.path)
        node.app_env = dict(app_env or {})
        self.nodes.append(node)
        target = max(other.height() for other in self.nodes[:-1])
        self.start_node(index)
        if wait:
            node.wait_height(target, timeout_s)
        return node

    def _record(self, node: LocalNode) -> None:
        if node.app is None and node.node is None:
            return  # started elsewhere (another `miles localnet` process): leave its record alone
        records = read_pids(self.dir)
        entry = {kind: {"pid": pid, "started": _start_time(pid)} for kind, pid in node.pids().items()}
        if entry:
            records[node.name] = entry
        else:
            records.pop(node.name, None)
        path = self.dir / PID_FILE
        if records:
            path.write_text(json.dumps(records, indent=2) + "\n")
        else:
            path.unlink(missing_ok=True)


def _genesis(home: Home) -> Path:
    return home.cometbft / "config" / "genesis.json"


def _set_options(home: Home, options) -> None:
    path = home.cometbft / "config" / "config.toml"
    text = path.read_text()
    for section, key, value in options:
        text = cometbft.set_option(text, section, key, value)
    path.write_text(text)


def validator_address(node: LocalNode) -> str:
    """The node's consensus address (upper hex), as CometBFT's /validators lists it."""
    key = json.loads((node.home.cometbft / "config" / "priv_validator_key.json").read_text())
    return key["address"]


def find_free_base_port(nodes: int, low: int = 20000, high: int = 32000) -> int:
    """A base port whose `nodes` blocks of PORT_STRIDE ports on 127.0.0.1 are all free now (below
    the kernel's ephemeral range, so outgoing connections will not take them meanwhile)."""
    span = nodes * PORT_STRIDE
    for base in range(low + (os.getpid() * PORT_STRIDE) % (high - low - span), high - span, span):
        if all(_port_free(port) for port in range(base, base + span)):
            return base
    raise LocalnetError(f"no {span} free consecutive ports between {low} and {high}")


def _port_free(port: int) -> bool:
    """Whether a server could listen on the port now (like cometbft and our app, with
    SO_REUSEADDR, so connections lingering in TIME_WAIT do not count)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


# ---- processes recorded in pids.json (stopped from another process) ------------------------

def read_pids(directory: Path) -> dict:
    path = Path(directory) / PID_FILE
    return json.loads(path.read_text()) if path.is_file() else {}


def _start_time(pid: int) -> str | None:
    """The kernel's start time of a live (not zombie) process, or None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return None if fields[0] == "Z" else fields[19]


def recorded_alive(directory: Path) -> list[tuple[str, str, int, str]]:
    """(node, app|cometbft, pid, start time) of each recorded process still the one we started."""
    return [
        (name, kind, record["pid"], record["started"])
        for name, entry in read_pids(directory).items()
        for kind, record in entry.items()
        if record["started"] is not None and _start_time(record["pid"]) == record["started"]
    ]


def stop_recorded(directory: Path, timeout_s: float = STOP_TIMEOUT_S) -> int:
    """SIGTERM every recorded cometbft, then every app (SIGKILL after `timeout_s`); removes
    pids.json. Returns how many processes were running."""
    alive = recorded_alive(directory)
    for kind in ("cometbft", "app"):
        pids = {pid: started for _, k, pid, started in alive if k == kind}
        for sig, wait_s in ((signal.SIGTERM, timeout_s), (signal.SIGKILL, 5)):
            for pid, started in pids.items():
                if _start_time(pid) == started:
                    _signal(pid, sig)
            deadline = time.monotonic() + wait_s
            while time.monotonic() < deadline and any(_start_time(p) == s for p, s in pids.items()):
                time.sleep(0.1)
    (Path(directory) / PID_FILE).unlink(missing_ok=True)
    return len(alive)


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


# ---- the command group -----------------------------------------------------------------------

def add_parsers(commands: argparse._SubParsersAction) -> None:
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--dir", type=Path, help="the localnet folder (default <home>/localnet)")
    starting = argparse.ArgumentParser(add_help=False)
    starting.add_argument("--validators", type=int, default=DEFAULT_VALIDATORS)
    starting.add_argument("--base-port", type=int, default=DEFAULT_BASE_PORT,
                          help="node i uses p2p base+10i, RPC base+10i+1, ABCI base+10i+2")
    localnet = commands.add_parser("localnet", parents=[where, starting],
                                   help="several validators on 127.0.0.1 (start|stop|status|add-node; "
                                        "no command: start)")
    localnet.set_defaults(run=run_start)
    sub = localnet.add_subparsers(dest="localnet_command")
    sub.add_parser("start", parents=[where, starting],
                   help="create the nodes if missing and start them in the background").set_defaults(run=run_start)
    sub.add_parser("stop", parents=[where], help="stop every node started").set_defaults(run=run_stop)
    sub.add_parser("status", parents=[where], help="each node's height and validator status "
                   "(exit 1 if a node does not answer)").set_defaults(run=run_status)
    sub.add_parser("add-node", parents=[where], help="start one more node, a non-validator").set_defaults(
        run=run_add_node)


def _directory(args: argparse.Namespace) -> Path:
    return args.dir if args.dir is not None else Path(args.home) / "localnet"


def run_start(args: argparse.Namespace) -> int:
    directory = _directory(args)
    if recorded_alive(directory):
        print(f"the localnet in {directory} is running: `miles localnet stop --dir {directory}` first", file=sys.stderr)
        return 1
    try:
        net = Localnet(directory, args.validators, base_port=args.base_port, detach=True)
    except (LocalnetError, cometbft.CometbftMissing) as exc:
        print(exc, file=sys.stderr)
        return 1
    busy = [port for node in net.nodes for port in (node.config.p2p_port, node.config.rpc_port,
                                                     node.config.abci_port, node.config.gateway_port)
            if port is not None and not _port_free(port)]
    if busy:
        print(f"ports in use: {busy}; choose another --base-port", file=sys.stderr)
        return 1
    started = False
    try:
        net.start()
        started = True
    except (TimeoutError, RuntimeError) as exc:
        print(f"the localnet did not start: {exc}", file=sys.stderr)
        for node in [node for node in net.nodes if _exited(node)] or net.nodes:
            _print_tails(node)
    finally:
        if not started:
            net.stop()
    if not started:
        return 1
    print(f"localnet {CHAIN_ID} running in {directory} (EVM chain id {EVM_CHAIN_ID})")
    for node in net.nodes:
        print(f"  {node.name}: RPC {node.config.rpc_url}  Ethereum JSON-RPC {node.config.gateway_url}")
    return 0


def run_stop(args: argparse.Namespace) -> int:
    directory = _directory(args)
    stopped = stop_recorded(directory)
    print(f"stopped {stopped} processes in {directory}" if stopped else f"nothing running in {directory}")
    return 0


def run_status(args: argparse.Namespace) -> int:
    try:
        net = Localnet.open(_directory(args))
    except LocalnetError as exc:
        print(exc, file=sys.stderr)
        return 1
    validators = None
    for node in net.nodes:
        try:
            validators = {v["address"] for v in node.rpc.call("validators")["validators"]}
            break
        except RpcError:
            continue
    down = 0
    print(f"{'node':<8}{'height':>8}  {'validator':<10}{'rpc':<26}ethereum json-rpc")
    for node in net.nodes:
        try:
            height = str(node.rpc.height())
        except RpcError:
            height, down = "down", down + 1
        member = "?" if validators is None else ("yes" if validator_address(node) in validators else "no")
        print(f"{node.name:<8}{height:>8}  {member:<10}{node.config.rpc_url:<26}{node.config.gateway_url}")
    return 1 if down else 0


def run_add_node(args: argparse.Namespace) -> int:
    try:
        net = Localnet.open(_directory(args), detach=True)
    except LocalnetError as exc:
        print(exc, file=sys.stderr)
        return 1
    if not any(node.height() for node in net.nodes):
        print("no node of the localnet answers: `miles localnet start` first", file=sys.stderr)
        return 1
    try:
        node = net.add_node()
    except (TimeoutError, RuntimeError) as exc:
        print(f"the new node did not sync: {exc}", file=sys.stderr)
        _print_tails(net.nodes[-1])
        net.stop()
        return 1
    print(f"{node.name} (non-validator) synced to height {node.height()}: RPC {node.config.rpc_url}")
    return 0


def _exited(node: LocalNode) -> bool:
    return any(process is not None and process.poll() is not None for process in (node.app, node.node))


def _print_tails(node: LocalNode) -> None:
    for name in ("app", "cometbft"):
        lines = node.log_text(name).splitlines()[-LOG_TAIL_LINES:]
        if lines:
            print(f"--- {node.name}/{name}.log (last {len(lines)} lines)", file=sys.stderr)
            print("\n".join(lines), file=sys.stderr)
