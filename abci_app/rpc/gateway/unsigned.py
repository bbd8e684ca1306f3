"""Pure: an unsigned transaction for eth_fillTransaction: which type a request asks for, and
its encoding with the signature fields present and zero, as geth's, except that a legacy one
carries the chain id where v goes (EIP-155's signing form): this chain takes no legacy tx
signed without its chain id, and a signer working from `raw` must not make one."""

from dataclasses import dataclass

import rlp

from . import formats as fmt
from .errors import InvalidParams

TYPES = (0, 1, 2)   # legacy, EIP-2930, EIP-1559: the ones the chain takes
UINT64, UINT256 = 2**64, 2**256


@dataclass(frozen=True, slots=True)
class Unsigned:
    kind: int
    chain_id: int
    nonce: int
    gas: int
    to: bytes | None
    value: int
    data: bytes
    access_list: fmt.AccessList
    gas_price: int = 0         # types 0 and 1
    max_fee: int = 0           # type 2
    max_priority_fee: int = 0  # type 2

    def encode(self) -> bytes:
        to = self.to or b""
        access = [[address, [slot.to_bytes(32, "big") for slot in slots]] for address, slots in self.access_list]
        if self.kind == 0:
            return rlp.encode([self.nonce, self.gas_price, self.gas, to, self.value, self.data, self.chain_id, 0, 0])
        if self.kind == 1:
            fields = [self.chain_id, self.nonce, self.gas_price, self.gas, to, self.value, self.data, access]
        else:
            fields = [self.chain_id, self.nonce, self.max_priority_fee, self.max_fee, self.gas, to, self.value,
                      self.data, access]
        return bytes([self.kind]) + rlp.encode(fields + [0, 0, 0])

    def to_json(self) -> dict:
        """The transaction object of the specification's TransactionXUnsigned; an EIP-1559 one's
        gasPrice is its fee cap, as geth shows a transaction not yet in a block."""
        tx = {"type": fmt.quantity(self.kind), "nonce": fmt.quantity(self.nonce), "to": fmt.checksum(self.to),
              "gas": fmt.quantity(self.gas), "value": fmt.quantity(self.value), "input": fmt.data(self.data),
              "chainId": fmt.quantity(self.chain_id),
              "gasPrice": fmt.quantity(self.max_fee if self.kind == 2 else self.gas_price)}
        if self.kind >= 1:
            tx["accessList"] = [{"address": fmt.checksum(address), "storageKeys": [fmt.data(s.to_bytes(32, "big"))
                                                                                   for s in slots]}
                                for address, slots in self.access_list]
        if self.kind == 2:
            tx |= {"maxFeePerGas": fmt.quantity(self.max_fee), "maxPriorityFeePerGas": fmt.quantity(self.max_priority_fee)}
        return tx


def requested_type(value: dict) -> int:
    """The asked type; else as geth picks it: EIP-1559 unless only gasPrice is given (then
    EIP-2930 with an access list, legacy without)."""
    if value.get("type") is not None:
        kind = fmt.parse_quantity(value["type"])
        if kind not in TYPES:
            raise InvalidParams(f"transaction type {kind} is not taken by this chain (0, 1 and 2 are)")
        return kind
    dynamic = value.get("maxFeePerGas") is not None or value.get("maxPriorityFeePerGas") is not None
    if value.get("gasPrice") is not None:
        if dynamic:
            raise InvalidParams("both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified")
        return 1 if value.get("accessList") is not None else 0
    return 2


def bounded(value, name: str, bound: int) -> int | None:
    """An optional hex quantity below `bound`."""
    if value is None:
        return None
    number = fmt.parse_quantity(value)
    if number >= bound:
        raise InvalidParams(f"{name} out of range")
    return number
