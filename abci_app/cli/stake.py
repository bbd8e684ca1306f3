"""`miles stake ...`: the staking precompile's transactions from the command line.

Each subcommand is one function of contracts/interfaces/IStaking.sol, called with an ordinary
signed transaction to the precompile: the call data is encoded against the compiled ABI
(contracts/build/IStaking.json), payable functions carry their CMT as the value. The command waits
for the receipt and prints what happened, or the revert reason and exits 1 (`--no-wait` only
prints the hash). Malformed flags exit 2 before anything is sent.
"""

import argparse
import base64
import binascii
from collections.abc import Callable
from pathlib import Path

from eth_utils import to_checksum_address

from .. import contracts
from ..rpc import CometRPC
from ..staking import ADDRESS
from .devgenesis import validator_pubkey
from .precompile_tx import PrecompileCall, Target, run_call
from .send import UsageError, add_signer_arguments, add_wait_arguments, parse_address, parse_cmt

STAKING_ADDRESS = to_checksum_address(ADDRESS)
STAKING_GAS = 500_000
# Storing new words costs 20,000 gas each: a declaration with the longest description needs ~890k,
# and withdrawing starts one unbonding per delegation. The rest stay well under STAKING_GAS.
GAS_BY_FUNCTION = {"declareCandidacy": 1_000_000, "updateCandidacy": 1_000_000, "withdrawCandidacy": 2_000_000}
DEFAULT_COMMISSION_BPS = 1_000
MAX_COMMISSION_BPS = 10_000
CONSENSUS_KEY_BYTES = 32
STAKING = Target("IStaking", STAKING_ADDRESS, lambda function: GAS_BY_FUNCTION.get(function, STAKING_GAS))


# ---- call data ---------------------------------------------------------------------------------

def staking_functions() -> dict[str, dict]:
    """IStaking's functions by name, from the compiled ABI (it has no overloads)."""
    return contracts.contract_functions("IStaking")


def encode_call(function: str, args: tuple) -> bytes:
    """Selector and ABI-encoded arguments of an IStaking function."""
    return contracts.encode_call("IStaking", function, *args)


# ---- flag values -------------------------------------------------------------------------------

def parse_consensus_key(text: str) -> bytes:
    """An ed25519 consensus public key: base64 (as in priv_validator_key.json) or 0x hex, 32 bytes."""
    try:
        if text.startswith(("0x", "0X")):
            key = bytes.fromhex(text[2:])
        else:
            key = base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error):
        key = b""
    if len(key) != CONSENSUS_KEY_BYTES:
        raise UsageError(f"--pubkey: not a 32-byte ed25519 key in base64 or 0x hex: {text!r}")
    return key


def read_consensus_key(home: Path) -> bytes:
    """The consensus key of the node whose CometBFT home (or miles home) is `home`."""
    cometbft_home = home if (home / "config").is_dir() or not (home / "cometbft").is_dir() else home / "cometbft"
    try:
        text = validator_pubkey(cometbft_home)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"--cometbft-home: cannot read {cometbft_home}/config/priv_validator_key.json: {exc}") \
            from None
    return parse_consensus_key(text)


def _consensus_key(args: argparse.Namespace) -> bytes | None:
    if args.pubkey is not None:
        return parse_consensus_key(args.pubkey)
    if args.cometbft_home is not None:
        return read_consensus_key(args.cometbft_home)
    return None


def _commission(bps: int) -> int:
    if not 0 <= bps <= MAX_COMMISSION_BPS:
        raise UsageError(f"commission must be 0..{MAX_COMMISSION_BPS} bps, got {bps}")
    return bps


# ---- one builder per subcommand: (args, sender, rpc) -> PrecompileCall ----------------------------

def build_declare(args: argparse.Namespace, sender: str, rpc: CometRPC) -> PrecompileCall:
    key = _consensus_key(args)
    stake_wei = parse_cmt(args.self_stake)
    commission = _commission(args.commission_bps)
    return PrecompileCall("declareCandidacy", (key, commission, args.name, args.website, args.details),
                       f"declare candidacy of {sender} (key 0x{key.hex()}, self-stake {args.self_stake} CMT, "
                       f"commission {commission} bps)", stake_wei)


def build_update(args: argparse.Namespace, sender: str, rpc: CometRPC) -> PrecompileCall:
    """Flags left out keep the candidate's current values (read from `/candidate/<sender>`)."""
    key = _consensus_key(args)
    if key is None and args.name is None and args.website is None and args.details is None:
        raise UsageError("nothing to update: give --pubkey/--cometbft-home, --name, --website or --details")
    current = rpc.query_json(f"/candidate/{sender}")
    name, website, details = (current[field] if given is None else given for field, given in
                              (("name", args.name), ("website", args.website), ("details", args.details)))
    return PrecompileCall("updateCandidacy", (key or bytes(CONSENSUS_KEY_BYTES), name, website, details),
                       f"update candidate {sender}" + (f" (next key 0x{key.hex()})" if key else ""))


def build_commission(args: argparse.Namespace, sender: str, rpc: CometRPC) -> PrecompileCall:
    bps = _commission(args.bps)
    return PrecompileCall("setCommission", (bps,), f"set the commission of {sender} to {bps} bps")


def build_delegate(args: argparse.Namespace, sender: str, rpc: CometRPC) -> PrecompileCall:
    candidate = parse_address(args.candidate, "--candidate")
    amount_wei = parse_cmt(args.amount)
    return PrecompileCall("delegate", (candidate,), f"delegate {args.amount} CMT from {sender} to {candidate}",
                       amount_wei)


def build_undelegate(args: argparse.Namespace, sender: str, rpc: CometRPC) -> PrecompileCall:
    candidate = parse_address(args.candidate, "--candidate")
    amount_wei = parse_cmt(args.amount)
    return PrecompileCall("undelegate", (candidate, amount_wei),
                       f"undelegate {args.amount} CMT of {sender} from {candidate}")


def build_redelegate(args: argparse.Namespace, sender: str, rpc: CometRPC) -> PrecompileCall:
    source = parse_address(args.source, "--from")
    target = parse_address(args.target, "--to")
    amount_wei = parse_cmt(args.amount)
    return PrecompileCall("redelegate", (source, target, amount_wei),
                       f"redelegate {args.amount} CMT of {sender} from {source} to {target}")


def build_withdraw_rewards(args: argparse.Namespace, sender: str, rpc: CometRPC) -> PrecompileCall:
    if args.candidate is None:
        return PrecompileCall("withdrawAllRewards", (), f"withdraw every reward of {sender}")
    candidate = parse_address(args.candidate, "--candidate")
    return PrecompileCall("withdrawRewards", (candidate,), f"withdraw the rewards of {sender} from {candidate}")


def _no_arguments(function: str, verb: str) -> Callable[[argparse.Namespace, str, CometRPC], PrecompileCall]:
    return lambda args, sender, rpc: PrecompileCall(function, (), f"{verb} candidate {sender}")


# ---- parsers -----------------------------------------------------------------------------------

def _command(stake: argparse._SubParsersAction, name: str, help_text: str, build) -> argparse.ArgumentParser:
    parser = stake.add_parser(name, help=help_text, description=help_text)
    parser.set_defaults(run=lambda args: run_call(args, build, STAKING))
    return parser


def _add_key_arguments(parser: argparse.ArgumentParser, required: bool) -> None:
    key = parser.add_mutually_exclusive_group(required=required)
    key.add_argument("--pubkey", help="ed25519 consensus public key, base64 or 0x hex (32 bytes)")
    key.add_argument("--cometbft-home", type=Path, metavar="DIR",
                     help="read the key from DIR/config/priv_validator_key.json (a CometBFT or miles home)")


def _finish(parser: argparse.ArgumentParser) -> None:
    add_signer_arguments(parser)
    parser.add_argument("--gas", type=int, metavar="N",
                        help=f"gas limit (default {STAKING_GAS:,}; declare and update "
                             f"{GAS_BY_FUNCTION['declareCandidacy']:,}, withdraw {GAS_BY_FUNCTION['withdrawCandidacy']:,})")
    add_wait_arguments(parser)


def add_parsers(commands: argparse._SubParsersAction) -> None:
    stake = commands.add_parser("stake", help="staking: candidacy and delegations").add_subparsers(
        dest="stake", required=True)

    declare = _command(stake, "declare", "become a validator candidate with a self-stake", build_declare)
    _add_key_arguments(declare, required=True)
    declare.add_argument("--self-stake", required=True, metavar="CMT", help="self-stake in CMT")
    declare.add_argument("--commission-bps", type=int, default=DEFAULT_COMMISSION_BPS, metavar="N",
                         help=f"commission in basis points, 0..{MAX_COMMISSION_BPS} (default {DEFAULT_COMMISSION_BPS})")
    declare.add_argument("--name", required=True)
    declare.add_argument("--website", default="")
    declare.add_argument("--details", default="")
    _finish(declare)

    update = _command(stake, "update", "change the candidate's description or rotate its key", build_update)
    _add_key_arguments(update, required=False)
    for flag in ("--name", "--website", "--details"):
        update.add_argument(flag, help="new value (default: keep the current one)")
    _finish(update)

    commission = _command(stake, "commission", "change the candidate's commission rate", build_commission)
    commission.add_argument("--bps", type=int, required=True, metavar="N", help="commission in basis points")
    _finish(commission)

    for name, help_text, build in (("delegate", "bond CMT to a candidate", build_delegate),
                                   ("undelegate", "start unbonding CMT from a candidate", build_undelegate)):
        parser = _command(stake, name, help_text, build)
        parser.add_argument("--candidate", required=True, metavar="ADDR", help="the candidate's operator address")
        parser.add_argument("--amount", required=True, metavar="CMT", help="amount in CMT")
        _finish(parser)

    redelegate = _command(stake, "redelegate", "move a delegation to another candidate", build_redelegate)
    redelegate.add_argument("--from", dest="source", required=True, metavar="ADDR")
    redelegate.add_argument("--to", dest="target", required=True, metavar="ADDR")
    redelegate.add_argument("--amount", required=True, metavar="CMT")
    _finish(redelegate)

    rewards = _command(stake, "withdraw-rewards", "collect delegation rewards (from one candidate, or all)",
                       build_withdraw_rewards)
    rewards.add_argument("--candidate", metavar="ADDR", help="only from this candidate (default: every one)")
    _finish(rewards)

    for name, function, verb, help_text in (
            ("withdraw-commission", "withdrawCommission", "collect the commission of",
             "a candidate collects its accumulated commission"),
            ("activate", "activate", "activate", "back into the running after deactivate or a downtime jail"),
            ("deactivate", "deactivate", "deactivate", "leave the validator set, keeping every stake bonded"),
            ("withdraw", "withdrawCandidacy", "withdraw", "stop being a candidate: all its stake starts unbonding")):
        _finish(_command(stake, name, help_text, _no_arguments(function, verb)))
