"""`miles query account|tx`: read committed state through CometBFT's abci_query."""

import argparse
import json
import sys

from ..rpc import CometRPC, RpcError


def add_parsers(commands: argparse._SubParsersAction) -> None:
    query = commands.add_parser("query", help="read committed state").add_subparsers(dest="query", required=True)
    account = query.add_parser("account", help="balance, nonce and code hash of an address")
    account.add_argument("address")
    account.set_defaults(run=lambda args: _print(args, f"/account/{args.address}"))
    tx = query.add_parser("tx", help="receipt of a committed transaction")
    tx.add_argument("hash")
    tx.set_defaults(run=lambda args: _print(args, f"/tx/{args.hash}"))


def _print(args: argparse.Namespace, path: str) -> int:
    try:
        print(json.dumps(CometRPC(args.node).query_json(path), indent=2))
    except RpcError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0
