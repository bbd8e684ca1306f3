"""Decoding and stateless validation of signed Ethereum transactions (DESIGN.md §2).

A decoded transaction carries its recovered sender. Recovery is the costly step, so decoded
transactions are cached by hash between CheckTx and FinalizeBlock.
"""

from collections import OrderedDict
from dataclasses import dataclass

from eth._utils.numeric import ceil32
from eth.abc import SignedTransactionAPI
from eth.constants import GAS_TX, SECPK1_N
from eth.vm.forks.prague.constants import STANDARD_TOKEN_COST, TOTAL_COST_FLOOR_PER_TOKEN
from eth.vm.forks.shanghai.constants import INITCODE_WORD_COST, MAX_INITCODE_SIZE
from eth_hash.auto import keccak
from eth_utils import ValidationError

from .. import errors
from .fork import TX_BUILDER
from .rlp_bounds import RLPNestingError, check_rlp_nesting

LEGACY_TYPE = 0
ACCESS_LIST_TYPE = 1
DYNAMIC_FEE_TYPE = 2
SUPPORTED_TYPES = (LEGACY_TYPE, ACCESS_LIST_TYPE, DYNAMIC_FEE_TYPE)
# The deepest list of a supported transaction is an access list's storage keys, 4 levels down;
# the rest is headroom, still far from what the native RLP decoder's recursion can survive.
MAX_RLP_DEPTH = 8
# The most items per byte a valid transaction has: an access list of entries without keys,
# [address, []], 23 bytes for 3 items. Junk of tiny items is refused after a scan of that many.
BYTES_PER_RLP_ITEM = 7


@dataclass(frozen=True, slots=True)
class TxLimits:
    """The stateless limits a transaction must meet; from genesis params."""

    chain_id: int
    max_tx_bytes: int
    block_gas_limit: int
    min_gas_price_wei: int


@dataclass(frozen=True, slots=True)
class DecodedTx:
    """A signed transaction that passed every stateless check."""

    hash: bytes
    raw: bytes
    tx: SignedTransactionAPI
    sender: bytes

    @property
    def nonce(self) -> int:
        return self.tx.nonce

    @property
    def gas(self) -> int:
        return self.tx.gas

    @property
    def max_fee_per_gas(self) -> int:
        """The most the sender may pay per gas: gas price (legacy) or max fee (fee market)."""
        return self.tx.max_fee_per_gas

    @property
    def max_cost_wei(self) -> int:
        """Value plus the most the gas can cost: what the sender's balance must cover."""
        return self.tx.value + self.tx.gas * self.tx.max_fee_per_gas


def tx_type(tx: SignedTransactionAPI) -> int:
    type_id = getattr(tx, "type_id", None)
    return LEGACY_TYPE if type_id is None else type_id


def decode_tx(raw: bytes, limits: TxLimits) -> DecodedTx:
    """Decode and check everything that does not depend on state. Raises a TxRejected kind."""
    if len(raw) > limits.max_tx_bytes:
        raise errors.TxTooLarge(f"tx is {len(raw)} bytes, limit {limits.max_tx_bytes}")
    try:
        check_rlp_nesting(raw, MAX_RLP_DEPTH, max_items=len(raw) // BYTES_PER_RLP_ITEM + 16)
    except RLPNestingError as exc:
        raise errors.Undecodable(f"not an Ethereum transaction: {exc}") from None
    try:
        tx = TX_BUILDER.decode(raw)
    except Exception as exc:  # rlp and py-evm raise many kinds for garbage
        raise errors.Undecodable(f"not an Ethereum transaction: {type(exc).__name__}") from None
    kind = tx_type(tx)
    if kind not in SUPPORTED_TYPES:
        raise errors.UnsupportedTxType(f"transaction type {kind} is not supported")
    if tx.chain_id is None:
        raise errors.Unprotected("legacy transaction without EIP-155 chain id")
    if tx.chain_id != limits.chain_id:
        raise errors.WrongChainId(f"chain id {tx.chain_id}, expected {limits.chain_id}")
    sender = recover_sender(tx)
    validate_fields(tx)
    if tx.gas > limits.block_gas_limit:
        raise errors.GasLimitTooHigh(f"gas {tx.gas} exceeds block gas limit {limits.block_gas_limit}")
    if tx.max_fee_per_gas < limits.min_gas_price_wei:
        raise errors.GasPriceTooLow(
            f"gas price {tx.max_fee_per_gas} below minimum {limits.min_gas_price_wei}"
        )
    return DecodedTx(hash=keccak(raw), raw=raw, tx=tx, sender=sender)


def recover_sender(tx: SignedTransactionAPI) -> bytes:
    if not (0 < tx.r < SECPK1_N and 0 < tx.s <= SECPK1_N // 2):
        raise errors.BadSignature("signature r/s out of range (high-s is refused)")
    try:
        return tx.sender
    except Exception:  # eth-keys raises BadSignature or ValidationError
        raise errors.BadSignature("signature recovers no sender") from None


def validate_fields(tx: SignedTransactionAPI) -> None:
    """Every rule py-evm would otherwise enforce only when it applies the transaction, where a
    refusal raises outside any computation: checked here, so CheckTx and ProcessProposal never
    accept what FinalizeBlock cannot execute."""
    if not tx.to and len(tx.data) > MAX_INITCODE_SIZE:
        raise errors.InitcodeTooLarge(f"initcode is {len(tx.data)} bytes, limit {MAX_INITCODE_SIZE}")
    if tx.gas < intrinsic_gas(tx):
        raise errors.IntrinsicGasTooLow(f"gas {tx.gas} below intrinsic gas {intrinsic_gas(tx)}")
    if tx.gas < calldata_floor_gas(tx):
        raise errors.IntrinsicGasTooLow(f"gas {tx.gas} below the calldata floor {calldata_floor_gas(tx)}")
    try:
        tx.validate()
    except ValidationError as exc:
        raise errors.MalformedTx(str(exc)) from None
    if tx.max_priority_fee_per_gas > tx.max_fee_per_gas:
        raise errors.MalformedTx(
            f"max priority fee {tx.max_priority_fee_per_gas} above max fee {tx.max_fee_per_gas}")


def intrinsic_gas(tx: SignedTransactionAPI) -> int:
    """py-evm's intrinsic gas plus, for a creation, the initcode's word cost (which py-evm charges
    only inside the computation)."""
    initcode_gas = INITCODE_WORD_COST * ceil32(len(tx.data)) // 32 if not tx.to else 0
    return tx.intrinsic_gas + initcode_gas


def calldata_floor_gas(tx: SignedTransactionAPI) -> int:
    """The least gas a transaction with this calldata is charged (Prague's calldata floor)."""
    zeros = tx.data.count(0)
    tokens = zeros + (len(tx.data) - zeros) * STANDARD_TOKEN_COST
    return GAS_TX + TOTAL_COST_FLOOR_PER_TOKEN * tokens


class TxCache:
    """Decoded transactions by hash, so a block does not recover senders CheckTx already did.

    Only what the node took is kept (`keep`: txs CheckTx admitted, proposals it accepted):
    decoding a tx an unfunded key sends costs that key nothing, so it must not hold memory either.
    Bounded in count and in bytes; a decoded transaction holds its bytes about twice (raw, and its
    fields): 32 MiB of raw transactions is about 64 MiB of memory."""

    def __init__(self, limits: TxLimits, capacity: int = 50_000, max_bytes: int = 32 << 20) -> None:
        self.limits = limits
        self._capacity = capacity
        self._max_bytes = max_bytes
        self._bytes = 0
        self._by_hash: OrderedDict[bytes, DecodedTx] = OrderedDict()

    def __len__(self) -> int:
        return len(self._by_hash)

    @property
    def held_bytes(self) -> int:
        return self._bytes

    def decode(self, raw: bytes) -> DecodedTx:
        """The kept decoding of `raw`, or a new one (not kept)."""
        cached = self._by_hash.get(keccak(raw))
        if cached is not None:
            self._by_hash.move_to_end(cached.hash)
            return cached
        return decode_tx(raw, self.limits)

    def keep(self, decoded: DecodedTx) -> None:
        """Hold a decoding the node took, evicting the least recently used past the bounds."""
        if decoded.hash in self._by_hash:
            return
        self._by_hash[decoded.hash] = decoded
        self._bytes += len(decoded.raw)
        while len(self._by_hash) > self._capacity or self._bytes > self._max_bytes:
            _, evicted = self._by_hash.popitem(last=False)
            self._bytes -= len(evicted.raw)
