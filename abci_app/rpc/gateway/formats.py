"""Ethereum JSON-RPC formats: hex quantities and data in and out, receipts and blocks.

Pure functions: parsers raise `InvalidParams` (-32602), formatters take the dicts that
`abci_query /tx/<hash>` and CometBFT's `block` / `block_results` answer.
"""

import base64
import calendar
import re
import time

from eth_bloom import BloomFilter
from eth_hash.auto import keccak
from eth_utils import is_hex_address, to_checksum_address

from .errors import InvalidParams

EMPTY_UNCLES_HASH = "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347"
ZERO_HASH = "0x" + "00" * 32
ZERO_BLOOM = "0x" + "00" * 256
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
    """`latest` (also `pending`, `safe`, `finalized`: one committed chain, instant finality),
    `earliest`, or a block number. Returns the tag or the number."""
    if value in BLOCK_TAGS_LATEST:
        return "latest"
    if value == "earliest":
        return "earliest"
    if isinstance(value, dict):  # EIP-1898 {"blockNumber": ...}
        if "blockNumber" in value:
            return parse_block_tag(value["blockNumber"])
        raise InvalidParams("block by hash is not supported yet")
    if isinstance(value, str) and value.startswith("0x"):
        return parse_quantity(value)
    raise InvalidParams(f"not a block number or tag: {value!r}")


def parse_count(value) -> int:
    """A count given as a hex quantity or a plain integer (eth_feeHistory's blockCount)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return parse_quantity(value)


def parse_percentiles(value) -> list[float]:
    """eth_feeHistory's rewardPercentiles: increasing numbers in [0, 100]."""
    if not isinstance(value, list) or not all(isinstance(p, (int, float)) and not isinstance(p, bool) for p in value):
        raise InvalidParams(f"not a list of percentiles: {value!r}")
    if any(not 0 <= p <= 100 for p in value) or any(a > b for a, b in zip(value, value[1:])):
        raise InvalidParams("percentiles must be increasing and within [0, 100]")
    return list(value)


def parse_call(value) -> dict:
    """An eth_call / eth_estimateGas transaction object as the app's `/call` body:
    {"from", "to" (absent: creation), "data", "value" (decimal string), "gas" (absent: none)}.
    `input` is accepted for `data` (preferred when both are given); fee fields are ignored
    (a call runs at gas price 0)."""
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
    return call


def parse_bool(value) -> bool:
    if not isinstance(value, bool):
        raise InvalidParams(f"not a boolean: {value!r}")
    return value


# CometBFT -> Ethereum


def rfc3339_seconds(stamp: str) -> int:
    """CometBFT's `2026-11-24T15:28:57.123456789Z` as Unix seconds (the fraction dropped)."""
    whole = stamp.split(".")[0].rstrip("Z")
    return calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S"))


def tx_hashes(block: dict) -> list[str]:
    """Ethereum hashes (keccak of the raw bytes) of a CometBFT block's transactions, in order."""
    return [data(keccak(base64.b64decode(tx))) for tx in block["data"]["txs"] or []]


def tx_type(raw: bytes) -> int:
    """The EIP-2718 type of a raw transaction: its first byte if below 0x7f, else legacy (0)."""
    return raw[0] if raw and raw[0] < 0x7F else 0


def format_block(block_answer: dict, results: dict, *, gas_limit: int, base_fee_wei: int) -> dict:
    """An Ethereum block (transactions as hashes) from CometBFT's `block` and `block_results`.

    hash is the CometBFT block hash, parentHash the previous block's; gasUsed sums the txs'
    gas. stateRoot is the header's app_hash, which CometBFT records one block late (the state
    after the previous block); receiptsRoot the header's last_results_hash, likewise.
    """
    block = block_answer["block"]
    header = block["header"]
    raws = [base64.b64decode(tx) for tx in block["data"]["txs"] or []]
    gas_used = sum(int(r.get("gas_used") or 0) for r in results.get("txs_results") or [])
    return {
        "number": quantity(int(header["height"])),
        "hash": _hash(block_answer["block_id"]["hash"]),
        "parentHash": _hash(header["last_block_id"]["hash"]),
        "timestamp": quantity(rfc3339_seconds(header["time"])),
        "gasLimit": quantity(gas_limit),
        "gasUsed": quantity(gas_used),
        "baseFeePerGas": quantity(base_fee_wei),
        "miner": checksum("0x" + header["proposer_address"].lower()),
        "stateRoot": _hash(header["app_hash"]),
        "transactionsRoot": _hash(header["data_hash"]),
        "receiptsRoot": _hash(header["last_results_hash"]),
        "logsBloom": ZERO_BLOOM,  # TODO(issue 6): the bloom of the block's logs
        "sha3Uncles": EMPTY_UNCLES_HASH,
        "uncles": [],
        "difficulty": "0x0",
        "totalDifficulty": "0x0",
        "nonce": "0x0000000000000000",
        "mixHash": ZERO_HASH,
        "extraData": "0x",
        "size": quantity(sum(len(raw) for raw in raws)),
        "transactions": [data(keccak(raw)) for raw in raws],
    }


def format_transaction(tx, sender: bytes, tx_hash: bytes, *, block_hash: str | None, number: int | None,
                       index: int | None, base_fee_wei: int) -> dict:
    """An Ethereum transaction from a py-evm signed transaction; block fields null while pending.

    gasPrice of a fee-market tx is what it pays: min(maxFee, baseFee + maxPriorityFee)."""
    type_id = getattr(tx, "type_id", None) or 0
    answer = {
        "hash": data(tx_hash),
        "nonce": quantity(tx.nonce),
        "blockHash": block_hash,
        "blockNumber": None if number is None else quantity(number),
        "transactionIndex": None if index is None else quantity(index),
        "from": checksum(sender),
        "to": checksum(tx.to) if tx.to else None,
        "value": quantity(tx.value),
        "gas": quantity(tx.gas),
        "input": data(tx.data),
        "type": quantity(type_id),
        "chainId": quantity(tx.chain_id),
        "r": quantity(tx.r),
        "s": quantity(tx.s),
    }
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


def _hash(hex_upper: str) -> str:
    """CometBFT prints hashes as upper-case hex without 0x; empty means none (zero hash)."""
    return "0x" + hex_upper.lower() if hex_upper else ZERO_HASH


def format_receipt(receipt: dict, *, block_hash: str, tx_type_id: int, first_log_index: int) -> dict:
    """An Ethereum receipt from the stored receipt JSON of `/tx/<hash>`.

    `first_log_index` is the number of logs of the earlier transactions in the same block, so
    that logIndex counts across the block as Ethereum's does.
    """
    tx_hash = receipt["hash"]
    number = quantity(receipt["height"])
    index = quantity(receipt["index"])
    logs = []
    bloom = BloomFilter()
    for offset, log in enumerate(receipt["logs"]):
        logs.append({
            "address": checksum(log["address"]),
            "topics": list(log["topics"]),
            "data": log["data"],
            "logIndex": quantity(first_log_index + offset),
            "transactionIndex": index,
            "transactionHash": tx_hash,
            "blockHash": block_hash,
            "blockNumber": number,
            "removed": False,
        })
        bloom.add(bytes.fromhex(log["address"][2:]))
        for topic in log["topics"]:
            bloom.add(bytes.fromhex(topic[2:]))
    return {
        "transactionHash": tx_hash,
        "transactionIndex": index,
        "blockHash": block_hash,
        "blockNumber": number,
        "from": checksum(receipt["from"]),
        "to": checksum(receipt["to"]),
        "cumulativeGasUsed": quantity(receipt["cumulative_gas_used"]),
        "gasUsed": quantity(receipt["gas_used"]),
        "effectiveGasPrice": quantity(int(receipt["effective_gas_price"])),
        "contractAddress": checksum(receipt["contract_address"]),
        "logs": logs,
        "logsBloom": data(int(bloom).to_bytes(256, "big")),
        "status": "0x1" if receipt["status"] == 1 else "0x0",
        "type": quantity(tx_type_id),
    }
