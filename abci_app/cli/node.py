"""`miles init`, `miles start` (app and cometbft together) and `miles app` (the ABCI server alone)."""

import argparse
import asyncio
import shutil
import signal
import sys
from pathlib import Path

import structlog

from ..app import Application
from ..app.metrics import serve_metrics
from ..rpc.gateway import Gateway
from ..rpc.gateway.filters import LogLimits
from ..server import serve_grpc, serve_socket
from . import cometbft
from .devgenesis import dev_app_state, genesis_validators, validator_pubkey
from .home import Home
from .wallet import DEV_ACCOUNT_COUNT, dev_account

log = structlog.get_logger(__name__)

DEFAULT_CHAIN_ID = "miles-devnet"
DEFAULT_EVM_CHAIN_ID = 1818
GATEWAY_PORT = 8545  # as geth
DEFAULT_CORS = "*"  # the gateway holds no keys (docs/decisions.md)
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
    start.add_argument("--gateway-port", type=int, default=GATEWAY_PORT,
                       help=f"Ethereum JSON-RPC gateway on 127.0.0.1 (default {GATEWAY_PORT})")
    start.add_argument("--no-gateway", action="store_true", help="do not start the Ethereum JSON-RPC gateway")
    start.add_argument("--metrics-port", type=int, default=METRICS_PORT,
                       help=f"the app's Prometheus /metrics on 127.0.0.1 (default {METRICS_PORT})")
    start.add_argument("--no-metrics", action="store_true", help="do not serve the app's Prometheus metrics")
    start.set_defaults(run=run_start)

    app = commands.add_parser("app", help="run only the ABCI application server")
    app.add_argument("--gateway-port", type=int, default=None,
                     help="also serve the Ethereum JSON-RPC gateway on 127.0.0.1 (default: the node's "
                          f"gateway_port setting, off if none; usually {GATEWAY_PORT})")
    app.add_argument("--metrics-port", type=int, default=None,
                     help=f"serve the app's Prometheus /metrics on 127.0.0.1 (off unless given; usually {METRICS_PORT})")
    app.set_defaults(run=run_app)
    limits = LogLimits()
    for command in (start, app):
        command.add_argument("--cors", default=DEFAULT_CORS, metavar="ORIGINS",
                             help="browser origins allowed to use the gateway: * (default), a comma-separated "
                                  "list, or '' for none")
        command.add_argument("--logs-max-blocks", type=_log_blocks, default=limits.max_blocks, metavar="N",
                             help=f"blocks one eth_getLogs may span (default and most {limits.max_blocks})")
        command.add_argument("--logs-max-results", type=_log_results, default=limits.max_results, metavar="N",
                             help=f"logs one eth_getLogs may answer (default and most {limits.max_results})")


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
                evm_chain_id: int = DEFAULT_EVM_CHAIN_ID) -> Path:
    """A devnet home: cometbft's keys and config, our genesis, the node settings. Returns the binary."""
    binary = cometbft.find_cometbft()
    cometbft.init_home(binary, home.cometbft, config)
    app_state = dev_app_state(evm_chain_id, [validator_pubkey(home.cometbft)])
    cometbft.write_genesis(home.cometbft, chain_id, app_state, genesis_validators(app_state))
    home.save_config(config)
    return binary


def run_init(args: argparse.Namespace) -> int:
    home = Home(args.home)
    if home.settings.exists() and not args.force:
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
                  limits: LogLimits = LogLimits()):
    """The Ethereum JSON-RPC gateway in front of this node's CometBFT RPC, or None (not asked
    for, or the port is taken: the chain runs on without it, with a warning)."""
    if port is None:
        return None
    try:
        gateway = Gateway(config.rpc_url, port=port, cors=cors, limits=limits).start()
    except OSError as exc:
        log.warning("gateway_not_started", port=port, error=str(exc))
        print(f"Ethereum JSON-RPC gateway not started on 127.0.0.1:{port}: {exc}", file=sys.stderr)
        return None
    return gateway


def _log_limits(args: argparse.Namespace) -> LogLimits:
    return LogLimits(max_blocks=args.logs_max_blocks, max_results=args.logs_max_results)


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
    config = home.load_config()
    home.app_db.parent.mkdir(parents=True, exist_ok=True)
    app = Application(str(home.app_db))
    log.info("abci_listening", abci=config.abci, address=f"{config.host}:{config.abci_port}")
    gateway_port = args.gateway_port if args.gateway_port is not None else config.gateway_port
    gateway = start_gateway(config, gateway_port, args.cors, _log_limits(args))
    metrics = start_metrics(app, getattr(args, "metrics_port", None))
    try:
        asyncio.run(serve(app, config))
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
    config = home.load_config()
    try:
        binary = cometbft.find_cometbft()
    except cometbft.CometbftMissing as exc:
        print(exc, file=sys.stderr)
        return 1
    home.app_db.parent.mkdir(parents=True, exist_ok=True)
    app = Application(str(home.app_db))
    gateway = None if args.no_gateway else start_gateway(config, args.gateway_port, args.cors, _log_limits(args))
    metrics_port = None if getattr(args, "no_metrics", False) else getattr(args, "metrics_port", METRICS_PORT)
    metrics = start_metrics(app, metrics_port)
    try:
        return asyncio.run(_run_both(app, config, binary, home, gateway))
    finally:
        if gateway is not None:
            gateway.stop()
        _stop(metrics)
        app.close()


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

