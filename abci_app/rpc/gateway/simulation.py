"""eth_simulateV1: the app runs the whole request in one `/simulate` query (evm/simulated_blocks.py);
this shapes its blocks as the specification's (a block with `calls`, each call's result and logs).

Simulated blocks are Ethereum headers of their own: their hash is keccak of the header, not a
CometBFT block hash, and each call is named by the hash of its transaction with a zero signature.
"""

import json

from eth.constants import BLANK_ROOT_HASH, EMPTY_SHA256

from ...evm.fork import TX_BUILDER
from . import formats as fmt
from .blocks import EMPTY_UNCLES_HASH, ZERO_HASH
from .errors import EXECUTION_REVERTED, InvalidParams, JsonRpcError

VM_ERROR = -32015   # the specification's code for a call that failed other than by reverting


def parse_payload(value) -> dict:
    """The payload as the app reads it; only its shape is checked here (the app parses it)."""
    if not isinstance(value, dict) or not isinstance(value.get("blockStateCalls"), list):
        raise InvalidParams("the payload must be an object with blockStateCalls: [...]")
    if value.get("returnFullTransactions") is not None:
        fmt.parse_bool(value["returnFullTransactions"])
    return value


def simulate(chain, payload: dict, height: int) -> list[dict]:
    answer = chain.simulate(json.dumps(payload).encode(), height)
    if "error" in answer:
        raise JsonRpcError(answer["error"]["code"], answer["error"]["message"])
    full = bool(payload.get("returnFullTransactions"))
    return [_block(block, full) for block in answer["blocks"]]


def _block(block: dict, full: bool) -> dict:
    number, timestamp, block_hash = block["number"], block["time_s"], block["hash"]
    base_fee = int(block["base_fee_wei"])
    calls, transactions, first_log = [], [], 0
    for index, call in enumerate(block["calls"]):
        raw = bytes.fromhex(call["raw"][2:])
        transactions.append(fmt.format_transaction(
            TX_BUILDER.decode(raw), bytes.fromhex(call["from"][2:]), bytes.fromhex(call["hash"][2:]),
            block_hash=block_hash, number=number, index=index, base_fee_wei=base_fee, timestamp=timestamp)
            if full else call["hash"])
        calls.append(_call_result(call, block_hash, number, timestamp, index, first_log))
        first_log += len(call["logs"])
    return {
        "number": fmt.quantity(number),
        "hash": block_hash,
        "parentHash": block["parent_hash"],
        "timestamp": fmt.quantity(timestamp),
        "gasLimit": fmt.quantity(block["gas_limit"]),
        "gasUsed": fmt.quantity(block["gas_used"]),
        "baseFeePerGas": fmt.quantity(base_fee),
        "miner": fmt.checksum(block["miner"]),
        "stateRoot": block["state_root"],
        "transactionsRoot": block["transactions_root"],
        "receiptsRoot": block["receipts_root"],
        "logsBloom": block["logs_bloom"],
        "sha3Uncles": EMPTY_UNCLES_HASH,
        "difficulty": "0x0",
        "nonce": "0x0000000000000000",
        "mixHash": block["mix_hash"],
        "extraData": "0x",
        "withdrawalsRoot": fmt.data(BLANK_ROOT_HASH),    # the header's other fields: its hash can be
        "blobGasUsed": "0x0",                            # recomputed from the object
        "excessBlobGas": "0x0",
        "parentBeaconBlockRoot": ZERO_HASH,
        "requestsHash": fmt.data(EMPTY_SHA256),
        "totalDifficulty": "0x0",
        "uncles": [],
        "withdrawals": [],
        "size": fmt.quantity(sum(len(call["raw"]) // 2 - 1 for call in block["calls"])),
        "transactions": transactions,
        "calls": calls,
    }


def _call_result(call: dict, block_hash: str, number: int, timestamp: int, index: int, first_log: int) -> dict:
    result = {"status": fmt.quantity(call["status"]), "returnData": call["output"],
              "gasUsed": fmt.quantity(call["gas_used"])}
    if call["status"] == 1:
        result["logs"] = [{**fmt.format_log(log, block_hash=block_hash, number=number, tx_hash=call["hash"],
                                            tx_index=index, log_index=first_log + offset),
                           "blockTimestamp": fmt.quantity(timestamp)}
                          for offset, log in enumerate(call["logs"])]
    elif call["reverted"]:
        result["error"] = {"code": EXECUTION_REVERTED, "message": call["error"], "data": call["output"]}
    else:
        result["error"] = {"code": VM_ERROR, "message": f"vm execution error: {call['error']}"}
    return result

