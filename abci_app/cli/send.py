"""The one path by which `miles` commands send a transaction: pick the key, sign, broadcast, wait.

A command adds the signer and wait flags to its parser, builds the transaction's `to`, value and
call data, and calls `transact`. The signer is `--from ADDRESS` (a key of the local keystore,
unlocked with its password: see keys.py), `--key HEX` or `--dev-account N` (default dev account 0).
Signing is always done here, with eth-account: only the signed raw transaction goes to the node
(`--node URL`, any node's CometBFT RPC). Usage errors (a bad key, amount or address, a wrong
password, a missing keystore) are `UsageError` (exit 2); a refused or unconfirmed transaction is
`SendError` and an unreachable node `RpcError` (exit 1). A committed transaction comes back with
its receipt (the `/tx/<hash>` JSON), whose "status" is 0 and "error" the revert reason when the
EVM call failed.
"""

import argparse
import json
import time
from dataclasses import dataclass
from decimal import Decimal, Inexact, InvalidOperation, localcontext

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_hash.auto import keccak
from eth_utils import is_hex_address, to_checksum_address

from ..app.codes import QUERY_NOT_FOUND
from ..rpc import CometRPC, RpcError
from .keys import KeystoreError, add_keystore_arguments, unlock_address
from .wallet import DEV_ACCOUNT_COUNT, GWEI, dev_account, sign_tx

TRANSFER_GAS = 21_000
DEFAULT_NODE = "http://127.0.0.1:26657"
DEFAULT_WAIT_S = 30.0
POLL_INTERVAL_S = 0.25


class UsageError(ValueError):
    """A flag's value is malformed: the command exits 2 before talking to the node."""


class SendError(Exception):
    """CheckTx refused the transaction, or no receipt came within the wait."""


@dataclass(frozen=True, slots=True)
class Sent:
    """A broadcast transaction, and its receipt when the command waited for the block."""

    tx_hash: str                # 0x hex
    sender: str                 # checksummed
    receipt: dict | None = None

    @property
    def reverted(self) -> bool:
        return self.receipt is not None and self.receipt.get("status") != 1


# ---- flags -------------------------------------------------------------------------------------

def add_node_argument(parser: argparse.ArgumentParser) -> None:
    """--node URL after the subcommand too (`miles tx send --node URL ...`); without it the global
    `miles --node URL` (default DEFAULT_NODE) stands."""
    parser.add_argument("--node", default=argparse.SUPPRESS, metavar="URL",
                        help=f"CometBFT RPC address of any node (default {DEFAULT_NODE})")


def add_signer_arguments(parser: argparse.ArgumentParser) -> None:
    """--from ADDRESS (alias --account; only --account where the command has its own --from),
    --key HEX or --dev-account N (default dev account 0); --keystore, --password-file,
    --gas-price-gwei and --node."""
    key = parser.add_mutually_exclusive_group()
    flags = ("--account",) if "--from" in parser._option_string_actions else ("--from", "--account")
    key.add_argument(*flags, dest="account", metavar="ADDRESS",
                     help="sign with this address's key from the keystore (asks for its password)")
    key.add_argument("--key", help="hex private key of the sender (development only: it lands in shell history)")
    key.add_argument("--dev-account", type=int, default=0,
                     help=f"index of a well-known dev account, 0..{DEV_ACCOUNT_COUNT - 1} (default 0)")
    add_keystore_arguments(parser)
    parser.add_argument("--gas-price-gwei", type=int, default=1)
    add_node_argument(parser)


def add_wait_arguments(parser: argparse.ArgumentParser) -> None:
    """--no-wait, and --wait-timeout seconds for the receipt."""
    parser.add_argument("--no-wait", action="store_true", help="print the hash without waiting for the block")
    parser.add_argument("--wait-timeout", type=float, default=DEFAULT_WAIT_S, metavar="SECONDS",
                        help=f"how long to wait for the receipt (default {DEFAULT_WAIT_S:g})")


def load_sender(args: argparse.Namespace) -> LocalAccount:
    """The signing key named by --from (decrypted from the keystore), --key or --dev-account."""
    if getattr(args, "account", None):
        try:
            return unlock_address(args, args.account)
        except KeystoreError as exc:
            raise UsageError(str(exc)) from None
    if args.key:
        try:
            return Account.from_key(args.key)
        except (ValueError, TypeError):
            raise UsageError("--key is not a 32-byte hex private key") from None
    if not 0 <= args.dev_account < DEV_ACCOUNT_COUNT:
        raise UsageError(f"--dev-account must be 0..{DEV_ACCOUNT_COUNT - 1}, got {args.dev_account}")
    return dev_account(args.dev_account)


def parse_cmt(text: str) -> int:
    """CMT as a decimal string to wei, exactly (no floats, no rounding)."""
    try:
        amount = Decimal(text.strip())
    except InvalidOperation:
        raise UsageError(f"not an amount: {text!r}") from None
    with localcontext() as exact:
        exact.prec = 200
        exact.traps[Inexact] = True
        try:
            wei = amount.scaleb(18) if amount.is_finite() else amount
        except Inexact:
            wei = Decimal("NaN")
    if not wei.is_finite() or wei < 0 or wei != wei.to_integral_value() or wei >= 2**256:
        raise UsageError(f"not a CMT amount with at most 18 decimals: {text!r}")
    return int(wei)


def parse_address(text: str, flag: str) -> str:
    """A 0x address, checksummed."""
    if not is_hex_address(text):
        raise UsageError(f"{flag}: not an address: {text}")
    return to_checksum_address(text)


# ---- sign, broadcast, wait ---------------------------------------------------------------------

def broadcast(rpc: CometRPC, sender: LocalAccount, to: str, value_wei: int, *, data: bytes = b"",
              gas: int = TRANSFER_GAS, gas_price_wei: int = GWEI) -> str:
    """Sign with the sender's committed nonce and the chain's EVM chain id, broadcast_tx_sync; the
    0x hash. Raises SendError when CheckTx refuses it."""
    nonce = rpc.query_json(f"/account/{sender.address}")["nonce"]
    chain_id = rpc.query_json("/chain")["chain_id"]
    raw = sign_tx(sender, nonce, to, value_wei, chain_id=chain_id, gas=gas, gas_price_wei=gas_price_wei, data=data)
    result = rpc.broadcast_tx_sync(raw)
    if int(result["code"]) != 0:
        raise SendError(f"rejected (code {result['code']}): {result.get('log', '')}")
    return "0x" + keccak(raw).hex()


def wait_for_receipt(rpc: CometRPC, tx_hash: str, timeout_s: float = DEFAULT_WAIT_S,
                     interval_s: float = POLL_INTERVAL_S) -> dict:
    """Poll `/tx/<hash>` until the transaction is committed; SendError after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        code, value, log = rpc.abci_query(f"/tx/{tx_hash}")
        if code == 0:
            return json.loads(value)
        if code != QUERY_NOT_FOUND:
            raise SendError(f"abci_query /tx/{tx_hash}: code {code}: {log}")
        if time.monotonic() >= deadline:
            raise SendError(f"{tx_hash} not committed after {timeout_s:g}s (it may still be; "
                            f"see `miles query tx {tx_hash}`)")
        time.sleep(interval_s)


def call(rpc: CometRPC, to: str | None, data: bytes, *, sender: str | None = None, value_wei: int = 0,
         gas: int | None = None) -> dict:
    """Run a call on the committed state through abci_query `/call` (nothing is kept; no key is
    needed): {success, output, gas_used, error}. `to` None simulates a deployment of `data`.
    SendError when the node refuses the request."""
    body = {"from": sender, "to": to, "data": "0x" + data.hex(), "value": str(value_wei)}
    if gas is not None:
        body["gas"] = gas
    code, value, log = rpc.abci_query("/call", json.dumps(body).encode())
    if code != 0:
        raise SendError(f"abci_query /call: code {code}: {log}")
    return json.loads(value)


def estimate_gas(rpc: CometRPC, sender: str, to: str | None, value_wei: int, data: bytes) -> int:
    """A gas limit for the transaction: what a simulation used, plus a quarter (refunds are paid
    back only at the end, at most a fifth of the gas used) and 20,000 (the 63/64 rule of nested
    calls), within the block gas limit. SendError with the reason when the simulation fails."""
    result = call(rpc, to, data, sender=sender, value_wei=value_wei)
    if not result["success"]:
        raise SendError(f"the transaction would fail: {result.get('error') or 'execution reverted'}")
    limit = int(rpc.query_json("/chain")["block_gas_limit"])
    return min(limit, max(TRANSFER_GAS, int(result["gas_used"]) * 5 // 4 + 20_000))


def transact(args: argparse.Namespace, sender: LocalAccount, to: str, value_wei: int, *, data: bytes = b"",
             gas: int | None = TRANSFER_GAS, wait: bool = True) -> Sent:
    """Broadcast through `args.node` with `args.gas_price_gwei`; with `wait`, also the receipt
    (bounded by `args.wait_timeout`, else DEFAULT_WAIT_S). `to` "" deploys `data`; `gas` None
    estimates it (`estimate_gas`). Raises RpcError or SendError."""
    rpc = CometRPC(args.node)
    if gas is None:
        gas = estimate_gas(rpc, sender.address, to or None, value_wei, data)
    tx_hash = broadcast(rpc, sender, to, value_wei, data=data, gas=gas, gas_price_wei=args.gas_price_gwei * GWEI)
    receipt = None
    if wait:
        receipt = wait_for_receipt(rpc, tx_hash, getattr(args, "wait_timeout", DEFAULT_WAIT_S))
    return Sent(tx_hash, sender.address, receipt)


__all__ = [
    "DEFAULT_NODE", "DEFAULT_WAIT_S", "RpcError", "SendError", "Sent", "UsageError", "add_node_argument",
    "add_signer_arguments", "add_wait_arguments", "broadcast", "call", "estimate_gas", "load_sender",
    "parse_address", "parse_cmt", "transact", "wait_for_receipt",
]
