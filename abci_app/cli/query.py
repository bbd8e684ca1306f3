"""`miles query account|tx|validators|candidate|candidates|delegations|params|supply|rewards|solvency`:
read committed state through CometBFT's abci_query, printed as indented JSON."""

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
    validators = query.add_parser("validators", help="the current validator set, ranked, with powers")
    validators.set_defaults(run=lambda args: _print(args, "/validators"))
    candidate = query.add_parser("candidate", help="a validator candidate: keys, stake, commission, status")
    candidate.add_argument("address", help="the candidate's operator address")
    candidate.set_defaults(run=lambda args: _print(args, f"/candidate/{args.address}"))
    candidates = query.add_parser("candidates", help="every validator candidate")
    candidates.set_defaults(run=lambda args: _print(args, "/candidates"))
    delegations = query.add_parser("delegations", help="an address's delegations and pending unbondings")
    delegations.add_argument("address", help="the delegator's address")
    delegations.set_defaults(run=lambda args: _print(args, f"/delegations/{args.address}"))
    params = query.add_parser("params", help="staking and chain parameters")
    params.set_defaults(run=lambda args: _print(args, "/params"))
    supply = query.add_parser("supply", help="total supply, minted, burned, cap, this year's provision")
    supply.set_defaults(run=lambda args: _print(args, "/supply"))
    rewards = query.add_parser("rewards", help="an address's pending rewards (and commission, for a candidate)")
    rewards.add_argument("address")
    rewards.set_defaults(run=lambda args: _print(args, f"/rewards/{args.address}"))
    solvency = query.add_parser("solvency", help="each module's balance against what it owes, and the supply")
    solvency.set_defaults(run=lambda args: _print(args, "/solvency"))


def _print(args: argparse.Namespace, path: str) -> int:
    try:
        print(json.dumps(CometRPC(args.node).query_json(path), indent=2))
    except RpcError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0
