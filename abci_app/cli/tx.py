"""`miles tx send|call|deploy`: transactions signed on this machine, and read-only calls.

`send` transfers CMT and/or calls a contract (`--data 0x..`, or `--sig "f(uint256)" --args 5`),
`deploy` creates a contract (`--contract NAME` from contracts/build, or `--bytecode-file`) and
prints its address, `call` runs a function on the committed state without a transaction (the
`/call` query: no key, no fee) and prints its output. Sending commands sign with `--from` (the
keystore), `--key` or `--dev-account` (see send.py); any node's RPC is `--node URL`.
"""

import argparse
import json
import re
import sys
from pathlib import Path

from eth_abi import decode as abi_decode, is_encodable_type
from eth_abi import encode as abi_encode
from eth_abi.exceptions import DecodingError, EncodingError
from eth_hash.auto import keccak
from eth_utils import to_checksum_address

from ..contracts import load_contract
from ..precompiles.abi import split_types
from ..rpc import CometRPC, RpcError
from .send import (DEFAULT_WAIT_S, SendError, UsageError, add_node_argument, add_signer_arguments, call,
                   load_sender, parse_address, parse_cmt, transact)

__all__ = ["add_parsers", "encode_args", "parse_cmt", "parse_signature", "run_call", "run_deploy", "run_send"]

DEPLOY_WAIT_S = 60.0
_SIGNATURE = re.compile(r"\s*([A-Za-z_$][A-Za-z0-9_$]*)?\s*\((.*)\)\s*")
_INTEGER = re.compile(r"u?int(\d*)")
_ARRAY = re.compile(r"(.+)\[(\d*)\]")


# ---- ABI: signatures, arguments, results --------------------------------------------------------

def _split_types(text: str) -> list[str]:
    """Top-level comma-separated types ("uint256,(address,bool)[]" -> two types), canonical:
    uint -> uint256, int -> int256, parameter names dropped ("address owner" -> "address")."""
    canonical = []
    for raw in split_types(text) if text.strip() else ():
        words = raw.split()
        if not words:
            raise UsageError(f"empty type in {text!r}")
        abi_type = words[0]
        abi_type = re.sub(r"^(u?int)(?=$|\[)", r"\g<1>256", abi_type)
        if not is_encodable_type(abi_type):
            raise UsageError(f"not an ABI type: {abi_type!r}")
        canonical.append(abi_type)
    return canonical


def parse_signature(text: str, flag: str = "--sig") -> tuple[str, list[str]]:
    """"transfer(address,uint256)" -> ("transfer", ["address", "uint256"]); the name may be left
    out ("(uint256)") where only the types matter."""
    match = _SIGNATURE.fullmatch(text)
    if not match:
        raise UsageError(f"{flag}: not a function signature like \"transfer(address,uint256)\": {text!r}")
    return match.group(1) or "", _split_types(match.group(2))


def selector(name: str, types: list[str]) -> bytes:
    return keccak(f"{name}({','.join(types)})".encode())[:4]


def _value(abi_type: str, text: str):
    """One argument from its command-line text, by ABI type."""
    array = _ARRAY.fullmatch(abi_type)
    if array:
        inner = text.strip()
        if not (inner.startswith("[") and inner.endswith("]")):
            raise UsageError(f"{abi_type} argument must look like [a,b,c]: {text!r}")
        items = [item.strip() for item in inner[1:-1].split(",")] if inner[1:-1].strip() else []
        return [_value(array.group(1), item) for item in items]
    if abi_type == "address":
        return parse_address(text, "--args")
    if _INTEGER.fullmatch(abi_type):
        try:
            return int(text.replace("_", ""), 0)
        except ValueError:
            raise UsageError(f"{abi_type} argument is not an integer: {text!r}") from None
    if abi_type == "bool":
        if text.lower() in ("true", "1"):
            return True
        if text.lower() in ("false", "0"):
            return False
        raise UsageError(f"bool argument must be true or false: {text!r}")
    if abi_type.startswith("bytes"):
        return parse_hex(text, "--args")
    if abi_type == "string":
        return text
    raise UsageError(f"argument type {abi_type} is not supported on the command line (use --data)")


def encode_args(types: list[str], texts: list[str]) -> bytes:
    """ABI-encode command-line arguments against their types."""
    if len(types) != len(texts):
        raise UsageError(f"the signature takes {len(types)} argument(s), --args gave {len(texts)}")
    values = [_value(abi_type, text) for abi_type, text in zip(types, texts)]
    try:
        return abi_encode(types, values)
    except (EncodingError, ValueError, TypeError, OverflowError) as exc:
        raise UsageError(f"--args do not fit ({','.join(types)}): {exc}") from None


def parse_hex(text: str, flag: str) -> bytes:
    digits = text.strip()
    digits = digits[2:] if digits[:2].lower() == "0x" else digits
    try:
        return bytes.fromhex(digits)
    except ValueError:
        raise UsageError(f"{flag}: not hex bytes: {text[:80]!r}") from None


def call_data(args: argparse.Namespace) -> bytes:
    """--data, or --sig with --args; b"" when neither."""
    if args.data is not None:
        if args.args:
            raise UsageError("--args goes with --sig, not --data")
        return parse_hex(args.data, "--data")
    if args.sig is not None:
        name, types = parse_signature(args.sig)
        if not name:
            raise UsageError(f"--sig needs a function name: {args.sig!r}")
        return selector(name, types) + encode_args(types, args.args or [])
    if args.args:
        raise UsageError("--args needs --sig")
    return b""


def _show(value) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, str) and re.fullmatch(r"0x[0-9a-fA-F]{40}", value):
        return to_checksum_address(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_show(item) for item in value) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def return_types(returns: str) -> list[str]:
    """--returns "uint256", "uint256,bool" or "(uint256,bool)"."""
    text = returns.strip()
    return parse_signature(text, "--returns")[1] if text.startswith("(") else _split_types(text)


def decode_output(types: list[str], output: bytes) -> list[str]:
    """The values of `output` as text, one per type."""
    try:
        return [_show(value) for value in abi_decode(types, output)]
    except (DecodingError, ValueError, TypeError, OverflowError) as exc:
        raise UsageError(f"the output does not decode as ({','.join(types)}): {exc}") from None


# ---- parsers -----------------------------------------------------------------------------------

def _add_data_arguments(parser: argparse.ArgumentParser) -> None:
    data = parser.add_mutually_exclusive_group()
    data.add_argument("--data", metavar="0xHEX", help="call data as hex")
    data.add_argument("--sig", metavar="SIGNATURE", help='function to call, e.g. "transfer(address,uint256)"')
    parser.add_argument("--args", nargs="*", default=[], metavar="ARG",
                        help="--sig's arguments (addresses, integers, true/false, 0x bytes, strings, [a,b] arrays)")


def add_parsers(commands: argparse._SubParsersAction) -> None:
    tx = commands.add_parser("tx", help="sign transactions locally and broadcast them; read-only calls").add_subparsers(
        dest="tx", required=True)

    send = tx.add_parser("send", help="send CMT and/or call a contract")
    send.add_argument("--to", required=True, help="recipient 0x address")
    send.add_argument("--value", help="amount in CMT (decimals allowed; default 0 with --data/--sig)")
    _add_data_arguments(send)
    send.add_argument("--gas", type=int, metavar="N", help="gas limit (default 21,000 for a transfer, else estimated)")
    add_signer_arguments(send)
    send.add_argument("--wait", action="store_true",
                      help="wait for the block (up to --wait-timeout seconds) and report a failure")
    send.add_argument("--wait-timeout", type=float, default=DEFAULT_WAIT_S, metavar="SECONDS")
    send.set_defaults(run=run_send)

    read = tx.add_parser("call", help="run a call on the committed state (no transaction) and print its output")
    read.add_argument("--to", required=True, help="contract 0x address")
    _add_data_arguments(read)
    read.add_argument("--from", dest="caller", metavar="ADDRESS", help="msg.sender of the call (default 0x0)")
    read.add_argument("--value", default="0", help="CMT sent with the call (default 0)")
    read.add_argument("--gas", type=int, metavar="N", help="gas limit (default the block gas limit)")
    read.add_argument("--returns", metavar="TYPES", help='decode the output, e.g. "uint256" or "(address,bool)"')
    add_node_argument(read)
    read.set_defaults(run=run_call)

    deploy = tx.add_parser("deploy", help="create a contract, wait for the block, print its address")
    code = deploy.add_mutually_exclusive_group(required=True)
    code.add_argument("--contract", metavar="NAME", help="a compiled contract of contracts/build (e.g. Counter)")
    code.add_argument("--bytecode-file", type=Path, metavar="FILE", help="creation bytecode as hex")
    deploy.add_argument("--sig", "--sig-args", dest="sig", metavar="SIGNATURE",
                        help='constructor types, e.g. "constructor(uint256)" (default: from --contract\'s ABI)')
    deploy.add_argument("--args", nargs="*", default=[], metavar="ARG", help="the constructor's arguments")
    deploy.add_argument("--value", default="0", help="CMT for a payable constructor (default 0)")
    deploy.add_argument("--gas", type=int, metavar="N", help="gas limit (default estimated)")
    add_signer_arguments(deploy)
    deploy.add_argument("--wait-timeout", type=float, default=DEPLOY_WAIT_S, metavar="SECONDS")
    deploy.set_defaults(run=run_deploy)


# ---- running -----------------------------------------------------------------------------------

def _positive_gas(gas: int | None) -> int | None:
    if gas is not None and gas <= 0:
        raise UsageError(f"--gas must be positive, got {gas}")
    return gas


def run_send(args: argparse.Namespace) -> int:
    try:
        to = parse_address(args.to, "--to")
        data = call_data(args)
        if args.value is None and not data:
            raise UsageError("give --value, --data or --sig")
        value = args.value if args.value is not None else "0"
        value_wei = parse_cmt(value)
        gas = _positive_gas(args.gas)
        if gas is None and not data:
            gas = 21_000
        sender = load_sender(args)
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        sent = transact(args, sender, to, value_wei, data=data, gas=gas, wait=args.wait)
    except (RpcError, SendError) as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"sent {value} CMT from {sent.sender} to {to}{' with call data' if data else ''}: {sent.tx_hash}")
    if sent.reverted:
        print(f"failed in block {sent.receipt['height']}: {sent.receipt.get('error', '')}", file=sys.stderr)
        return 1
    return 0


def run_call(args: argparse.Namespace) -> int:
    try:
        to = parse_address(args.to, "--to")
        data = call_data(args)
        caller = parse_address(args.caller, "--from") if args.caller else None
        value_wei = parse_cmt(args.value)
        gas = _positive_gas(args.gas)
        types = return_types(args.returns) if args.returns is not None else None
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        result = call(CometRPC(args.node), to, data, sender=caller, value_wei=value_wei, gas=gas)
    except (RpcError, SendError) as exc:
        print(exc, file=sys.stderr)
        return 1
    if not result["success"]:
        print(f"call failed: {result.get('error') or 'execution reverted'} (output {result['output']})",
              file=sys.stderr)
        return 1
    print(result["output"])
    if types is not None:
        try:
            for line in decode_output(types, parse_hex(result["output"], "output")):
                print(line)
        except UsageError as exc:
            print(exc, file=sys.stderr)
            return 1
    return 0


def _creation_code(args: argparse.Namespace) -> tuple[str, bytes, list[str] | None]:
    """(what, creation bytecode, constructor types from the ABI or None)."""
    if args.contract is not None:
        try:
            artifact = load_contract(args.contract)
        except (OSError, ValueError, KeyError) as exc:
            raise UsageError(f"--contract: {exc}") from None
        constructor = next((entry for entry in artifact.abi if entry["type"] == "constructor"), {"inputs": []})
        return args.contract, artifact.bytecode, [_split_types(i["type"])[0] for i in constructor["inputs"]]
    try:
        text = args.bytecode_file.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--bytecode-file: {exc}") from None
    if text.lstrip().startswith("{"):  # a compiler artifact: {"bytecode": "0x..", ...}
        try:
            text = json.loads(text)["bytecode"]
            text = text["object"] if isinstance(text, dict) else text
        except (ValueError, KeyError, TypeError):
            raise UsageError(f"--bytecode-file: {args.bytecode_file} has no \"bytecode\"") from None
    code = parse_hex(text, "--bytecode-file")
    if not code:
        raise UsageError(f"--bytecode-file: {args.bytecode_file} is empty")
    return args.bytecode_file.name, code, None


def run_deploy(args: argparse.Namespace) -> int:
    try:
        what, code, abi_types = _creation_code(args)
        if args.sig is not None:
            abi_types = parse_signature(args.sig, "--sig")[1]
        elif abi_types is None and args.args:
            raise UsageError('--args needs the constructor\'s types: --sig "constructor(uint256,...)"')
        data = code + encode_args(abi_types or [], args.args)
        value_wei = parse_cmt(args.value)
        gas = _positive_gas(args.gas)
        sender = load_sender(args)
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        sent = transact(args, sender, "", value_wei, data=data, gas=gas)
    except (RpcError, SendError) as exc:
        print(f"deploy {what}: {exc}", file=sys.stderr)
        return 1
    where = f"block {sent.receipt['height']}: {sent.tx_hash}"
    if sent.reverted or not sent.receipt.get("contract_address"):
        print(f"deploy {what}: {sent.receipt.get('error') or 'failed'} ({where})", file=sys.stderr)
        return 1
    print(to_checksum_address(sent.receipt["contract_address"]))
    print(f"deployed {what} from {sent.sender} in {where}", file=sys.stderr)
    return 0
