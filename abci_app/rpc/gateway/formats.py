"""Ethereum JSON-RPC formats: hex quantities and data in and out, receipts and blocks.

Pure functions: parsers raise `InvalidParams` (-32602), formatters take the dicts that
`abci_query /tx/<hash>` and `/logs` answer.
"""

import re
from dataclasses import dataclass

from eth_bloom import BloomFilter
from eth_utils import is_hex_address, to_checksum_address

from .errors import InvalidParams

BLOCK_TAGS_LATEST = ("latest", "pending", "safe", "finalized")
_DATA = re.compile(r"^0x([0-9a-fA-F]{2})*$")


# OUT


def quantity(value: int) -> str:
    """An unsigned integer as Ethereum's hex QUANTITY: `0x0`, `0x1a`, no leading zeros."""
    return hex(int(value))


def data(raw: bytes) -> str:
    return "0x" + raw.hex()


def checksum(address: str | bytes | None) -> str | None:
    if address is None:
        return None
    if isinstance(address, bytes):
        address = "0x" + address.hex()
    return to_checksum_address(address)


# IN


def parse_quantity(value) -> int:
    """A hex QUANTITY param (`0x1a`); leading zeros are tolerated, as geth does."""
    if not isinstance(value, str) or not re.fullmatch(r"0x[0-9a-fA-F]+", value):
        raise InvalidParams(f"not a hex quantity: {value!r}")
    return int(value, 16)


def parse_data(value) -> bytes:
    if not isinstance(value, str) or not _DATA.fullmatch(value):
        raise InvalidParams(f"not hex data: {value!r}")
    return bytes.fromhex(value[2:])


def parse_address(value) -> str:
    """A 20-byte address (any case), returned lower-case with 0x."""
    if not isinstance(value, str) or not value.startswith("0x") or not is_hex_address(value):
        raise InvalidParams(f"not an address: {value!r}")
    return value.lower()


def parse_hash(value) -> bytes:
    raw = parse_data(value)
    if len(raw) != 32:
        raise InvalidParams(f"not a 32-byte hash: {value!r}")
    return raw


def parse_block_tag(value) -> int | str:
    """BlockNumberOrTag: `latest` (also `pending`, `safe`, `finalized`: one committed chain,
    instant finality), `earliest`, or a block number. Returns the tag or the number."""
    if value in BLOCK_TAGS_LATEST:
        return "latest"
    if value == "earliest":
        return "earliest"
    if isinstance(value, str) and value.startswith("0x") and len(value) < 2 + 64:
        return parse_quantity(value)
    raise InvalidParams(f"not a block number or tag: {value!r}")


@dataclass(frozen=True, slots=True)
class BlockHash:
    """A block named by its hash (BlockNumberOrTagOrHash, EIP-1898)."""

    value: bytes


def parse_block_ref(value) -> int | str | BlockHash:
    """BlockNumberOrTagOrHash, the block of a state read: a tag or number as `parse_block_tag`, a
    32-byte block hash, or EIP-1898's object: {"blockNumber": n} or {"blockHash": h,
    "requireCanonical": bool} (every committed block is canonical: instant finality)."""
    if isinstance(value, dict):
        if set(value) - {"blockNumber", "blockHash", "requireCanonical"} \
                or ("blockNumber" in value) == ("blockHash" in value) \
                or not isinstance(value.get("requireCanonical", False), bool):
            raise InvalidParams(f"a block object has blockNumber, or blockHash and requireCanonical: {value!r}")
        if "blockHash" in value:
            return BlockHash(parse_hash(value["blockHash"]))
        return parse_block_tag(value["blockNumber"])
    if isinstance(value, str) and len(value) == 2 + 64:
        return BlockHash(parse_hash(value))
    return parse_block_tag(value)


def parse_count(value) -> int:
    """A count given as a hex quantity or a plain integer (eth_feeHistory's blockCount)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return parse_quantity(value)


MAX_PERCENTILES = 100  # as geth's eth_feeHistory


def parse_percentiles(value) -> list[float]:
    """eth_feeHistory's rewardPercentiles: increasing numbers in [0, 100]."""
    if not isinstance(value, list) or not all(isinstance(p, (int, float)) and not isinstance(p, bool) for p in value):
        raise InvalidParams(f"not a list of percentiles: {value!r}")
    if len(value) > MAX_PERCENTILES:
        raise InvalidParams(f"at most {MAX_PERCENTILES} percentiles")
    if any(not 0 <= p <= 100 for p in value) or any(a > b for a, b in zip(value, value[1:])):
        raise InvalidParams("percentiles must be increasing and within [0, 100]")
    return list(value)


def parse_call(value) -> dict:
    """An eth_call / eth_estimateGas transaction object as the app's `/call` body:
    {"from", "to" (absent: creation), "data", "value" (decimal string), "gas" (absent: none)}.
    `input` is accepted for `data` (preferred when both are given); an `accessList` goes as
    "access_list" ([{address, storage_keys}]: the call runs as an EIP-2930 tx, paying for it);
    fee fields are ignored (a call runs at gas price 0)."""
    if not isinstance(value, dict):
        raise InvalidParams(f"not a transaction object: {value!r}")
    call = {}
    if value.get("from") is not None:
        call["from"] = parse_address(value["from"])
    if value.get("to") is not None:
        call["to"] = parse_address(value["to"])
    payload = value.get("input") if value.get("input") is not None else value.get("data")
    call["data"] = data(parse_data(payload)) if payload is not None else "0x"
    call["value"] = str(parse_quantity(value["value"])) if value.get("value") is not None else "0"
    if value.get("gas") is not None:
        call["gas"] = parse_quantity(value["gas"])
    if value.get("accessList"):
        call["access_list"] = [{"address": "0x" + address.hex(), "storage_keys": [hex(slot) for slot in slots]}
                               for address, slots in parse_access_list(value["accessList"])]
    return call


AccessList = tuple[tuple[bytes, tuple[int, ...]], ...]   # (address, storage slots)
MAX_ACCESS_LIST_ITEMS = 4096   # a call's list (7.8M gas of keys alone), within CometBFT's 1 MB query body


def parse_access_list(value) -> AccessList:
    """EIP-2930's [{address, storageKeys}] (absent: empty)."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        raise InvalidParams("accessList must be an array of {address, storageKeys}")
    if len(value) + sum(len(entry.get("storageKeys") or []) for entry in value) > MAX_ACCESS_LIST_ITEMS:
        raise InvalidParams(f"accessList: at most {MAX_ACCESS_LIST_ITEMS} addresses and keys")
    entries = []
    for entry in value:
        keys = entry.get("storageKeys") or []
        if not isinstance(keys, list) or any(not isinstance(k, str) or len(k) != 2 + 64 for k in keys):
            raise InvalidParams("storageKeys must be an array of 32-byte hex words")
        entries.append((bytes.fromhex(parse_address(entry.get("address"))[2:]),
                        tuple(int.from_bytes(parse_data(k), "big") for k in keys)))
    return tuple(entries)


def parse_bool(value) -> bool:
    if not isinstance(value, bool):
        raise InvalidParams(f"not a boolean: {value!r}")
    return value


# CometBFT -> Ethereum


def tx_type(raw: bytes) -> int:
    """The EIP-2718 type of a raw transaction: its first byte if below 0x7f, else legacy (0)."""
    return raw[0] if raw and raw[0] < 0x7F else 0


def format_transaction(tx, sender: bytes, tx_hash: bytes, *, block_hash: str | None, number: int | None,
                       index: int | None, base_fee_wei: int, timestamp: int | None = None) -> dict:
    """An Ethereum transaction from a py-evm signed transaction; block fields (the block's hash,
    number and time, the tx's index) null while pending.

    gasPrice of a fee-market tx is what it pays: min(maxFee, baseFee + maxPriorityFee)."""
    type_id = getattr(tx, "type_id", None) or 0
    answer = {
        "hash": data(tx_hash),
        "nonce": quantity(tx.nonce),
        "blockHash": block_hash,
        "blockNumber": None if number is None else quantity(number),
        "blockTimestamp": None if timestamp is None else quantity(timestamp),
        "transactionIndex": None if index is None else quantity(index),
        "from": checksum(sender),
        "to": checksum(tx.to) if tx.to else None,
        "value": quantity(tx.value),
        "gas": quantity(tx.gas),
        "input": data(tx.data),
        "type": quantity(type_id),
        "r": quantity(tx.r),
        "s": quantity(tx.s),
    }
    if tx.chain_id is not None:   # a legacy tx without EIP-155 (a simulated call's) has none
        answer["chainId"] = quantity(tx.chain_id)
    if type_id == 0:
        answer["gasPrice"] = quantity(tx.gas_price)
        answer["v"] = quantity(tx.v)
        return answer
    answer["v"] = quantity(tx.y_parity)
    answer["yParity"] = quantity(tx.y_parity)
    answer["accessList"] = [{"address": checksum(address), "storageKeys": [_word(k) for k in keys]}
                            for address, keys in tx.access_list]
    if type_id == 1:
        answer["gasPrice"] = quantity(tx.gas_price)
    else:
        answer["maxFeePerGas"] = quantity(tx.max_fee_per_gas)
        answer["maxPriorityFeePerGas"] = quantity(tx.max_priority_fee_per_gas)
        answer["gasPrice"] = quantity(min(tx.max_fee_per_gas, base_fee_wei + tx.max_priority_fee_per_gas))
    return answer


def _word(key) -> str:
    return data(key.rjust(32, b"\0") if isinstance(key, bytes) else int(key).to_bytes(32, "big"))


def format_log(log: dict, *, block_hash: str, number: int, tx_hash: str, tx_index: int, log_index: int) -> dict:
    """An Ethereum log from a stored one ({address, topics, data}) and its place in the chain."""
    return {
        "address": checksum(log["address"]),
        "topics": list(log["topics"]),
        "data": log["data"],
        "logIndex": quantity(log_index),
        "transactionIndex": quantity(tx_index),
        "transactionHash": tx_hash,
        "blockHash": block_hash,
        "blockNumber": quantity(number),
        "removed": False,
    }


def logs_bloom(logs: list[dict]) -> BloomFilter:
    """The Ethereum bloom filter of stored logs: each address and topic."""
    bloom = BloomFilter()
    for log in logs:
        bloom.add(bytes.fromhex(log["address"][2:]))
        for topic in log["topics"]:
            bloom.add(bytes.fromhex(topic[2:]))
    return bloom


def bloom_data(bloom: BloomFilter) -> str:
    return data(int(bloom).to_bytes(256, "big"))


def format_receipt(receipt: dict, *, block_hash: str, tx_type_id: int, first_log_index: int) -> dict:
    """An Ethereum receipt from the stored receipt JSON of `/tx/<hash>`.

    `first_log_index` is the number of logs of the earlier transactions in the same block, so
    that logIndex counts across the block as Ethereum's does.
    """
    tx_hash, index = receipt["hash"], receipt["index"]
    logs = [format_log(log, block_hash=block_hash, number=receipt["height"], tx_hash=tx_hash, tx_index=index,
                       log_index=first_log_index + offset)
            for offset, log in enumerate(receipt["logs"])]
    return {
        "transactionHash": tx_hash,
        "transactionIndex": quantity(index),
        "blockHash": block_hash,
        "blockNumber": quantity(receipt["height"]),
        "from": checksum(receipt["from"]),
        "to": checksum(receipt["to"]),
        "cumulativeGasUsed": quantity(receipt["cumulative_gas_used"]),
        "gasUsed": quantity(receipt["gas_used"]),
        "effectiveGasPrice": quantity(int(receipt["effective_gas_price"])),
        "contractAddress": checksum(receipt["contract_address"]),
        "logs": logs,
        "logsBloom": bloom_data(logs_bloom(receipt["logs"])),
        "status": "0x1" if receipt["status"] == 1 else "0x0",
        "type": quantity(tx_type_id),
    }


def _topic_position(value) -> list[str] | None:
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    return [data(parse_hash(item)) for item in items] or None


def parse_log_filter(value) -> dict:
    """An eth_getLogs / eth_newFilter filter: {"from", "to" (block tags, default latest),
    "block_hash" (bytes, instead of the range), "address" [lower hex], "topics" [[hex] | None]}."""
    if not isinstance(value, dict):
        raise InvalidParams(f"not a filter object: {value!r}")
    block_hash = value.get("blockHash")
    if block_hash is not None and (value.get("fromBlock") is not None or value.get("toBlock") is not None):
        raise InvalidParams("a filter has either blockHash or fromBlock/toBlock")
    address = value.get("address")
    addresses = [] if address is None else [parse_address(a) for a in (address if isinstance(address, list) else [address])]
    topics = value.get("topics") or []
    if not isinstance(topics, list) or len(topics) > 4:
        raise InvalidParams("topics is a list of at most 4 positions")
    return {
        "from": parse_block_tag(value.get("fromBlock") or "latest"),
        "to": parse_block_tag(value.get("toBlock") or "latest"),
        "block_hash": None if block_hash is None else parse_hash(block_hash),
        "address": addresses,
        "topics": [_topic_position(t) for t in topics],
    }


def parse_filter_id(value) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"0x[0-9a-f]{1,64}", value):
        raise InvalidParams(f"not a filter id: {value!r}")
    return value
