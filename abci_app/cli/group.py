"""`miles group ...`: the groups precompile (0x...CC05) from the command line.

Transactions (create, close, join, leave, approve, remove, moderator, recheck) are functions of
contracts/interfaces/IGroups.sol sent as signed transactions (cli/precompile_tx.py; gas is
estimated by a simulation unless --gas is given); create reads the bond from the chain's params.
Reads (show, member, members) run the views through abci_query `/call` at the last committed
block and print JSON; no key is needed.
"""

import argparse

from eth_utils import to_checksum_address

from ..middleware.groups import ADDRESS
from ..rpc import CometRPC
from .identity import parse_claim_type
from .precompile_tx import (PrecompileCall, Target, add_transaction_arguments, print_answer, print_view, read_view,
                           run_call)
from .send import UsageError, parse_address, parse_cmt

GROUPS = Target("IGroups", to_checksum_address(ADDRESS), lambda function: None)
RULES = {"open": 0, "approval": 1, "min-cmt": 2, "min-token": 3, "claim": 4}
ZERO = "0x" + "00" * 20


def parse_group_id(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 2**256:
        raise UsageError(f"not a group id: {text!r}")
    return int(text)


def parse_min_balance(rule: str, text: str | None) -> int:
    """CMT for min-cmt (to wei), the token's smallest units for min-token; nothing for the others."""
    if rule not in ("min-cmt", "min-token"):
        if text is not None:
            raise UsageError(f"--min-balance: not used by rule {rule}")
        return 0
    if text is None:
        raise UsageError(f"--min-balance: required by rule {rule}")
    if rule == "min-cmt":
        return parse_cmt(text)
    if not text.isdigit():
        raise UsageError(f"--min-balance: not a whole number of token units: {text!r}")
    return int(text)


# ---- transactions: (args, sender, rpc) -> PrecompileCall ----------------------------------------

def create_args(args: argparse.Namespace) -> tuple:
    """createGroup's arguments from the flags; each rule takes its own flags and no others."""
    uses = {"min-token": {"token"}, "claim": {"attester", "claim_type"}}.get(args.rule, set())
    for flag in ("token", "attester", "claim_type"):
        given = getattr(args, flag) is not None
        if given != (flag in uses):
            raise UsageError(f"--{flag.replace('_', '-')}: {'required' if not given else 'not used'} by rule {args.rule}")
    return (args.name, args.category, RULES[args.rule],
            parse_address(args.token, "--token") if args.token else ZERO,
            parse_min_balance(args.rule, args.min_balance),
            parse_address(args.attester, "--attester") if args.attester else ZERO,
            parse_claim_type(args.claim_type) if args.claim_type else bytes(32))


def build_create(args: argparse.Namespace, sender: str, rpc: CometRPC) -> PrecompileCall:
    call_args = create_args(args)
    bond = int(read_view(args.node, GROUPS, "params")["result"]["groupBond"])
    return PrecompileCall("createGroup", call_args, f"create {args.rule} group {args.name!r} by {sender}", bond)


def _on_group(function: str, verb: str):
    def build(args: argparse.Namespace, sender: str, rpc: CometRPC) -> PrecompileCall:
        group_id = parse_group_id(args.group)
        return PrecompileCall(function, (group_id,), f"{verb} group {group_id} ({sender})")
    return build


def _on_account(function: str, verb: str):
    def build(args: argparse.Namespace, sender: str, rpc: CometRPC) -> PrecompileCall:
        group_id, account = parse_group_id(args.group), parse_address(args.address, "ADDR")
        return PrecompileCall(function, (group_id, account), f"{verb} {account} in group {group_id}")
    return build


def build_moderator(args: argparse.Namespace, sender: str, rpc: CometRPC) -> PrecompileCall:
    function = {"add": "addModerator", "remove": "removeModerator"}[args.action]
    return _on_account(function, f"{args.action} moderator")(args, sender, rpc)


# ---- parsers ------------------------------------------------------------------------------------

def add_parsers(commands: argparse._SubParsersAction) -> None:
    group = commands.add_parser("group", help="groups: membership by rule, moderators").add_subparsers(
        dest="group_command", required=True)

    def command(name: str, help_text: str, build, account: bool = False) -> argparse.ArgumentParser:
        """A transaction subcommand on GROUP_ID (and ADDR: not `account`, which is --from's)."""
        parser = group.add_parser(name, help=help_text, description=help_text)
        parser.set_defaults(run=lambda args: run_call(args, build, GROUPS))
        parser.add_argument("group", metavar="GROUP_ID")
        if account:
            parser.add_argument("address", metavar="ADDR")
        return parser

    create = group.add_parser("create", help="create a group, sending the bond",
                              description="create a group, sending the bond (app_state.groups.group_bond_wei)")
    create.set_defaults(run=lambda args: run_call(args, build_create, GROUPS))
    create.add_argument("--name", required=True, help="1 to 64 bytes")
    create.add_argument("--category", default="", help="up to 64 bytes")
    create.add_argument("--rule", required=True, choices=sorted(RULES, key=RULES.get))
    create.add_argument("--token", metavar="ADDR", help="min-token: the ERC-20")
    create.add_argument("--min-balance", metavar="AMOUNT",
                        help="min-cmt: CMT; min-token: the token's smallest units")
    create.add_argument("--attester", metavar="ADDR", help="claim: the attester the group trusts")
    create.add_argument("--claim-type", metavar="T", help="claim: 0x + 64 hex, or a name hashed with keccak256")
    add_transaction_arguments(create)
    for name, function, help_text in (("close", "closeGroup", "close a group you own: the bond comes back"),
                                      ("join", "join", "join a group (or apply, in an approval group)"),
                                      ("leave", "leave", "leave a group, or withdraw an application")):
        add_transaction_arguments(command(name, help_text, _on_group(function, name)))
    for name, function, help_text in (
            ("approve", "approve", "moderator: admit an applicant or take back a removed account"),
            ("remove", "removeMember", "moderator: remove a member or decline an applicant"),
            ("recheck", "recheck", "claim groups: remove a member whose claim no longer counts")):
        add_transaction_arguments(command(name, help_text, _on_account(function, name), account=True))
    moderator = group.add_parser("moderator", help="owner: add or remove a moderator",
                                 description="owner: add or remove a moderator (a member)")
    moderator.set_defaults(run=lambda args: run_call(args, build_moderator, GROUPS))
    moderator.add_argument("action", choices=("add", "remove"))
    moderator.add_argument("group", metavar="GROUP_ID")
    moderator.add_argument("address", metavar="ADDR")
    add_transaction_arguments(moderator)

    show = group.add_parser("show", help="a group's record")
    show.add_argument("group", metavar="GROUP_ID")
    show.set_defaults(run=lambda args: print_view(args, GROUPS, "group", lambda a: (parse_group_id(a.group),)))
    member = group.add_parser("member", help="an account's standing in a group, and whether it counts")
    member.add_argument("group", metavar="GROUP_ID")
    member.add_argument("address", metavar="ADDR")
    member.set_defaults(run=lambda args: print_answer(lambda: {
        "membership": read_view(args.node, GROUPS, "membership", *_member_args(args))["result"],
        "isMember": read_view(args.node, GROUPS, "isMember", *_member_args(args))["result"]}))
    members = group.add_parser("members", help="a page of a group's members")
    members.add_argument("group", metavar="GROUP_ID")
    members.add_argument("--offset", type=int, default=0)
    members.add_argument("--limit", type=int, default=100, help="1 to 100")
    members.set_defaults(run=lambda args: print_view(
        args, GROUPS, "members", lambda a: (parse_group_id(a.group), a.offset, a.limit)))


def _member_args(args: argparse.Namespace) -> tuple:
    return parse_group_id(args.group), parse_address(args.address, "ADDR")
