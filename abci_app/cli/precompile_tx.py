"""Sending one function of a precompile's Solidity interface as a signed transaction, for the
`miles stake ...` and `miles identity ...` commands.

A subcommand's builder turns its flags into a PrecompileCall (UsageError: exit 2 before anything
is sent); the call data is encoded against the compiled interface (contracts/build/I*.json),
payable functions carry their CMT as the value. The command waits for the receipt and prints what
happened, or the revert reason and exits 1 (`--no-wait` only prints the hash).
"""

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass

from .. import contracts
from ..rpc import CometRPC, RpcError
from .send import SendError, UsageError, load_sender, transact


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


def run_call(args: argparse.Namespace, build: Builder, target: Target) -> int:
    """Build the call (exit 2 on bad flags), send it, wait, report (exit 1 on revert or failure)."""
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
    return 0
