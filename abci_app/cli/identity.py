"""`miles identity ...`: the identity precompile (0x...CC06) from the command line.

Transactions (register, unregister, issue, revoke, drop) are functions of
contracts/interfaces/IIdentity.sol sent as signed transactions (cli/precompile_tx.py; gas is
estimated by a simulation unless --gas is given). Reads (has, claim, attester) run the views
through abci_query `/call` at the last committed block and print JSON; no key is needed.
A claim type is 0x and 64 hex digits, or a name hashed with keccak256 ("miles.phone.verified").
"""

import argparse
import re

from eth_hash.auto import keccak
from eth_utils import to_checksum_address

from ..middleware.identity import ADDRESS
from ..rpc import CometRPC
from .precompile_tx import PrecompileCall, Target, add_transaction_arguments, print_view, run_call
from .send import UsageError, parse_address, parse_cmt

IDENTITY = Target("IIdentity", to_checksum_address(ADDRESS), lambda function: None)
HASH = re.compile(r"0x[0-9a-fA-F]{64}")


def parse_claim_type(text: str) -> bytes:
    """0x + 64 hex digits as given, or keccak256 of a name; never zero."""
    claim_type = bytes.fromhex(text[2:]) if HASH.fullmatch(text) else keccak(text.encode())
    if not text or claim_type == bytes(32):
        raise UsageError(f"--type: not a claim type: {text!r}")
    return claim_type


def parse_hash(text: str, flag: str) -> bytes:
    if not HASH.fullmatch(text):
        raise UsageError(f"{flag}: not 0x and 64 hex digits: {text!r}")
    return bytes.fromhex(text[2:])


def parse_expiry(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 2**64:
        raise UsageError(f"--expiry: not unix seconds: {text!r}")
    return int(text)


# ---- transactions: (args, sender, rpc) -> PrecompileCall ----------------------------------------

def build_register(args: argparse.Namespace, sender: str, rpc: CometRPC) -> PrecompileCall:
    return PrecompileCall("registerAttester", (), f"register {sender} as an attester with {args.bond} CMT",
                          parse_cmt(args.bond))


def build_unregister(args: argparse.Namespace, sender: str, rpc: CometRPC) -> PrecompileCall:
    return PrecompileCall("unregisterAttester", (), f"unregister attester {sender}")


def build_issue(args: argparse.Namespace, sender: str, rpc: CometRPC) -> PrecompileCall:
    subject = parse_address(args.subject, "--subject")
    claim_type = parse_claim_type(args.type)
    return PrecompileCall("issueClaim", (subject, claim_type, parse_expiry(args.expiry),
                                         parse_hash(args.data_hash, "--data-hash")),
                          f"claim 0x{claim_type.hex()} about {subject} by {sender}")


def build_revoke(args: argparse.Namespace, sender: str, rpc: CometRPC) -> PrecompileCall:
    subject = parse_address(args.subject, "--subject")
    claim_type = parse_claim_type(args.type)
    return PrecompileCall("revokeClaim", (subject, claim_type), f"revoke claim 0x{claim_type.hex()} about {subject}")


def build_drop(args: argparse.Namespace, sender: str, rpc: CometRPC) -> PrecompileCall:
    attester = parse_address(args.attester, "--attester")
    claim_type = parse_claim_type(args.type)
    return PrecompileCall("dropClaim", (attester, claim_type),
                          f"drop claim 0x{claim_type.hex()} by {attester} about {sender}")


# ---- reads ----------------------------------------------------------------------------------------

def _claim_args(args: argparse.Namespace) -> tuple:
    return (parse_address(args.subject, "--subject"), parse_claim_type(args.type),
            parse_address(args.attester, "--attester"))


# ---- parsers ------------------------------------------------------------------------------------

def add_parsers(commands: argparse._SubParsersAction) -> None:
    identity = commands.add_parser("identity", help="identity: attesters and claims").add_subparsers(
        dest="identity", required=True)

    def command(name: str, help_text: str, build) -> argparse.ArgumentParser:
        parser = identity.add_parser(name, help=help_text, description=help_text)
        parser.set_defaults(run=lambda args: run_call(args, build, IDENTITY))
        return parser

    register = command("register", "become an attester by bonding CMT", build_register)
    register.add_argument("--bond", required=True, metavar="CMT", help="the bond in CMT (at least the minimum)")
    add_transaction_arguments(register)
    add_transaction_arguments(command("unregister", "stop attesting: the bond comes back, every claim stops counting",
                                      build_unregister))
    issue = command("issue", "issue (or renew) a claim about a subject", build_issue)
    issue.add_argument("--subject", required=True, metavar="ADDR")
    issue.add_argument("--type", required=True, help="0x + 64 hex, or a name hashed with keccak256")
    issue.add_argument("--expiry", required=True, metavar="UNIX_S", help="block time at which it stops counting")
    issue.add_argument("--data-hash", required=True, metavar="0x..",
                       help="salted hash of the evidence kept off chain (never the data itself)")
    add_transaction_arguments(issue)
    revoke = command("revoke", "revoke a claim the sender issued", build_revoke)
    revoke.add_argument("--subject", required=True, metavar="ADDR")
    revoke.add_argument("--type", required=True)
    add_transaction_arguments(revoke)
    drop = command("drop", "drop a claim about the sender, for good", build_drop)
    drop.add_argument("--attester", required=True, metavar="ADDR")
    drop.add_argument("--type", required=True)
    add_transaction_arguments(drop)

    for name, function, help_text in (("has", "hasClaim", "does the claim count now (true/false)"),
                                      ("claim", "getClaim", "a claim's record and whether it counts")):
        view = identity.add_parser(name, help=help_text, description=help_text)
        view.add_argument("--subject", required=True, metavar="ADDR")
        view.add_argument("--type", required=True)
        view.add_argument("--attester", required=True, metavar="ADDR")
        view.set_defaults(run=lambda args, function=function: print_view(args, IDENTITY, function, _claim_args))
    attester = identity.add_parser("attester", help="an attester's registration and bond")
    attester.add_argument("address")
    attester.set_defaults(run=lambda args: print_view(
        args, IDENTITY, "attester", lambda a: (parse_address(a.address, "address"),)))
