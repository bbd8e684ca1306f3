"""`miles compose-init`: the homes of the docker-compose network (docker-compose.yml).

The same homes as `miles localnet` (`Localnet` writes them: one genesis, validator i operated by
dev account i, every node peered with the others), with container addresses instead of
127.0.0.1: every server listens on 0.0.0.0 inside its container, node i's cometbft reaches its
app at `tcp://app<i>:26658` and its peers at `<node id>@cometbft<j>:26656`, the service names of
docker-compose.yml. Every node uses the default ports, as each container has its own address.

Run once by the compose `init` service; a second run finds the homes complete and changes nothing,
so `docker compose up` can run it every time. `--add-node N` writes one more home, node<N>, for a
non-validator that joins the running network (same genesis, the validators as persistent peers).
"""

import argparse
import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path

from . import cometbft
from .home import Home
from .localnet import (
    DEFAULT_VALIDATORS, EMPTY_BLOCKS_INTERVAL, EXTRA_SETTINGS, TIMEOUT_COMMIT, Localnet, LocalnetError, _genesis,
    _set_options,
)

LISTEN_HOST = "0.0.0.0"
APP_SERVICE = "app"  # app<i> in docker-compose.yml
COMETBFT_SERVICE = "cometbft"  # cometbft<i> in docker-compose.yml
DEFAULTS = cometbft.NodeConfig()
GATEWAY_PORT = 8545  # node 0's is published by docker-compose.yml


class ComposeNet(Localnet):
    """Localnet homes addressed by compose service names; never started from here."""

    def _node_config(self, index: int, abci: str, taken: set[int]) -> cometbft.NodeConfig:
        return compose_config(index, abci)

    def _init_node(self, index: int, config: cometbft.NodeConfig, app_settings=None) -> Home:
        home = super()._init_node(index, config, app_settings)
        _set_options(home, [(None, "proxy_app", proxy_app(index, config))])
        settings = home.load(env={})   # every app serves a gateway in front of its node's cometbft
        home.save(dataclasses.replace(settings, gateway=dataclasses.replace(
            settings.gateway, port=GATEWAY_PORT, rpc_url=f"http://{COMETBFT_SERVICE}{index}:{config.rpc_port}")))
        return home

    def _peer_address(self, home: Home) -> str:
        return peer_address(self.binary, home)


def compose_config(index: int, abci: str) -> cometbft.NodeConfig:
    """Default ports, listening on every interface of the container."""
    return cometbft.NodeConfig(
        p2p_port=DEFAULTS.p2p_port, rpc_port=DEFAULTS.rpc_port, abci_port=DEFAULTS.abci_port, abci=abci,
        host=LISTEN_HOST, timeout_commit=TIMEOUT_COMMIT, empty_blocks_interval=EMPTY_BLOCKS_INTERVAL,
        moniker=f"node{index}",
    )


def peer_address(binary: Path, home: Home) -> str:
    """`<node id>@cometbft<i>:26656`, the node's compose service as persistent_peers wants it."""
    out = subprocess.run([str(binary), "show-node-id", "--home", str(home.cometbft)],
                         capture_output=True, text=True, check=True, timeout=30)
    return f"{out.stdout.strip()}@{COMETBFT_SERVICE}{_index(home)}:{home.load_config(env={}).p2p_port}"


def proxy_app(index: int, config: cometbft.NodeConfig) -> str:
    """Where cometbft<i> finds its app: the app<i> service (socket `tcp://host:port`, gRPC `host:port`)."""
    address = f"{APP_SERVICE}{index}:{config.abci_port}"
    return address if config.abci == "grpc" else f"tcp://{address}"


def _index(home: Home) -> int:
    return int(home.path.name.removeprefix("node"))


def complete(directory: Path, validators: int) -> bool:
    """Whether every home is there: settings, genesis and keys of each node."""
    return all(
        Home(directory / f"node{i}").initialised
        and (directory / f"node{i}" / "cometbft" / "config" / "genesis.json").is_file()
        and (directory / f"node{i}" / "cometbft" / "config" / "priv_validator_key.json").is_file()
        for i in range(validators)
    )


def init_network(directory: Path, validators: int = DEFAULT_VALIDATORS, abci: str = "socket") -> bool:
    """Write the homes node0..node{N-1} under `directory` unless they are complete already.
    Returns whether anything was written."""
    if complete(directory, validators):
        return False
    if any(Home(directory / f"node{i}").initialised for i in range(validators)):
        raise LocalnetError(f"{directory} holds a partly written network: empty its volumes and run again")
    ComposeNet(directory, validators, abci)
    return True


def add_node(directory: Path, index: int, validators: int = DEFAULT_VALIDATORS) -> bool:
    """Write node<index>, a non-validator: node0's genesis, node0..node{validators-1} as peers.
    Returns whether anything was written (nothing if the home is complete)."""
    if not complete(directory, validators):
        raise LocalnetError(f"the homes node0..node{validators - 1} are not all in {directory}")
    home = Home(directory / f"node{index}")
    if index < validators:
        raise LocalnetError(f"node{index} is a validator of the network: add node{validators} or above")
    if home.initialised and _genesis(home).is_file():
        return False
    binary = cometbft.find_cometbft()
    first = Home(directory / "node0")
    config = compose_config(index, first.load_config(env={}).abci)
    cometbft.init_home(binary, home.cometbft, config)
    peers = ",".join(peer_address(binary, Home(directory / f"node{i}")) for i in range(validators))
    _set_options(home, [*EXTRA_SETTINGS, (None, "proxy_app", proxy_app(index, config)),
                        ("p2p", "persistent_peers", peers)])
    shutil.copyfile(_genesis(first), _genesis(home))
    home.save_config(config)  # last: the home is complete
    return True


def chown_tree(directory: Path, uid: int, gid: int) -> None:
    for root, dirs, files in os.walk(directory):
        os.chown(root, uid, gid)
        for name in dirs + files:
            os.chown(os.path.join(root, name), uid, gid, follow_symlinks=False)


def add_parsers(commands: argparse._SubParsersAction) -> None:
    init = commands.add_parser("compose-init", help="write the homes of the docker-compose network "
                               "(service names as addresses); does nothing if they exist")
    init.add_argument("--dir", type=Path, required=True, help="node i's home is <dir>/node<i>")
    init.add_argument("--validators", type=int, default=DEFAULT_VALIDATORS)
    init.add_argument("--abci", choices=("socket", "grpc"), default="socket")
    init.add_argument("--owner", metavar="UID:GID",
                      help="give the written homes to this user (the one the node containers run as)")
    init.add_argument("--add-node", type=int, metavar="N",
                      help="instead: write node<N>, a non-validator joining the validators' network")
    init.set_defaults(run=run_init)


def run_init(args: argparse.Namespace) -> int:
    joining = args.add_node is not None
    try:
        if joining:
            written = add_node(args.dir, args.add_node, args.validators)
        else:
            written = init_network(args.dir, args.validators, args.abci)
    except (LocalnetError, cometbft.CometbftMissing) as exc:
        print(exc, file=sys.stderr)
        return 1
    homes = [args.add_node] if joining else range(args.validators)
    if args.owner:
        uid, gid = (int(part) for part in args.owner.split(":", 1))
        for i in homes:
            chown_tree(args.dir / f"node{i}", uid, gid)
    state = "written" if written else "already there, unchanged"
    what = f"node{args.add_node} (non-validator)" if joining else f"{args.validators} node homes"
    print(f"{what} in {args.dir}: {state}")
    return 0
