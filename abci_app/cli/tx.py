"""`miles tx send`: sign a CMT transfer with a local key and broadcast it through CometBFT."""

import argparse
import sys

from ..rpc import RpcError
from .send import (DEFAULT_WAIT_S, SendError, UsageError, add_signer_arguments, load_sender, parse_address,
                   parse_cmt, transact)

__all__ = ["add_parsers", "parse_cmt", "run_send"]


def add_parsers(commands: argparse._SubParsersAction) -> None:
    tx = commands.add_parser("tx", help="sign and broadcast transactions").add_subparsers(dest="tx", required=True)
    send = tx.add_parser("send", help="send CMT to an address")
    send.add_argument("--to", required=True, help="recipient 0x address")
    send.add_argument("--value", required=True, help="amount in CMT (decimals allowed)")
    add_signer_arguments(send)
    send.add_argument("--wait", action="store_true",
                      help="wait for the block (up to --wait-timeout seconds) and report a failure")
    send.add_argument("--wait-timeout", type=float, default=DEFAULT_WAIT_S, metavar="SECONDS")
    send.set_defaults(run=run_send)


def run_send(args: argparse.Namespace) -> int:
    try:
        to = parse_address(args.to, "--to")
        value_wei = parse_cmt(args.value)
        sender = load_sender(args)
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        sent = transact(args, sender, to, value_wei, wait=args.wait)
    except (RpcError, SendError) as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"sent {args.value} CMT from {sent.sender} to {to}: {sent.tx_hash}")
    if sent.reverted:
        print(f"failed in block {sent.receipt['height']}: {sent.receipt.get('error', '')}", file=sys.stderr)
        return 1
    return 0
