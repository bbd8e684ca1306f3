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
from .chain import CometChain
from .errors import EXECUTION_REVERTED, InvalidParams, JsonRpcError, ServerError

CLIENT_VERSION = f"miles/v0.1.0/python{platform.python_version()}"
PRIORITY_FEE_WEI = 0  # the base fee (minimum gas price) is all a tx needs to be included
TRANSFER_GAS = 21_000
MAX_FEE_HISTORY_BLOCKS = 1024  # as geth caps it


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
    """The runtime code (`0x` for an account without code)."""
    _require_latest(chain, tag)
    return fmt.data(chain.code(address))


def get_storage_at(chain: CometChain, address: str, slot: int, tag) -> str:
    _require_latest(chain, tag)
    if slot >= 2**256:
        raise InvalidParams("storage slot out of range")
    return fmt.data(chain.storage(address, slot))


# calls and gas estimation


def _call_failed(result: dict) -> JsonRpcError:
    """A revert answers code 3 with the reason and the revert data, as geth does (so web3.py
    raises ContractLogicError); any other failure (out of gas, invalid opcode) -32000."""
    message = result.get("error") or "execution failed"
    if message.startswith("execution reverted"):
        return JsonRpcError(EXECUTION_REVERTED, message, data=result.get("output") or "0x")
    return ServerError(message)


def _cap_gas(chain: CometChain, call: dict) -> dict:
    limit = chain.params.block_gas_limit
    if call.get("gas") is not None and call["gas"] < 1:
        raise InvalidParams("gas must be positive")
    return {**call, "gas": min(call.get("gas") or limit, limit)}


def eth_call(chain: CometChain, call: dict, tag) -> str:
    _require_latest(chain, tag)
    result = chain.call(_cap_gas(chain, call))
    if not result["success"]:
        raise _call_failed(result)
    return result["output"]


def estimate_gas(chain: CometChain, call: dict, tag) -> str:
    """The smallest gas at which the call succeeds, by binary search over `/call`.

    The upper end is the call's own gas or the block gas limit; a call that fails there fails
    (code 3 with the reason for a revert). The lower end is what the call used at the upper
    end (gas used is after refunds, so it never exceeds what the call needs), and at least
    the 21,000 of a plain transfer. Success is what is searched for, never gas used, so refunds,
    the 63/64 rule and precompiles that charge their own way never cause an underestimate."""
    _require_latest(chain, tag)
    call = _cap_gas(chain, call)
    high = call["gas"]
    result = chain.call(call)
    if not result["success"]:
        raise _call_failed(result)
    low = max(TRANSFER_GAS, int(result["gas_used"]))  # the first probe: the answer for most calls
    if low >= high:
        return fmt.quantity(high)
    if chain.call({**call, "gas": low})["success"]:
        return fmt.quantity(low)
    while low + 1 < high:  # low fails, high succeeds
        middle = (low + high) // 2
        if chain.call({**call, "gas": middle})["success"]:
            high = middle
        else:
            low = middle
    return fmt.quantity(high)


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


def get_transaction_by_hash(chain: CometChain, tx_hash: bytes):
    """A committed tx (from its receipt and the raw bytes in its CometBFT block), else one in
    this node's mempool (block fields null), else null."""
    base_fee = chain.params.min_gas_price_wei
    receipt = chain.receipt(tx_hash)
    if receipt is None:
        for tx in chain.mempool_txs():
            if tx.hash == tx_hash:
                return fmt.format_transaction(tx.tx, tx.sender, tx.hash, block_hash=None, number=None,
                                              index=None, base_fee_wei=base_fee)
        return None
    answer = chain.block(receipt["height"])
    decoded = chain.decode(_raw_tx(answer["block"], receipt["index"]))
    if decoded is None or decoded.hash != tx_hash:
        raise ServerError(f"transaction {fmt.data(tx_hash)} is not where its receipt says")
    return fmt.format_transaction(decoded.tx, decoded.sender, decoded.hash,
                                  block_hash="0x" + answer["block_id"]["hash"].lower(),
                                  number=receipt["height"], index=receipt["index"], base_fee_wei=base_fee)


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


def fee_history(chain: CometChain, count: int, tag, percentiles: list[float] | None):
    """The base fee is constant (the minimum gas price) and priority fees buy nothing, so
    baseFeePerGas repeats it (one more entry: the next block), reward is all 0, and
    gasUsedRatio is each block's gas used over the block gas limit."""
    latest = chain.height()
    newest = latest if tag == "latest" else 1 if tag == "earliest" else tag
    if newest > latest or newest < 1:
        raise ServerError(f"block {newest} is not available (latest is {latest})")
    count = min(count, MAX_FEE_HISTORY_BLOCKS, newest)
    if count == 0:
        return {"oldestBlock": fmt.quantity(0), "baseFeePerGas": [], "gasUsedRatio": []}
    oldest = newest - count + 1
    params = chain.params
    ratios = []
    for height in range(oldest, newest + 1):
        results = chain.block_results(height).get("txs_results") or []
        ratios.append(sum(int(r.get("gas_used") or 0) for r in results) / params.block_gas_limit)
    answer = {"oldestBlock": fmt.quantity(oldest),
              "baseFeePerGas": [fmt.quantity(params.min_gas_price_wei)] * (count + 1),
              "gasUsedRatio": ratios}
    if percentiles:
        answer["reward"] = [["0x0"] * len(percentiles) for _ in ratios]
    return answer


def sha3(chain: CometChain, payload: bytes) -> str:
    return fmt.data(keccak(payload))


def peer_count(chain: CometChain) -> str:
    return fmt.quantity(chain.peer_count())


def syncing(chain: CometChain):
    """false, or while CometBFT catches up (block sync), how far it is. CometBFT does not tell
    the peers' height, so highestBlock is the current one."""
    info = chain.status()["sync_info"]
    if not info.get("catching_up"):
        return False
    current = int(info["latest_block_height"])
    return {"startingBlock": fmt.quantity(int(info.get("earliest_block_height") or 0)),
            "currentBlock": fmt.quantity(current), "highestBlock": fmt.quantity(current)}


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
    "eth_getStorageAt": Method(get_storage_at, (fmt.parse_address, fmt.parse_quantity, fmt.parse_block_tag), 2,
                               ("latest",)),
    "eth_call": Method(eth_call, (fmt.parse_call, fmt.parse_block_tag), 1, ("latest",)),
    "eth_estimateGas": Method(estimate_gas, (fmt.parse_call, fmt.parse_block_tag), 1, ("latest",)),
    "eth_getTransactionByHash": Method(get_transaction_by_hash, (fmt.parse_hash,)),
    "eth_feeHistory": Method(fee_history, (fmt.parse_count, fmt.parse_block_tag, fmt.parse_percentiles), 2, (None,)),
    "web3_sha3": Method(sha3, (fmt.parse_data,)),
    "net_peerCount": Method(peer_count),
    "eth_syncing": Method(syncing),
    "eth_sendRawTransaction": Method(send_raw_transaction, (fmt.parse_data,)),
    "eth_getTransactionReceipt": Method(get_transaction_receipt, (fmt.parse_hash,)),
    "eth_getBlockByNumber": Method(get_block_by_number, (fmt.parse_block_tag, fmt.parse_bool), 1, (False,)),
}
