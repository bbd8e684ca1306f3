"""Sending one function of a precompile's Solidity interface as a signed transaction, and reading
its views, for the `miles stake ...`, `miles identity ...` and `miles group ...` commands.

A subcommand's builder turns its flags into a PrecompileCall (UsageError: exit 2 before anything
is sent); the call data is encoded against the compiled interface (contracts/build/I*.json),
payable functions carry their CMT as the value. The command waits for the receipt and prints what
happened, or the revert reason and exits 1 (`--no-wait` only prints the hash). A view runs through
abci_query `/call` at the last committed block and prints JSON keyed by the interface's names.
"""

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass

from eth_abi import decode

from .. import contracts
from ..rpc import CometRPC, RpcError
from .send import SendError, UsageError, add_signer_arguments, add_wait_arguments, call, load_sender, transact


@dataclass(frozen=True, slots=True)
class PrecompileCall:
    """One interface function call and what it means to the user."""

    function: str       # the Solidity function name
    args: tuple
    summary: str        # e.g. "delegate 5000 CMT from 0x.. to 0x.."
    value_wei: int = 0


Builder = Callable[[argparse.Namespace, str, CometRPC], PrecompileCall]


@dataclass(frozen=True, slots=True)
class Target:
    """A precompile: its interface's name, its address, and the gas limit of a function (None:
    estimated by a simulation first)."""

    interface: str
    address: str
    default_gas: Callable[[str], int | None]


def run_call(args: argparse.Namespace, build: Builder, target: Target,
             on_done: Callable[[dict], None] | None = None) -> int:
    """Build the call (exit 2 on bad flags), send it, wait, report (exit 1 on revert or failure);
    `on_done` reports more from the receipt of a call that succeeded (what it returned)."""
    rpc = CometRPC(args.node)
    try:
        sender = load_sender(args)
        call = build(args, sender.address, rpc)
        data = contracts.encode_call(target.interface, call.function, *call.args)
        gas = args.gas if args.gas is not None else target.default_gas(call.function)
        if gas is not None and gas <= 0:
            raise UsageError(f"--gas must be positive, got {gas}")
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    except RpcError as exc:
        print(exc, file=sys.stderr)
        return 1
    try:
        sent = transact(args, sender, target.address, call.value_wei, data=data, gas=gas, wait=not args.no_wait)
    except (RpcError, SendError) as exc:
        print(f"{call.summary}: {exc}", file=sys.stderr)
        return 1
    if sent.receipt is None:
        print(f"{call.summary}: sent {sent.tx_hash}")
        return 0
    where = f"block {sent.receipt['height']}: {sent.tx_hash}"
    if sent.reverted:
        print(f"{call.summary}: {sent.receipt.get('error') or 'failed'} ({where})", file=sys.stderr)
        return 1
    print(f"{call.summary}: done in {where}")
    if on_done is not None:
        on_done(sent.receipt)
    return 0


def add_transaction_arguments(parser: argparse.ArgumentParser) -> None:
    """The signer, --gas and the wait flags of a transaction subcommand."""
    add_signer_arguments(parser)
    parser.add_argument("--gas", type=int, metavar="N", help="gas limit (default: estimated)")
    add_wait_arguments(parser)


# ---- views --------------------------------------------------------------------------------------

def _abi_type(entry: dict) -> str:
    """'bool', or a struct spelled out as a tuple: '(uint8,uint64,bytes32,uint64,bool)'."""
    if entry["type"] == "tuple":
        return "(" + ",".join(_abi_type(c) for c in entry["components"]) + ")"
    return entry["type"]


def _named(outputs: list[dict], values: tuple) -> dict:
    """A view's answer as JSON, keyed by the interface's names (bytes as 0x hex, ints as strings)."""
    def render(entry: dict, value):
        if entry["type"] == "tuple":
            return {c["name"]: render(c, v) for c, v in zip(entry["components"], value)}
        if isinstance(value, bytes):
            return "0x" + value.hex()
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return list(value) if isinstance(value, tuple) else value
    return {entry["name"] or "result": render(entry, value) for entry, value in zip(outputs, values)}


def read_view(node: str, target: Target, function: str, *args) -> dict:
    """Run a view of the target's interface through `/call`; RpcError or SendError when it cannot."""
    data = contracts.encode_call(target.interface, function, *args)
    result = call(CometRPC(node), target.address, data)
    if not result["success"]:
        raise SendError(f"{function}: {result.get('error') or 'reverted'}")
    outputs = contracts.contract_functions(target.interface)[function]["outputs"]
    return _named(outputs, decode([_abi_type(o) for o in outputs], bytes.fromhex(result["output"][2:])))


def print_answer(produce: Callable[[], dict]) -> int:
    """Print what `produce` reads as JSON (exit 2 on bad flags, 1 when the node cannot answer)."""
    try:
        answer = produce()
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    except (RpcError, SendError) as exc:
        print(exc, file=sys.stderr)
        return 1
    print(json.dumps(answer, indent=2))
    return 0


def print_view(args: argparse.Namespace, target: Target, function: str, build_args) -> int:
    """Print one view's answer (its arguments from the flags by `build_args`)."""
    return print_answer(lambda: read_view(args.node, target, function, *build_args(args)))
