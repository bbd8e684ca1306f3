"""What a transaction left behind: status, gas, created contract, logs; its stored form; and the
index trie Ethereum roots a block's transactions and receipts in."""

import json
from dataclasses import dataclass

import rlp
from eth.abc import ComputationAPI
from eth_abi import decode as abi_decode
from trie import HexaryTrie

ERROR_SELECTOR = bytes.fromhex("08c379a0")  # Error(string)


@dataclass(frozen=True, slots=True)
class LogRecord:
    address: bytes
    topics: tuple[int, ...]
    data: bytes

    def to_json(self) -> dict:
        return {
            "address": "0x" + self.address.hex(),
            "topics": ["0x" + t.to_bytes(32, "big").hex() for t in self.topics],
            "data": "0x" + self.data.hex(),
        }


@dataclass(frozen=True, slots=True)
class TxOutcome:
    """The result of an executed transaction (success or EVM failure: both pay gas)."""

    tx_hash: bytes
    sender: bytes
    to: bytes | None
    nonce: int
    value_wei: int
    success: bool
    gas_used: int
    cumulative_gas_used: int
    effective_gas_price_wei: int
    contract_address: bytes | None
    logs: tuple[LogRecord, ...]
    output: bytes
    error: str

    def to_json(self, height: int, index: int) -> dict:
        """The stored receipt: what `/tx/<hash>` answers."""
        return {
            "hash": "0x" + self.tx_hash.hex(),
            "height": height,
            "index": index,
            "from": "0x" + self.sender.hex(),
            "to": "0x" + self.to.hex() if self.to else None,
            "nonce": self.nonce,
            "value": str(self.value_wei),
            "status": 1 if self.success else 0,
            "gas_used": self.gas_used,
            "cumulative_gas_used": self.cumulative_gas_used,
            "effective_gas_price": str(self.effective_gas_price_wei),
            "contract_address": "0x" + self.contract_address.hex() if self.contract_address else None,
            "logs": [log.to_json() for log in self.logs],
            "output": "0x" + self.output.hex(),
            "error": self.error,
        }


def encode_receipt(receipt: dict) -> bytes:
    return json.dumps(receipt, sort_keys=True, separators=(",", ":")).encode()


VM_ERRORS = {   # py-evm's error kinds in geth's words, for answers to clients (its messages stay inside)
    "OutOfGas": "out of gas", "InsufficientStack": "stack underflow", "FullStack": "stack limit reached",
    "InvalidJumpDestination": "invalid jump destination", "InvalidInstruction": "invalid opcode",
    "StackDepthLimit": "max call depth exceeded", "WriteProtection": "write protection",
    "InsufficientFunds": "insufficient balance for transfer", "OutOfBoundsRead": "return data out of bounds",
    "ContractCreationCollision": "contract address collision", "ReservedBytesInCode": "invalid code: must not begin with 0xef",
}


def call_failure(computation: ComputationAPI) -> str:
    """Why a call failed, as eth_call answers a client: the revert reason, else the VM error's
    kind in geth's words ("out of gas"), never py-evm's own message."""
    if type(computation.error).__name__ == "Revert":
        return revert_reason(computation)
    return VM_ERRORS.get(type(computation.error).__name__, "execution failed")


def revert_reason(computation: ComputationAPI) -> str:
    """A readable reason for a failed call: the Error(string) text, else the VM error's name."""
    output = computation.output
    if output[:4] == ERROR_SELECTOR:
        try:
            (reason,) = abi_decode(["string"], output[4:])
            return f"execution reverted: {reason}"
        except Exception:  # malformed revert data from a contract: fall through
            pass
    error = computation.error
    if type(error).__name__ == "Revert":
        return "execution reverted"
    return f"{type(error).__name__}: {error}".rstrip(": ")


def index_trie_root(items: list[bytes]) -> bytes:
    """The root of Ethereum's index-keyed trie over `items` (a block's transactions or receipts),
    built in a dict thrown away after (py-evm's own helper builds a pruning trie, whose nodes
    py-trie caches for the life of the process)."""
    trie = HexaryTrie({})
    for index, item in enumerate(items):
        trie[rlp.encode(index)] = item
    return trie.root_hash
