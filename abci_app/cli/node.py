"""`miles init`, `miles start` (app and cometbft together) and `miles app` (the ABCI server alone)."""

import argparse
import asyncio
import shutil
import signal
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import structlog

from ..app import Application
from ..logs import configure_logging
from ..app.metrics import serve_metrics
from ..explorer import server as explorer_server
from ..rpc.gateway import Gateway
from ..rpc.gateway.filters import LogLimits
from ..server import serve_grpc, serve_socket
from . import cometbft, upgrader
from .config import Config, ConfigError, choose, flag_default, given
from .devgenesis import dev_app_state, genesis_validators, validator_pubkey
from .home import Home
from .statesync import redo_unconfirmed_state_sync
from .wallet import DEV_ACCOUNT_COUNT, dev_account

log = structlog.get_logger(__name__)

DEFAULT_CHAIN_ID = "miles-devnet"
DEFAULT_EVM_CHAIN_ID = 1818
GATEWAY_PORT = 8545  # as geth
DEFAULT_CORS = ""  # no browser origin unless the operator names some (docs/decisions.md)
METRICS_PORT = 26660


def add_parsers(commands: argparse._SubParsersAction) -> None:
    init = commands.add_parser("init", help="create a home folder for a single-validator devnet")
    init.add_argument("--chain-id", default=DEFAULT_CHAIN_ID)
    init.add_argument("--evm-chain-id", type=int, default=DEFAULT_EVM_CHAIN_ID)
    init.add_argument("--abci", choices=("socket", "grpc"), default="socket")
    defaults = cometbft.NodeConfig()
    init.add_argument("--rpc-port", type=int, default=defaults.rpc_port)
    init.add_argument("--p2p-port", type=int, default=defaults.p2p_port)
    init.add_argument("--abci-port", type=int, default=defaults.abci_port)
    init.add_argument("--force", action="store_true", help="replace an existing home")
    init.set_defaults(run=run_init)

    start = commands.add_parser("start", help="run the app and cometbft together (Ctrl-C stops both)")
    start.add_argument("--gateway-port", type=int, default=flag_default(GATEWAY_PORT),
                       help="Ethereum JSON-RPC gateway on 127.0.0.1 (default: [gateway] port of miles.toml, "
                            f"else {GATEWAY_PORT})")
    start.add_argument("--no-gateway", action="store_true", help="do not start the Ethereum JSON-RPC gateway")
    start.add_argument("--metrics-port", type=int, default=flag_default(METRICS_PORT),
                       help=f"the app's Prometheus /metrics on 127.0.0.1 (default: [metrics] port of miles.toml, "
                            f"else {METRICS_PORT})")
    start.add_argument("--no-metrics", action="store_true", help="do not serve the app's Prometheus metrics")
    start.add_argument("--upgrade-dir", type=Path, default=None, metavar="DIR",
                       help="at an upgrade height, restart with DIR/<plan>/bin/miles by itself (docs/operators.md)")
    start.set_defaults(run=run_start)

    app = commands.add_parser("app", help="run only the ABCI application server")
    app.add_argument("--gateway-port", type=int, default=None,
                     help="also serve the Ethereum JSON-RPC gateway on 127.0.0.1 (default: [gateway] port "
                          f"of miles.toml, off if 0; usually {GATEWAY_PORT})")
    app.add_argument("--metrics-port", type=int, default=None,
                     help="serve the app's Prometheus /metrics on 127.0.0.1 (default: [metrics] port of "
                          f"miles.toml, off if 0; usually {METRICS_PORT})")
    app.set_defaults(run=run_app)
    explorer = commands.add_parser("explorer", help="serve the browser explorer for any node (miles start serves "
                                                    "one at the gateway's /explorer/)")
    explorer.add_argument("--rpc", default=f"http://127.0.0.1:{cometbft.NodeConfig().rpc_port}",
                          help="the node's CometBFT RPC (default: %(default)s)")
    explorer.add_argument("--gateway", default=f"http://127.0.0.1:{GATEWAY_PORT}",
                          help="the node's Ethereum JSON-RPC gateway (default: %(default)s)")
    explorer.add_argument("--host", default="127.0.0.1")
    explorer.add_argument("--port", type=int, default=8600, help="where to serve it (default: %(default)s)")
    explorer.set_defaults(run=run_explorer)
    limits = LogLimits()
    for command in (start, app):
        command.add_argument("--no-explorer", action="store_true",
                             help="do not serve the browser explorer under the gateway's /explorer/")
        command.add_argument("--cors", default=flag_default(DEFAULT_CORS), metavar="ORIGINS",
                             help="browser origins allowed to use the gateway: * (default), a comma-separated "
                                  "list, or '' for none (default: [gateway] cors of miles.toml)")
        command.add_argument("--logs-max-blocks", type=_log_blocks, default=flag_default(limits.max_blocks),
                             metavar="N", help=f"blocks one eth_getLogs may span (default and most "
                                               f"{limits.max_blocks}; [gateway] logs_max_blocks)")
        command.add_argument("--logs-max-results", type=_log_results, default=flag_default(limits.max_results),
                             metavar="N", help=f"logs one eth_getLogs may answer (default and most "
                                               f"{limits.max_results}; [gateway] logs_max_results)")


def run_explorer(args: argparse.Namespace) -> int:
    """`miles explorer`: the explorer's pages for the node at --rpc and --gateway, until Ctrl-C."""
    explorer_server.serve(args.rpc, args.gateway, args.host, args.port)
    return 0


def _bounded(most: int):
    def parse(text: str) -> int:
        value = int(text)
        if not 1 <= value <= most:
            raise argparse.ArgumentTypeError(f"must be 1 to {most}")
        return value
    return parse


_log_blocks = _bounded(LogLimits().max_blocks)     # the app serves at most this many per /logs query
_log_results = _bounded(LogLimits().max_results)


def create_home(home: Home, config: cometbft.NodeConfig, chain_id: str = DEFAULT_CHAIN_ID,
                evm_chain_id: int = DEFAULT_EVM_CHAIN_ID, *, genesis_extra: Mapping | None = None,
                **sections) -> Path:
    """A devnet home: cometbft's keys and config, our genesis (with `genesis_extra`'s accounts and
    params, see dev_app_state), the node settings (miles.toml: `config` as [node], other sections
    from `sections`, e.g. app={"snapshot_interval": 10}). Returns the binary."""
    binary = cometbft.find_cometbft()
    cometbft.init_home(binary, home.cometbft, config)
    app_state = dev_app_state(evm_chain_id, [validator_pubkey(home.cometbft)], genesis_extra)
    cometbft.write_genesis(home.cometbft, chain_id, app_state, genesis_validators(app_state))
    home.save_config(config, **sections)
    return binary


def run_init(args: argparse.Namespace) -> int:
    home = Home(args.home)
    if home.initialised and not args.force:
        print(f"{home.path} already exists (use --force to replace it)", file=sys.stderr)
        return 1
    if args.force and home.path.exists():
        shutil.rmtree(home.path)
    config = cometbft.NodeConfig(
        abci=args.abci, rpc_port=args.rpc_port, p2p_port=args.p2p_port, abci_port=args.abci_port
    )
    try:
        create_home(home, config, args.chain_id, args.evm_chain_id)
    except cometbft.CometbftMissing as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"initialised {home.path}: chain {args.chain_id}, EVM chain id {args.evm_chain_id}")
    for i in range(DEV_ACCOUNT_COUNT):
        print(f"  dev account {i}: {dev_account(i).address}")
    return 0


async def serve(app: Application, config: cometbft.NodeConfig) -> None:
    """Serve the application over the configured ABCI transport until cancelled."""
    if config.abci == "grpc":
        await serve_grpc(app, config.host, config.abci_port)
    else:
        await serve_socket(app, config.host, config.abci_port)


def start_gateway(config: cometbft.NodeConfig, port: int | None, cors: str = DEFAULT_CORS,
                  limits: LogLimits = LogLimits(), rpc_url: str = "", explorer: bool = True):
    """The Ethereum JSON-RPC gateway on the node's host, in front of its CometBFT RPC (or
    `rpc_url`), with the explorer under /explorer/ unless told not to, or None (not asked for,
    or the port is taken: the chain runs on without it, with a warning)."""
    if port is None:
        return None
    try:
        gateway = Gateway(rpc_url or config.rpc_url, host=config.host, port=port, cors=cors, limits=limits,
                          explorer=explorer).start()
    except OSError as exc:
        log.warning("gateway_not_started", port=port, error=str(exc))
        print(f"Ethereum JSON-RPC gateway not started on {config.host}:{port}: {exc}", file=sys.stderr)
        return None
    return gateway


def _log_limits(args: argparse.Namespace, settings: Config = Config()) -> LogLimits:
    return LogLimits(max_blocks=choose(args.logs_max_blocks, settings.gateway.logs_max_blocks),
                     max_results=choose(args.logs_max_results, settings.gateway.logs_max_results))


def load_settings(args: argparse.Namespace) -> Config | int:
    """The home's miles.toml with the environment's overrides, or the exit code after saying
    why not (2: a bad setting, named). Applies [log] format unless --log-format was given."""
    home = Home(args.home)
    try:
        settings = home.load()
    except ConfigError as exc:
        print(f"bad configuration: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(exc, file=sys.stderr)
        return 1
    if not given(getattr(args, "log_format", None)):
        configure_logging(settings.log.format)
    return settings


@dataclass(frozen=True, slots=True)
class Serving:
    """What `miles start/app` serves beside ABCI, after flags, environment and miles.toml."""

    gateway_port: int | None
    gateway_rpc_url: str
    cors: str
    limits: LogLimits
    metrics_port: int | None
    explorer: bool = True


def serving(args: argparse.Namespace, settings: Config, start: bool) -> Serving:
    """A flag given on the command line wins over the settings (environment, then miles.toml).
    A port of 0 in the settings means `miles start`'s usual port, and none for `miles app`."""
    if start:
        gateway = None if args.no_gateway else choose(args.gateway_port, settings.gateway.port or GATEWAY_PORT)
        metrics = None if getattr(args, "no_metrics", False) else choose(
            getattr(args, "metrics_port", None), settings.metrics.port or METRICS_PORT)
    else:
        gateway = choose(args.gateway_port, settings.gateway.port or None)
        metrics = choose(getattr(args, "metrics_port", None), settings.metrics.port or None)
    return Serving(gateway_port=gateway, gateway_rpc_url=settings.gateway.rpc_url, cors=choose(args.cors, settings.gateway.cors),
                   limits=_log_limits(args, settings), metrics_port=metrics,
                   explorer=not getattr(args, "no_explorer", False))


def open_app(home: Home, settings: Config) -> Application:
    """The application on the home's store, its query workers started (app/query_pool.py)."""
    db = settings.app_db(home.path)
    db.parent.mkdir(parents=True, exist_ok=True)
    app = Application(str(db), settings=settings.app_settings())
    app.start_query_workers()
    return app


def start_metrics(app: Application, port: int | None):
    """The app's Prometheus endpoint on 127.0.0.1:`port`, or None (not asked for, or the port is
    taken: the chain runs on without it, with a warning)."""
    if port is None:
        return None
    try:
        server = serve_metrics(app.metrics, port)
    except OSError as exc:
        log.warning("metrics_not_started", port=port, error=str(exc))
        return None
    log.info("metrics_listening", address=f"127.0.0.1:{port}", path="/metrics")
    return server


def _stop(*servers) -> None:
    for server in servers:
        if server is not None:
            server.shutdown()
            server.server_close()


def run_app(args: argparse.Namespace) -> int:
    home = Home(args.home)
    settings = load_settings(args)
    if isinstance(settings, int):
        return settings
    config = settings.node_config()
    app = open_app(home, settings)
    log.info("abci_listening", abci=config.abci, address=f"{config.host}:{config.abci_port}")
    chosen = serving(args, settings, start=False)
    gateway = start_gateway(config, chosen.gateway_port, chosen.cors, chosen.limits, chosen.gateway_rpc_url,
                            chosen.explorer)
    metrics = start_metrics(app, chosen.metrics_port)
    try:
        asyncio.run(_serve_until_signalled(app, config))
    except KeyboardInterrupt:
        pass
    finally:
        if gateway is not None:
            gateway.stop()
        _stop(metrics)
        app.close()
    return 0


def run_start(args: argparse.Namespace) -> int:
    home = Home(args.home)
    settings = load_settings(args)
    if isinstance(settings, int):
        return settings
    if args.upgrade_dir is not None:
        return upgrader.supervise(args.argv, args.upgrade_dir.resolve(), settings.app_db(home.path).parent)
    config = settings.node_config()
    try:
        binary = cometbft.find_cometbft()
    except cometbft.CometbftMissing as exc:
        print(exc, file=sys.stderr)
        return 1
    cometbft.configure(home.cometbft, config)  # miles.toml's [node] (and its overrides) is what runs
    redo_unconfirmed_state_sync(binary, home.cometbft, settings.app_db(home.path))
    app = open_app(home, settings)
    chosen = serving(args, settings, start=True)
    gateway = start_gateway(config, chosen.gateway_port, chosen.cors, chosen.limits, chosen.gateway_rpc_url,
                            chosen.explorer)
    metrics = start_metrics(app, chosen.metrics_port)
    try:
        return asyncio.run(_run_both(app, config, binary, home, gateway))
    finally:
        if gateway is not None:
            gateway.stop()
        _stop(metrics)
        app.close()


async def _serve_until_signalled(app: Application, config: cometbft.NodeConfig) -> None:
    """Serve until SIGINT or SIGTERM, then stop serving (the caller closes the app)."""
    server = asyncio.create_task(serve(app, config))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    waiter = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({waiter, server}, return_when=asyncio.FIRST_COMPLETED)
    waiter.cancel()
    if server in done:
        return server.result()  # its failure (a port in use) ends the command
    server.cancel()
    await asyncio.gather(server, return_exceptions=True)


async def _run_both(app: Application, config: cometbft.NodeConfig, binary: Path, home: Home, gateway=None) -> int:
    server = asyncio.create_task(serve(app, config))
    node = await asyncio.create_subprocess_exec(*cometbft.node_command(binary, home.cometbft))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    served = f"  Ethereum JSON-RPC {gateway.url}" if gateway is not None else ""
    print(f"chain running: CometBFT RPC {config.rpc_url}{served}  (Ctrl-C stops)", flush=True)
    waiter = asyncio.create_task(stop.wait())
    exited = asyncio.create_task(node.wait())
    await asyncio.wait({waiter, exited, server}, return_when=asyncio.FIRST_COMPLETED)
    if node.returncode is None:
        node.terminate()
        try:
            await asyncio.wait_for(node.wait(), 15)
        except TimeoutError:
            node.kill()
            await node.wait()
    server.cancel()
    await asyncio.gather(server, return_exceptions=True)
    if stop.is_set():
        return 0
    print(f"cometbft exited with code {node.returncode}", file=sys.stderr)
    return 1 if node.returncode in (0, None) else node.returncode

