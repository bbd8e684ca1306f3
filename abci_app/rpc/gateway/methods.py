"""The Ethereum JSON-RPC methods: one handler each, and the name -> Method table.

A handler takes the chain view and its parsed params and returns the JSON result. Params are
parsed by the Method's parsers before the handler runs, so a handler never sees bad input.
"""

import base64
import platform
from collections.abc import Callable
from dataclasses import dataclass

from eth_hash.auto import keccak

from . import formats as fmt
from .chain import EMPTY_CODE_HASH, CometChain
from .errors import InvalidParams, ServerError

CLIENT_VERSION = f"miles/v0.1.0/python{platform.python_version()}"
PRIORITY_FEE_WEI = 0  # the base fee (minimum gas price) is all a tx needs to be included


@dataclass(frozen=True, slots=True)
class Method:
    """A handler with its param parsers; params past `required` may be omitted (then `defaults`)."""

    handler: Callable
    parsers: tuple[Callable, ...] = ()
    required: int | None = None
    defaults: tuple = ()

    def parse(self, params) -> list:
        if params is None:
            params = []
        if not isinstance(params, list):
            raise InvalidParams("params must be an array")
        required = len(self.parsers) if self.required is None else self.required
        if not required <= len(params) <= len(self.parsers):
            raise InvalidParams(f"expected {required} to {len(self.parsers)} params, got {len(params)}")
        parsed = [parse(value) for parse, value in zip(self.parsers, params)]
        return parsed + list(self.defaults[len(parsed) - required:])


def _require_latest(chain: CometChain, tag: int | str) -> None:
    """State is read at the last committed block; a number must be that block's."""
    if tag == "latest":
        return
    height = chain.height()
    if tag == "earliest" or tag != height:
        raise ServerError(f"state at block {tag} is not available: this node answers for the latest block ({height})")


# web3_ and net_


def client_version(chain: CometChain) -> str:
    return CLIENT_VERSION


def net_version(chain: CometChain) -> str:
    return str(chain.params.chain_id)


def net_listening(chain: CometChain) -> bool:
    return True


# chain and fees


def chain_id(chain: CometChain) -> str:
    return fmt.quantity(chain.params.chain_id)


def block_number(chain: CometChain) -> str:
    return fmt.quantity(chain.height())


def gas_price(chain: CometChain) -> str:
    return fmt.quantity(chain.params.min_gas_price_wei + PRIORITY_FEE_WEI)


def max_priority_fee(chain: CometChain) -> str:
    return fmt.quantity(PRIORITY_FEE_WEI)


# accounts


def get_balance(chain: CometChain, address: str, tag) -> str:
    _require_latest(chain, tag)
    return fmt.quantity(int(chain.account(address)["balance"]))


def get_transaction_count(chain: CometChain, address: str, tag) -> str:
    """The committed nonce; with `pending`, plus this node's mempool txs from `address` that
    follow it without a gap. The mempool is read first: state only advances, so a block
    committed in between cannot make us miss a nonce."""
    if tag == "pending":
        sender = bytes.fromhex(address[2:])
        queued = {nonce for who, nonce in chain.mempool_senders() if who == sender}
        nonce = chain.account(address)["nonce"]
        while nonce in queued:
            nonce += 1
        return fmt.quantity(nonce)
    _require_latest(chain, tag)
    return fmt.quantity(chain.account(address)["nonce"])


def _nonce_tag(value) -> str | int:
    return "pending" if value == "pending" else fmt.parse_block_tag(value)


def get_code(chain: CometChain, address: str, tag) -> str:
    """`0x` for an account without code. The app has no abci_query path for code yet, so a
    contract's code cannot be read: that answers an error rather than a wrong `0x`."""
    _require_latest(chain, tag)
    if chain.account(address)["code_hash"] == EMPTY_CODE_HASH:
        return "0x"
    raise ServerError("eth_getCode: contract code is not readable through this gateway yet")


# transactions


def send_raw_transaction(chain: CometChain, raw: bytes) -> str:
    answer = chain.broadcast(raw)
    if int(answer.get("code", 0)) != 0:
        raise ServerError(answer.get("log") or f"rejected with code {answer['code']}",
                          data={"code": int(answer["code"]), "codespace": answer.get("codespace", "")})
    return fmt.data(keccak(raw))


def get_transaction_receipt(chain: CometChain, tx_hash: bytes):
    """null until the transaction is in a committed block, as wallets expect."""
    receipt = chain.receipt(tx_hash)
    if receipt is None:
        return None
    answer = chain.block(receipt["height"])
    raws = fmt.tx_hashes(answer["block"])
    first_log_index = 0
    for earlier in raws[: receipt["index"]]:  # logIndex counts across the block
        previous = chain.receipt(bytes.fromhex(earlier[2:]))
        first_log_index += len(previous["logs"]) if previous else 0
    raw_tx = _raw_tx(answer["block"], receipt["index"])
    return fmt.format_receipt(receipt, block_hash="0x" + answer["block_id"]["hash"].lower(),
                              tx_type_id=fmt.tx_type(raw_tx), first_log_index=first_log_index)


def _raw_tx(block: dict, index: int) -> bytes:
    txs = block["data"]["txs"] or []
    return base64.b64decode(txs[index]) if index < len(txs) else b""


# blocks


def get_block_by_number(chain: CometChain, tag, full_transactions: bool):
    if full_transactions:
        raise InvalidParams("full transactions are not supported yet: pass false")
    latest = chain.height()
    height = latest if tag == "latest" else 1 if tag == "earliest" else tag
    if height > latest or height < 1:
        return None
    params = chain.params
    return fmt.format_block(chain.block(height), chain.block_results(height),
                            gas_limit=params.block_gas_limit, base_fee_wei=params.min_gas_price_wei)


METHODS: dict[str, Method] = {
    "web3_clientVersion": Method(client_version),
    "net_version": Method(net_version),
    "net_listening": Method(net_listening),
    "eth_chainId": Method(chain_id),
    "eth_blockNumber": Method(block_number),
    "eth_gasPrice": Method(gas_price),
    "eth_maxPriorityFeePerGas": Method(max_priority_fee),
    "eth_getBalance": Method(get_balance, (fmt.parse_address, fmt.parse_block_tag), 1, ("latest",)),
    "eth_getTransactionCount": Method(get_transaction_count, (fmt.parse_address, _nonce_tag), 1, ("latest",)),
    "eth_getCode": Method(get_code, (fmt.parse_address, fmt.parse_block_tag), 1, ("latest",)),
    "eth_sendRawTransaction": Method(send_raw_transaction, (fmt.parse_data,)),
    "eth_getTransactionReceipt": Method(get_transaction_receipt, (fmt.parse_hash,)),
    "eth_getBlockByNumber": Method(get_block_by_number, (fmt.parse_block_tag, fmt.parse_bool), 1, (False,)),
}
