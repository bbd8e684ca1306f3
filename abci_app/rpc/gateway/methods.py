"""The Ethereum JSON-RPC methods: one handler each, and the name -> Method table.

A handler takes the chain view and its parsed params and returns the JSON result. Params are
parsed by the Method's parsers before the handler runs, so a handler never sees bad input.
"""

import platform
from collections.abc import Callable
from dataclasses import dataclass

from eth_hash.auto import keccak

from . import formats as fmt
from . import blocks, simulation, unsigned
from .chain import CometChain, StoredBlock
from .errors import EXECUTION_REVERTED, METHOD_NOT_FOUND, InvalidParams, JsonRpcError, LimitExceeded, ServerError

CLIENT_VERSION = f"miles/v0.1.0/python{platform.python_version()}"
MAX_FEE_HISTORY_BLOCKS = 1024  # as geth caps it
MAX_PROOF_KEYS = 1024  # storage keys per eth_getProof, as geth caps them (and the app's /proof)
MAX_STORAGE_VALUES = 1024  # storage keys (and accounts) per eth_getStorageValues, as geth caps them
MIN_BLOB_BASE_FEE_WEI = 1  # EIP-4844's MIN_BASE_FEE_PER_BLOB_GAS


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


def _height(chain: CometChain, tag: int | str) -> int:
    """A block tag as a height: `latest` the app's last committed block, `earliest` the first."""
    return chain.height() if tag == "latest" else 1 if tag == "earliest" else tag


def _state_height(chain: CometChain, tag: int | str | fmt.BlockHash) -> int:
    """The height a state read asks the app for: 0 for the last committed block; a block hash
    is looked up (-32000 if no committed block has it, as geth answers). The app keeps recent
    blocks' state and refuses (-32000) a height it does not have."""
    if isinstance(tag, fmt.BlockHash):
        height = chain.height_of(tag.value)
        if height is None:
            raise ServerError("header for hash not found")
        return height
    return 0 if tag == "latest" else 1 if tag == "earliest" else tag


# web3_ and net_


def client_version(chain: CometChain) -> str:
    return CLIENT_VERSION


def net_version(chain: CometChain) -> str:
    return str(chain.params.chain_id)


def net_listening(chain: CometChain) -> bool:
    return True


# chain and fees


def accounts(chain: CometChain) -> list:
    """The node holds no keys (wallets sign): none, as geth without keys answers."""
    return []


def chain_id(chain: CometChain) -> str:
    return fmt.quantity(chain.params.chain_id)


def block_number(chain: CometChain) -> str:
    return fmt.quantity(chain.height())


def gas_price(chain: CometChain) -> str:
    """For a legacy tx, what is included soon: the next base fee with room for one full block's
    rise (1/8), so a price taken now still pays the block it lands in, and the tip recent blocks
    paid (geth's price is base fee plus that tip too). One query (`/fees`): a wallet asks it for
    every tx, and every query waits while the node runs an eth_call."""
    base, tip = chain.fees()
    return fmt.quantity(base + -(-base // 8) + tip)


def base_fee(chain: CometChain) -> str:
    """The next block's base fee."""
    return fmt.quantity(chain.next_base_fee())


def blob_base_fee(chain: CometChain) -> str:
    """The chain takes no blob transactions, so its excess blob gas stays 0 and the blob base fee
    (what BLOBBASEFEE answers in a contract) is EIP-4844's minimum."""
    return fmt.quantity(MIN_BLOB_BASE_FEE_WEI)


def max_priority_fee(chain: CometChain) -> str:
    """geth's oracle, kept by the app (app/fee_oracle.py): a wallet that tips 0 while others pay
    waits behind all of them (found by issue 14's attack run)."""
    return fmt.quantity(chain.fees()[1])


# accounts


def get_balance(chain: CometChain, address: str, tag) -> str:
    return fmt.quantity(int(chain.account(address, _state_height(chain, tag))["balance"]))


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
    return fmt.quantity(chain.account(address, _state_height(chain, tag))["nonce"])


def _nonce_tag(value) -> str | int | fmt.BlockHash:
    return "pending" if value == "pending" else fmt.parse_block_ref(value)


def get_code(chain: CometChain, address: str, tag) -> str:
    """The runtime code (`0x` for an account without code)."""
    return fmt.data(chain.code(address, _state_height(chain, tag)))


def get_storage_at(chain: CometChain, address: str, slot: int, tag) -> str:
    if slot >= 2**256:
        raise InvalidParams("storage slot out of range")
    return fmt.data(chain.storage(address, slot, _state_height(chain, tag)))


def _storage_keys(value) -> list[tuple[str, int]]:
    """eth_getProof's storage keys (bytesMax32: hex of at most 32 bytes, any length up to it; at
    most MAX_PROOF_KEYS), each as (the key as written, its slot): the answer echoes each key as
    the caller gave it, as the specification's `key` wants."""
    if not isinstance(value, list):
        raise InvalidParams("storage keys must be an array")
    if len(value) > MAX_PROOF_KEYS:
        raise InvalidParams(f"too many storage keys: at most {MAX_PROOF_KEYS}")
    return [(key, _slot(key)) for key in value]


def _slot(key) -> int:
    """A storage key as a slot: `0x` (no bytes) is slot 0, leading zeros are tolerated, as geth does."""
    if not isinstance(key, str) or len(key) > 2 + 64:
        raise InvalidParams(f"not a storage key (hex, at most 32 bytes): {key!r}")
    return 0 if key == "0x" else fmt.parse_quantity(key)


def _storage_requests(value) -> dict[str, tuple[str, list[int]]]:
    """eth_getStorageValues' requests, {address: [storage key]}, each as {the address as written:
    (the address, its slots)}; at most MAX_STORAGE_VALUES keys and accounts in all."""
    if not isinstance(value, dict) or not all(isinstance(keys, list) for keys in value.values()):
        raise InvalidParams("storage requests must be an object of address -> array of storage keys")
    if sum(max(1, len(keys)) for keys in value.values()) > MAX_STORAGE_VALUES:
        raise InvalidParams(f"too many storage keys: at most {MAX_STORAGE_VALUES}")
    requests = {given: (fmt.parse_address(given), [_slot(key) for key in keys]) for given, keys in value.items()}
    if len({address for address, _ in requests.values()}) < len(requests):
        raise InvalidParams("an address is asked twice")
    return requests


def get_storage_values(chain: CometChain, requests: dict[str, tuple[str, list[int]]], tag) -> dict:
    """Many storage words of many accounts, all from one block, in one `/storages` query
    (answered by the node's query workers, in turn with the EVM queries)."""
    values = chain.storages({address: slots for address, slots in requests.values()}, _state_height(chain, tag))
    return {given: values[address] for given, (address, _) in requests.items()}


def no_keys(chain: CometChain, *params) -> None:
    """eth_sign, eth_signTransaction, eth_sendTransaction: the node holds no keys (wallets sign),
    so it answers as geth does for an account it does not hold."""
    raise ServerError("unknown account")


def get_proof(chain: CometChain, address: str, storage_keys: list[tuple[str, int]], tag) -> dict:
    """EIP-1186: the account with its Merkle proof from the asked block's stateRoot, and each
    storage key's value with its proof from the account's storageHash. An absent account or slot
    is proven absent: zero values, the nodes down to where its path leaves the trie."""
    answer = chain.proof(address, [slot for _, slot in storage_keys], _state_height(chain, tag))
    return {
        "address": fmt.checksum(address),
        "accountProof": answer["account_proof"],
        "balance": fmt.quantity(int(answer["balance"])),
        "codeHash": answer["code_hash"],
        "nonce": fmt.quantity(answer["nonce"]),
        "storageHash": answer["storage_hash"],
        "storageProof": [{"key": key, "value": fmt.quantity(int(proven["value"], 16)), "proof": proven["proof"]}
                         for (key, _), proven in zip(storage_keys, answer["storage_proof"], strict=True)],
    }


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
    result = chain.call(_cap_gas(chain, call), _state_height(chain, tag))
    if not result["success"]:
        raise _call_failed(result)
    return result["output"]


def estimate_gas(chain: CometChain, call: dict, tag) -> str:
    """The smallest gas at which the call succeeds, within the call's own gas or the block gas
    limit: the app searches for it in one `/estimate` query, which its time budget bounds whole
    (evm/simulate.py: estimate_gas). A call that fails with all of it fails (code 3 with the
    reason for a revert)."""
    answer = chain.estimate(_cap_gas(chain, call), _state_height(chain, tag))
    if answer["gas"] is None:
        raise _call_failed(answer)
    return fmt.quantity(answer["gas"])


def fill_transaction(chain: CometChain, value) -> dict:
    """geth's eth_fillTransaction: the transaction with what is left out filled in as this node
    would (the sender's next nonce counting its mempool txs, the estimated gas, the suggested
    tip and a fee cap of twice the next base fee over it, the chain id), unsigned, and `raw`, its
    encoding with zero signature fields. No sender: the zero address."""
    call = fmt.parse_call(value)   # from, to, data, value, gas
    sender = call.setdefault("from", "0x" + "00" * 20)
    if "to" not in call and call["data"] == "0x":
        raise InvalidParams("contract creation without any data provided")
    if int(call["value"]) >= unsigned.UINT256:
        raise InvalidParams("value out of range")
    kind = unsigned.requested_type(value)
    params = chain.params
    chain_id = unsigned.bounded(value.get("chainId"), "chainId", unsigned.UINT64)
    if chain_id not in (None, params.chain_id):
        raise InvalidParams(f"chainId {chain_id} is not this chain's ({params.chain_id})")
    access_list = fmt.parse_access_list(value.get("accessList"))
    if kind == 0 and access_list:
        raise InvalidParams("a legacy transaction has no access list")
    nonce = unsigned.bounded(value.get("nonce"), "nonce", unsigned.UINT64)
    fees = {name: unsigned.bounded(value.get(name), name, unsigned.UINT256)
            for name in ("gasPrice", "maxFeePerGas", "maxPriorityFeePerGas")}
    if kind == 2:
        next_base, suggested = chain.fees()
        tip = suggested if fees["maxPriorityFeePerGas"] is None else fees["maxPriorityFeePerGas"]
        max_fee = tip + 2 * next_base if fees["maxFeePerGas"] is None else fees["maxFeePerGas"]
        if max_fee < tip:
            raise InvalidParams("maxFeePerGas is below maxPriorityFeePerGas")
        priced = {"max_fee": max_fee, "max_priority_fee": tip}
    else:
        priced = {"gas_price": int(gas_price(chain), 16) if fees["gasPrice"] is None else fees["gasPrice"]}
    if call.get("gas") is not None and call["gas"] >= unsigned.UINT64:
        raise InvalidParams("gas out of range")
    tx = unsigned.Unsigned(
        kind=kind, chain_id=params.chain_id,
        nonce=int(get_transaction_count(chain, sender, "pending"), 16) if nonce is None else nonce,
        gas=int(estimate_gas(chain, call, "latest"), 16) if call.get("gas") is None else call["gas"],
        to=bytes.fromhex(call["to"][2:]) if "to" in call else None, value=int(call["value"]),
        data=bytes.fromhex(call["data"][2:]), access_list=access_list, **priced)
    return {"raw": fmt.data(tx.encode()), "tx": tx.to_json()}


def simulate_v1(chain: CometChain, payload: dict, tag) -> list[dict]:
    """eth_simulateV1: the calls in simulated blocks on the named block's state, nothing kept
    (gateway/simulation.py)."""
    return simulation.simulate(chain, payload, _state_height(chain, tag))


def create_access_list(chain: CometChain, call: dict, tag) -> dict:
    """geth's eth_createAccessList: the accounts and storage slots the call touches (but the
    sender, the recipient and the coinbase unless their storage is, and the precompiles), and
    the gas it uses with them as its access list; `error` says why a call that fails failed."""
    answer = chain.access_list(_cap_gas(chain, call), _state_height(chain, tag))
    result = {"accessList": [{"address": fmt.checksum(bytes.fromhex(entry["address"][2:])),
                              "storageKeys": entry["storage_keys"]} for entry in answer["access_list"]],
              "gasUsed": fmt.quantity(answer["gas_used"])}
    if not answer["success"]:
        result["error"] = answer["error"] or "execution failed"
    return result


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
    return _receipt_json(_committed_block(chain, receipt["height"]), receipt)


def _receipt_json(block: StoredBlock, receipt: dict) -> dict:
    """A stored receipt of `block` as Ethereum's, its logs numbered across the block."""
    first_log_index = sum(len(r["logs"]) for r in block.record["receipts"] if r["index"] < receipt["index"])
    return fmt.format_receipt(receipt, block_hash=block.hash, tx_type_id=fmt.tx_type(block.raws[receipt["index"]]),
                              first_log_index=first_log_index)


def get_block_receipts(chain: CometChain, ref):
    """Every receipt of a block named by number, tag or hash (null for a block not committed)."""
    if isinstance(ref, fmt.BlockHash):
        block = _block_with_hash(chain, ref.value)
    else:
        block = _block_at(chain, ref)
    return None if block is None else [_receipt_json(block, r) for r in block.record["receipts"]]


def get_transaction_by_hash(chain: CometChain, tx_hash: bytes):
    """A committed tx (from its receipt and the raw bytes in its block), else one in this
    node's mempool (block fields null), else null."""
    receipt = chain.receipt(tx_hash)
    if receipt is not None:
        return _transaction_in(chain, _committed_block(chain, receipt["height"]), receipt["index"])
    for tx in chain.mempool_txs():
        if tx.hash == tx_hash:
            return fmt.format_transaction(tx.tx, tx.sender, tx.hash, block_hash=None, number=None, index=None,
                                          base_fee_wei=chain.next_base_fee())
    return None


def _committed_block(chain: CometChain, height: int) -> StoredBlock:
    block = chain.block(height)
    if block is None:
        raise ServerError(f"block {height} is not committed yet")
    return block


def _transaction_in(chain: CometChain, block: StoredBlock, index: int) -> dict:
    """The transaction at `index` in the block (its position in the CometBFT block)."""
    decoded = chain.decode(block.raws[index])
    if decoded is None:
        raise ServerError(f"transaction {index} of block {block.height} does not decode")
    return fmt.format_transaction(decoded.tx, decoded.sender, decoded.hash, block_hash=block.hash,
                                  number=block.height, index=index, timestamp=block.record["time_s"],
                                  base_fee_wei=block.base_fee_wei(chain.params.min_gas_price_wei))


# blocks


def _block_at(chain: CometChain, tag) -> StoredBlock | None:
    height = _height(chain, tag)
    return chain.block(height) if height >= 1 else None


def _block_with_hash(chain: CometChain, block_hash: bytes) -> StoredBlock | None:
    height = chain.height_of(block_hash)
    return None if height is None else chain.block(height)


def _block_json(chain: CometChain, block: StoredBlock | None, full: bool):
    """null for a block that does not exist (yet), as Ethereum answers."""
    if block is None:
        return None
    receipts = block.record["receipts"]
    transactions = [_transaction_in(chain, block, r["index"]) if full else r["hash"] for r in receipts]
    return blocks.format_block(block, transactions, gas_limit=block.gas_limit(chain.params.block_gas_limit),
                               base_fee_wei=block.base_fee_wei(chain.params.min_gas_price_wei))


def get_block_by_number(chain: CometChain, tag, full: bool):
    return _block_json(chain, _block_at(chain, tag), full)


def get_block_by_hash(chain: CometChain, block_hash: bytes, full: bool):
    return _block_json(chain, _block_with_hash(chain, block_hash), full)


def _tx_count(block: StoredBlock | None):
    return None if block is None else fmt.quantity(len(block.record["receipts"]))


def tx_count_by_number(chain: CometChain, tag):
    return _tx_count(_block_at(chain, tag))


def tx_count_by_hash(chain: CometChain, block_hash: bytes):
    return _tx_count(_block_with_hash(chain, block_hash))


def _tx_at(chain: CometChain, block: StoredBlock | None, index: int):
    """null unless the block has an executed transaction at that position."""
    if block is None or not any(r["index"] == index for r in block.record["receipts"]):
        return None
    return _transaction_in(chain, block, index)


def tx_by_number_and_index(chain: CometChain, tag, index: int):
    return _tx_at(chain, _block_at(chain, tag), index)


def tx_by_hash_and_index(chain: CometChain, block_hash: bytes, index: int):
    return _tx_at(chain, _block_with_hash(chain, block_hash), index)


# logs and filters


def _log_range(chain: CometChain, spec: dict) -> tuple[int, int] | None:
    """The filter's block range, None when it names no committed block."""
    if spec["block_hash"] is not None:
        height = chain.height_of(spec["block_hash"])
        if height is None:
            raise ServerError("unknown block")
        return height, height
    latest = chain.height()
    start, end = (latest if t == "latest" else 1 if t == "earliest" else t for t in (spec["from"], spec["to"]))
    if start > end:
        raise InvalidParams(f"invalid block range: fromBlock {start} is after toBlock {end}")
    start, end = max(start, 1), min(end, latest)
    return (start, end) if start <= end else None


def logs_between(chain: CometChain, spec: dict, start: int, end: int) -> list[dict]:
    limits = chain.limits
    if end - start + 1 > limits.max_blocks:
        raise LimitExceeded(f"block range too large: at most {limits.max_blocks} blocks per query")
    found = chain.logs({"from": start, "to": end, "address": spec["address"], "topics": spec["topics"],
                        "limit": limits.max_results})
    return [fmt.format_log(log, block_hash=log["block_hash"], number=log["block_number"], tx_hash=log["tx_hash"],
                           tx_index=log["tx_index"], log_index=log["log_index"]) for log in found]


def get_logs(chain: CometChain, spec: dict) -> list[dict]:
    window = _log_range(chain, spec)
    return [] if window is None else logs_between(chain, spec, *window)


def new_filter(chain: CometChain, spec: dict) -> str:
    """A log filter: eth_getFilterChanges answers the matching logs of blocks committed since
    the last poll (within the filter's range); eth_getFilterLogs all of its range."""
    return chain.filters.install("logs", spec, chain.height() + 1)


def new_block_filter(chain: CometChain) -> str:
    return chain.filters.install("blocks", None, chain.height() + 1)


def new_pending_transaction_filter(chain: CometChain) -> str:
    """eth_getFilterChanges answers the hashes of the txs in this node's mempool (its first
    MEMPOOL_SCAN_LIMIT) that the previous poll (or the filter's creation) did not see."""
    return chain.filters.install("pending", None, chain.height() + 1, _pending_hashes(chain))


def _pending_hashes(chain: CometChain) -> frozenset[bytes]:
    return frozenset(tx.hash for tx in chain.mempool_txs())


def get_filter_changes(chain: CometChain, filter_id: str) -> list:
    found = chain.filters.get(filter_id)
    if found.kind == "pending":
        pending = _pending_hashes(chain)
        new = sorted(pending - found.pending)
        chain.filters.saw_pending(filter_id, pending)
        return [fmt.data(tx_hash) for tx_hash in new]
    latest = chain.height()
    start = found.next_height
    if found.kind == "blocks":
        end = min(latest, start + chain.limits.max_blocks - 1)
        chain.filters.advance(filter_id, end + 1)
        return [_committed_block(chain, height).hash for height in range(start, end + 1)]
    spec = found.spec
    window = _log_range(chain, {**spec, "from": "earliest"} if spec["from"] == "latest" else spec)
    if window is None or max(start, window[0]) > window[1]:  # "latest" as the start: since installed
        return []
    start = max(start, window[0])
    end = min(window[1], start + chain.limits.max_blocks - 1)
    logs = logs_between(chain, found.spec, start, end)
    chain.filters.advance(filter_id, end + 1)
    return logs


def get_filter_logs(chain: CometChain, filter_id: str) -> list[dict]:
    found = chain.filters.get(filter_id)
    if found.kind != "logs":
        raise InvalidParams("not a log filter")
    return get_logs(chain, found.spec)


def uninstall_filter(chain: CometChain, filter_id: str) -> bool:
    return chain.filters.remove(filter_id)


def subscribe_over_http(chain: CometChain, *params) -> None:
    raise JsonRpcError(METHOD_NOT_FOUND, "notifications not supported: eth_subscribe needs a WebSocket connection")


def fee_history(chain: CometChain, count: int, tag, percentiles: list[float] | None):
    """Each block's base fee (one more entry: the block after the newest), its gas used over
    the gas limit, and at each asked percentile of its gas the effective tip paid."""
    latest = chain.height()
    newest = _height(chain, tag) if tag != "latest" else latest
    if newest > latest or newest < 1:
        raise ServerError(f"block {newest} is not available (latest is {latest})")
    count = min(count, MAX_FEE_HISTORY_BLOCKS, newest)
    if count == 0:
        return {"oldestBlock": fmt.quantity(0), "baseFeePerGas": [], "gasUsedRatio": []}
    oldest = newest - count + 1
    params = chain.params
    history = [_committed_block(chain, height) for height in range(oldest, newest + 1)]
    base_fees = [block.base_fee_wei(params.min_gas_price_wei) for block in history]
    after = chain.next_base_fee() if newest == latest else \
        _committed_block(chain, newest + 1).base_fee_wei(params.min_gas_price_wei)
    answer = {"oldestBlock": fmt.quantity(oldest),
              "baseFeePerGas": [fmt.quantity(fee) for fee in base_fees + [after]],
              "gasUsedRatio": [block.record["gas_used"] / block.gas_limit(params.block_gas_limit) for block in history]}
    if percentiles:
        answer["reward"] = [[fmt.quantity(tip) for tip in _tips_at(block, base, percentiles)]
                            for block, base in zip(history, base_fees)]
    return answer


def _tips_at(block: StoredBlock, base_fee_wei: int, percentiles: list[float]) -> list[int]:
    """geth's reward: sort the block's txs by effective tip; at each percentile of the block's
    gas, the tip of the tx that gas falls in (0 for an empty block). One pass: percentiles rise."""
    paid = sorted((int(r["effective_gas_price"]) - base_fee_wei, int(r["gas_used"]))
                  for r in block.record["receipts"])
    if not paid:
        return [0] * len(percentiles)
    total, tips, index, cumulative = sum(gas for _, gas in paid), [], 0, paid[0][1]
    for percentile in percentiles:
        while cumulative < total * percentile / 100 and index + 1 < len(paid):
            index += 1
            cumulative += paid[index][1]
        tips.append(paid[index][0])
    return tips


def sha3(chain: CometChain, payload: bytes) -> str:
    return fmt.data(keccak(payload))


def peer_count(chain: CometChain) -> str:
    return fmt.quantity(chain.peer_count())


def capabilities(chain: CometChain) -> dict:
    """What history this node serves, for routers and indexers: blocks, txs, receipts and logs
    from the oldest block record it keeps, state and proofs from the oldest state."""
    history = chain.history()
    if history["hash"] is None:
        raise ServerError("no block committed yet")
    blocks_from = {"disabled": False, "oldestBlock": fmt.quantity(history["oldest_block"])}
    state_from = {"disabled": False, "oldestBlock": fmt.quantity(history["oldest_state"])}
    return {"head": {"number": fmt.quantity(history["height"]), "hash": "0x" + history["hash"]}, "state": state_from,
            "tx": blocks_from, "logs": blocks_from, "receipts": blocks_from, "blocks": blocks_from,
            "stateproofs": state_from}


def config(chain: CometChain) -> dict:
    """EIP-7910's eth_config from the app's `/config` (app/fork_config.py): one configuration,
    in force since the first block, none scheduled."""
    answer = chain.config()
    return {"current": {"activationTime": answer["activation_time"], "blobSchedule": answer["blob_schedule"],
                        "chainId": fmt.quantity(answer["chain_id"]), "forkId": answer["fork_id"],
                        "precompiles": answer["precompiles"], "systemContracts": answer["system_contracts"]},
            "next": None, "last": None}


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
    "eth_accounts": Method(accounts),
    "eth_chainId": Method(chain_id),
    "eth_blockNumber": Method(block_number),
    "eth_gasPrice": Method(gas_price),
    "eth_maxPriorityFeePerGas": Method(max_priority_fee),
    "eth_baseFee": Method(base_fee),
    "eth_blobBaseFee": Method(blob_base_fee),
    "eth_getBalance": Method(get_balance, (fmt.parse_address, fmt.parse_block_ref), 1, ("latest",)),
    "eth_getTransactionCount": Method(get_transaction_count, (fmt.parse_address, _nonce_tag), 1, ("latest",)),
    "eth_getCode": Method(get_code, (fmt.parse_address, fmt.parse_block_ref), 1, ("latest",)),
    "eth_getStorageAt": Method(get_storage_at, (fmt.parse_address, fmt.parse_quantity, fmt.parse_block_ref), 2,
                               ("latest",)),
    "eth_getProof": Method(get_proof, (fmt.parse_address, _storage_keys, fmt.parse_block_ref), 2, ("latest",)),
    "eth_getStorageValues": Method(get_storage_values, (_storage_requests, fmt.parse_block_ref), 1, ("latest",)),
    "eth_sign": Method(no_keys, (fmt.parse_address, fmt.parse_data)),
    "eth_signTransaction": Method(no_keys, (fmt.parse_call,)),
    "eth_sendTransaction": Method(no_keys, (fmt.parse_call,)),
    "eth_call": Method(eth_call, (fmt.parse_call, fmt.parse_block_ref), 1, ("latest",)),
    "eth_estimateGas": Method(estimate_gas, (fmt.parse_call, fmt.parse_block_ref), 1, ("latest",)),
    "eth_fillTransaction": Method(fill_transaction, (lambda value: value,)),
    "eth_simulateV1": Method(simulate_v1, (simulation.parse_payload, fmt.parse_block_ref), 1, ("latest",)),
    "eth_createAccessList": Method(create_access_list, (fmt.parse_call, fmt.parse_block_tag), 1, ("latest",)),
    "eth_getTransactionByHash": Method(get_transaction_by_hash, (fmt.parse_hash,)),
    "eth_feeHistory": Method(fee_history, (fmt.parse_count, fmt.parse_block_tag, fmt.parse_percentiles), 2, (None,)),
    "web3_sha3": Method(sha3, (fmt.parse_data,)),
    "net_peerCount": Method(peer_count),
    "eth_syncing": Method(syncing),
    "eth_capabilities": Method(capabilities),
    "eth_config": Method(config),
    "eth_sendRawTransaction": Method(send_raw_transaction, (fmt.parse_data,)),
    "eth_getTransactionReceipt": Method(get_transaction_receipt, (fmt.parse_hash,)),
    "eth_getBlockReceipts": Method(get_block_receipts, (fmt.parse_block_ref,)),
    "eth_getBlockByNumber": Method(get_block_by_number, (fmt.parse_block_tag, fmt.parse_bool), 1, (False,)),
    "eth_getBlockByHash": Method(get_block_by_hash, (fmt.parse_hash, fmt.parse_bool), 1, (False,)),
    "eth_getBlockTransactionCountByNumber": Method(tx_count_by_number, (fmt.parse_block_tag,)),
    "eth_getBlockTransactionCountByHash": Method(tx_count_by_hash, (fmt.parse_hash,)),
    "eth_getTransactionByBlockNumberAndIndex": Method(tx_by_number_and_index,
                                                      (fmt.parse_block_tag, fmt.parse_quantity)),
    "eth_getTransactionByBlockHashAndIndex": Method(tx_by_hash_and_index, (fmt.parse_hash, fmt.parse_quantity)),
    "eth_getLogs": Method(get_logs, (fmt.parse_log_filter,)),
    "eth_newFilter": Method(new_filter, (fmt.parse_log_filter,)),
    "eth_newBlockFilter": Method(new_block_filter),
    "eth_newPendingTransactionFilter": Method(new_pending_transaction_filter),
    "eth_getFilterChanges": Method(get_filter_changes, (fmt.parse_filter_id,)),
    "eth_getFilterLogs": Method(get_filter_logs, (fmt.parse_filter_id,)),
    "eth_uninstallFilter": Method(uninstall_filter, (fmt.parse_filter_id,)),
    "eth_subscribe": Method(subscribe_over_http, (lambda value: value, lambda value: value), 0),
    "eth_unsubscribe": Method(subscribe_over_http, (lambda value: value,), 0),
}
