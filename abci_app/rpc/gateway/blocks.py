"""Ethereum blocks from committed blocks: the same answer on every node.

number is the height and hash the CometBFT block hash (parentHash the previous one's), so every
node names a block the same way. stateRoot is the state root after the block (our app hash);
transactionsRoot and receiptsRoot are Ethereum's tries over the block's executed transactions
and their receipts (EIP-2718 typed encodings), and logsBloom the bloom of all its logs.
"""

import rlp

from ...evm.receipts import index_trie_root
from . import formats as fmt
from .chain import StoredBlock

EMPTY_UNCLES_HASH = "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347"
ZERO_HASH = "0x" + "00" * 32


def trie_root(items: list[bytes]) -> str:
    """The root of Ethereum's index-keyed trie (transactions, receipts), as 0x hex."""
    return fmt.data(index_trie_root(items))


def encode_receipt(receipt: dict, tx_type_id: int) -> bytes:
    """A receipt's consensus encoding: rlp([status, cumulative gas, bloom, logs]), typed after EIP-2718."""
    logs = [[bytes.fromhex(log["address"][2:]), [bytes.fromhex(t[2:]) for t in log["topics"]],
             bytes.fromhex(log["data"][2:])] for log in receipt["logs"]]
    bloom = int(fmt.logs_bloom(receipt["logs"])).to_bytes(256, "big")
    body = rlp.encode([b"\x01" if receipt["status"] == 1 else b"", receipt["cumulative_gas_used"], bloom, logs])
    return body if tx_type_id == 0 else bytes([tx_type_id]) + body


def executed_raws(block: StoredBlock) -> list[bytes]:
    """The raw bytes of the block's executed transactions (those with a receipt), in order."""
    return [block.raws[receipt["index"]] for receipt in block.record["receipts"]]


def header(block: StoredBlock, *, gas_limit: int, base_fee_wei: int) -> dict:
    """The block's header fields (what `newHeads` sends)."""
    record, raws = block.record, executed_raws(block)
    receipts = record["receipts"]
    return {
        "number": fmt.quantity(block.height),
        "hash": block.hash,
        "parentHash": block.parent_hash,
        "timestamp": fmt.quantity(record["time_s"]),
        "gasLimit": fmt.quantity(gas_limit),
        "gasUsed": fmt.quantity(record["gas_used"]),
        "baseFeePerGas": fmt.quantity(base_fee_wei),
        "miner": fmt.checksum("0x" + record["proposer"]),
        "stateRoot": "0x" + record["app_hash"],
        "transactionsRoot": trie_root(raws),
        "receiptsRoot": trie_root([encode_receipt(r, fmt.tx_type(raw)) for r, raw in zip(receipts, raws)]),
        "logsBloom": fmt.bloom_data(fmt.logs_bloom([log for r in receipts for log in r["logs"]])),
        "sha3Uncles": EMPTY_UNCLES_HASH,
        "difficulty": "0x0",
        "nonce": "0x0000000000000000",
        "mixHash": ZERO_HASH,
        "extraData": "0x",
    }


def format_block(block: StoredBlock, transactions: list, *, gas_limit: int, base_fee_wei: int) -> dict:
    """An Ethereum block: the header, its size and `transactions` (hashes or full objects)."""
    return {
        **header(block, gas_limit=gas_limit, base_fee_wei=base_fee_wei),
        "totalDifficulty": "0x0",
        "uncles": [],
        "size": fmt.quantity(sum(len(raw) for raw in executed_raws(block))),
        "transactions": transactions,
    }
