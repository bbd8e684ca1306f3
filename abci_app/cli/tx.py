"""`miles tx send`: sign a CMT transfer with a local key and broadcast it through CometBFT."""

import argparse
import sys
from decimal import Decimal, InvalidOperation

from eth_account import Account
from eth_hash.auto import keccak
from eth_utils import is_hex_address, to_checksum_address

from ..app.genesis import WEI_PER_CMT
from ..rpc import CometRPC, RpcError
from .wallet import GWEI, dev_account, sign_tx


def add_parsers(commands: argparse._SubParsersAction) -> None:
    tx = commands.add_parser("tx", help="sign and broadcast transactions").add_subparsers(dest="tx", required=True)
    send = tx.add_parser("send", help="send CMT to an address")
    send.add_argument("--to", required=True, help="recipient 0x address")
    send.add_argument("--value", required=True, help="amount in CMT (decimals allowed)")
    key = send.add_mutually_exclusive_group()
    key.add_argument("--key", help="hex private key of the sender")
    key.add_argument("--dev-account", type=int, default=0, help="index of a well-known dev account (default 0)")
    send.add_argument("--gas-price-gwei", type=int, default=1)
    send.set_defaults(run=run_send)


def parse_cmt(text: str) -> int:
    """CMT as a decimal string to wei, exactly (no floats)."""
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not an amount: {text!r}") from None
    wei = amount * WEI_PER_CMT
    if amount < 0 or wei != wei.to_integral_value():
        raise ValueError(f"not a CMT amount with at most 18 decimals: {text!r}")
    return int(wei)


def run_send(args: argparse.Namespace) -> int:
    if not is_hex_address(args.to):
        print(f"not an address: {args.to}", file=sys.stderr)
        return 2
    try:
        value_wei = parse_cmt(args.value)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    sender = Account.from_key(args.key) if args.key else dev_account(args.dev_account)
    rpc = CometRPC(args.node)
    try:
        account = rpc.query_json(f"/account/{sender.address}")
        chain_id = rpc.query_json("/chain")["chain_id"]
        raw = sign_tx(sender, account["nonce"], args.to, value_wei, chain_id=chain_id,
                      gas_price_wei=args.gas_price_gwei * GWEI)
        result = rpc.broadcast_tx_sync(raw)
    except RpcError as exc:
        print(exc, file=sys.stderr)
        return 1
    if int(result["code"]) != 0:
        print(f"rejected (code {result['code']}): {result.get('log', '')}", file=sys.stderr)
        return 1
    print(f"sent {args.value} CMT from {sender.address} to {to_checksum_address(args.to)}: 0x{keccak(raw).hex()}")
    return 0
