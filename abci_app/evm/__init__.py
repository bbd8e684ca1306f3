"""Ethereum execution on py-evm: decoding, block execution, receipts, state reads."""

from .execute import BlockContext, BlockExecution, build_state, check_account
from .receipts import LogRecord, TxOutcome, encode_receipt
from .tx import DecodedTx, TxCache, TxLimits, decode_tx

__all__ = [
    "BlockContext",
    "BlockExecution",
    "DecodedTx",
    "LogRecord",
    "TxCache",
    "TxLimits",
    "TxOutcome",
    "build_state",
    "check_account",
    "decode_tx",
    "encode_receipt",
]
