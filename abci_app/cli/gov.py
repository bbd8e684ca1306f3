"""`miles gov ...`: the governance precompile (0x...CC07) from the command line.

Transactions (submit, deposit, vote) are functions of contracts/interfaces/IGovernance.sol sent as
signed transactions (cli/precompile_tx.py; gas is estimated by a simulation unless --gas is
given); submit sends --deposit CMT (default: the chain's minimum initial deposit) and prints the
new proposal's id. Reads (proposals, proposal, tally) run the views through abci_query `/call` at
the last committed block and print JSON, kinds and statuses as words; no key is needed.
"""

import argparse
import sys

from eth_abi import decode
from eth_utils import to_checksum_address

from ..governance import ADDRESS
from ..governance.records import KIND_NAMES, OPTION_NAMES, STATUS_NAMES
from ..rpc import CometRPC
from .precompile_tx import PrecompileCall, Target, add_transaction_arguments, print_answer, read_view, run_call
from .send import SendError, UsageError, parse_address, parse_cmt

GOVERNANCE = Target("IGovernance", to_checksum_address(ADDRESS), lambda function: None)
OPTIONS = {name: number for number, name in OPTION_NAMES.items()}
MAX_LIMIT = 100


def parse_whole(text: str, what: str, least: int = 0) -> int:
    """A whole number from `least` to 2**256 - 1; UsageError naming `what` otherwise."""
    if not (text.isascii() and text.isdigit()) or not least <= int(text) < 2**256:
        raise UsageError(f"not {what}: {text!r}")
    return int(text)


def parse_proposal_id(text: str) -> int:
    return parse_whole(text, "a proposal id", least=1)


# ---- submit: each kind's function, help, flags and arguments after (title, description) ----------

SUBMIT = {
    "text": ("submitText", "a text proposal: the vote is the record", (), lambda a: ()),
    "param": ("submitParamChange", "change a module's param", (
        ("--param", "MODULE.PARAM", "e.g. staking.max_validators"),
        ("--value", "N", "the new value, a whole number in the param's unit (wei for *_wei)")),
        lambda a: (a.param, parse_whole(a.value, "a whole number (--value)"))),
    "spend": ("submitCommunitySpend", "pay CMT from the community pool", (
        ("--recipient", "ADDR", "the account paid"), ("--amount", "CMT", "paid from the pool")),
        lambda a: (parse_address(a.recipient, "--recipient"), parse_cmt(a.amount))),
    "upgrade": ("submitUpgrade", "schedule a software upgrade", (
        ("--name", "NAME", "the plan: 1 to 64 of a-z 0-9 . _ -"),
        ("--height", "H", "the block the new binary starts at"),
        ("--info", "TEXT", "what operators need (binaries, checksums); up to 1,024 bytes")),
        lambda a: (a.name, parse_whole(a.height, "a block height (--height)"), a.info)),
    "cancel-upgrade": ("submitCancelUpgrade", "cancel a scheduled upgrade", (("--name", "NAME", "the plan"),),
                       lambda a: (a.name,)),
}


def submit_args(args: argparse.Namespace) -> tuple:
    """The submit function's arguments from the flags."""
    return (args.title, args.description, *SUBMIT[args.kind][3](args))


def build_submit(args: argparse.Namespace, sender: str, rpc: CometRPC) -> PrecompileCall:
    call_args = submit_args(args)
    deposit = (parse_cmt(args.deposit) if args.deposit is not None
               else int(read_view(args.node, GOVERNANCE, "params")["result"]["minInitialDeposit"]))
    return PrecompileCall(SUBMIT[args.kind][0], call_args, f"submit {args.kind} proposal {args.title!r} by {sender}",
                          deposit)


def run_submit(args: argparse.Namespace) -> int:
    """run_call, then the new proposal's id (what the call returned)."""
    return run_call(args, build_submit, GOVERNANCE, on_done=_print_proposal_id)


def _print_proposal_id(receipt: dict) -> None:
    print(f"proposal {decode(['uint256'], bytes.fromhex(receipt['output'][2:]))[0]}")


def build_deposit(args: argparse.Namespace, sender: str, rpc: CometRPC) -> PrecompileCall:
    proposal_id, amount = parse_proposal_id(args.proposal), parse_cmt(args.amount)
    return PrecompileCall("deposit", (proposal_id,), f"deposit {args.amount} CMT on proposal {proposal_id} by {sender}",
                          amount)


def build_vote(args: argparse.Namespace, sender: str, rpc: CometRPC) -> PrecompileCall:
    proposal_id = parse_proposal_id(args.proposal)
    return PrecompileCall("vote", (proposal_id, OPTIONS[args.option]),
                          f"vote {args.option} on proposal {proposal_id} by {sender}")


# ---- views --------------------------------------------------------------------------------------

def read_proposal(node: str, proposal_id: int) -> dict:
    """IGovernance.proposal with its id, kind and status as words; SendError if there is none."""
    fields = read_view(node, GOVERNANCE, "proposal", proposal_id)["result"]
    if fields["status"] == "0":
        raise SendError(f"no proposal {proposal_id}")
    return {"id": str(proposal_id), **fields, "kind": KIND_NAMES[int(fields["kind"])],
            "status": STATUS_NAMES[int(fields["status"])]}


def list_proposals(args: argparse.Namespace) -> dict:
    """Newest first: skip `offset` of the newest, then up to `limit` (id, kind, status, title)."""
    if not 1 <= args.limit <= MAX_LIMIT:
        raise UsageError(f"--limit must be 1 to {MAX_LIMIT}, got {args.limit}")
    if args.offset < 0:
        raise UsageError(f"--offset must not be negative, got {args.offset}")
    newest = int(read_view(args.node, GOVERNANCE, "proposalCount")["result"]) - args.offset
    return {"result": [{key: p[key] for key in ("id", "kind", "status", "title")}
                       for p in (read_proposal(args.node, i) for i in range(newest, max(0, newest - args.limit), -1))]}


# ---- parsers ------------------------------------------------------------------------------------

def add_parsers(commands: argparse._SubParsersAction) -> None:
    gov = commands.add_parser("gov", help="governance: proposals, deposits, votes").add_subparsers(
        dest="gov_command", required=True)

    submit = gov.add_parser("submit", help="submit a proposal with its first deposit").add_subparsers(
        dest="kind", required=True)
    for kind, (_, help_text, flags, _) in SUBMIT.items():
        parser = submit.add_parser(kind, help=help_text, description=f"{help_text}; prints the new proposal's id")
        parser.set_defaults(run=run_submit)
        parser.add_argument("--title", required=True, help="1 to 140 bytes")
        parser.add_argument("--description", default="", help="up to 10,000 bytes")
        for flag, metavar, flag_help in flags:
            parser.add_argument(flag, metavar=metavar, required=flag != "--info", default="", help=flag_help)
        parser.add_argument("--deposit", metavar="CMT", help="the first deposit (default: the chain's minimum)")
        add_transaction_arguments(parser)

    deposit = gov.add_parser("deposit", help="add to a proposal's deposit in its deposit period")
    deposit.set_defaults(run=lambda args: run_call(args, build_deposit, GOVERNANCE))
    deposit.add_argument("proposal", metavar="ID")
    deposit.add_argument("--amount", required=True, metavar="CMT")
    add_transaction_arguments(deposit)
    vote = gov.add_parser("vote", help="vote with your bonded stake (a second vote replaces the first)")
    vote.set_defaults(run=lambda args: run_call(args, build_vote, GOVERNANCE))
    vote.add_argument("proposal", metavar="ID")
    vote.add_argument("option", choices=tuple(OPTIONS))
    add_transaction_arguments(vote)

    proposals = gov.add_parser("proposals", help="the newest proposals: id, kind, status, title")
    proposals.add_argument("--offset", type=int, default=0, help="skip this many of the newest")
    proposals.add_argument("--limit", type=int, default=20, help=f"1 to {MAX_LIMIT} (default 20)")
    proposals.set_defaults(run=lambda args: print_answer(lambda: list_proposals(args)))
    proposal = gov.add_parser("proposal", help="a proposal's record (amounts in wei)")
    proposal.add_argument("proposal", metavar="ID")
    proposal.set_defaults(run=lambda args: print_answer(
        lambda: {"result": read_proposal(args.node, parse_proposal_id(args.proposal))}))
    tally = gov.add_parser("tally", help="a proposal's tally in wei: running while it votes, final after")
    tally.add_argument("proposal", metavar="ID")
    tally.set_defaults(run=lambda args: print_answer(
        lambda: read_view(args.node, GOVERNANCE, "tally", parse_proposal_id(args.proposal))))
