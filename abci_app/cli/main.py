"""`miles`: the node operator's and developer's command line."""

import argparse
import sys
from pathlib import Path

from ..logs import configure_logging
from . import arbitration, bench, gov, group, identity, keys, localnet, node, query, tx
from . import stake
from . import compose
from .config import flag_default
from .home import DEFAULT_HOME


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="miles", description="A CyberMiles-style e-commerce chain on CometBFT.")
    parser.add_argument("--home", type=Path, default=DEFAULT_HOME, help=f"node home folder (default {DEFAULT_HOME})")
    parser.add_argument("--node", default="http://127.0.0.1:26657", help="CometBFT RPC address for tx/query")
    parser.add_argument("--log-format", choices=("auto", "console", "json"), default=flag_default("auto"),
                        help="log output: JSON lines, console, or auto (console on a terminal, JSON otherwise; "
                             "`miles start/app` default to [log] format of miles.toml)")
    commands = parser.add_subparsers(dest="command", required=True)
    node.add_parsers(commands)
    keys.add_parsers(commands)
    tx.add_parsers(commands)
    query.add_parsers(commands)
    stake.add_parsers(commands)
    identity.add_parsers(commands)
    group.add_parsers(commands)
    gov.add_parsers(commands)
    arbitration.add_parsers(commands)
    bench.add_parsers(commands)
    localnet.add_parsers(commands)
    compose.add_parsers(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # what `start --upgrade-dir` restarts with
    configure_logging(args.log_format)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
