"""The error hierarchy. Every error the chain raises on purpose derives from AppError.

`TxRejected` kinds refuse a transaction before execution (it changes nothing and pays nothing);
`app/codes.py` alone maps each kind to its ABCI code. Any other exception escaping the state
machine is not a property of a transaction (a bug or a node-local fault): the node stops before
Commit (evm/execute.py writes the split down).
"""


class AppError(Exception):
    """Root of every error the chain raises on purpose."""


class TxRejected(AppError):
    """A transaction refused before execution: no state change, no fee."""


class Undecodable(TxRejected):
    """The bytes are not an Ethereum transaction."""


class UnsupportedTxType(TxRejected):
    """A transaction type this chain does not run (blob, set-code)."""


class WrongChainId(TxRejected):
    """Signed for another chain."""


class Unprotected(TxRejected):
    """A legacy transaction without EIP-155 replay protection."""


class BadSignature(TxRejected):
    """The signature is malformed, high-s, or recovers no sender."""


class NonceTooLow(TxRejected):
    """The nonce was already used."""


class NonceTooHigh(TxRejected):
    """The nonce leaves a gap; CometBFT's mempool does not reorder, so gaps are refused."""


class InsufficientFunds(TxRejected):
    """The sender cannot pay value + gas limit * max gas price."""


class IntrinsicGasTooLow(TxRejected):
    """The gas limit does not cover the transaction's intrinsic gas."""


class GasLimitTooHigh(TxRejected):
    """The gas limit exceeds the block gas limit."""


class BlockGasExhausted(TxRejected):
    """The block has no gas left for this transaction (it may fit in a later block)."""


class GasPriceTooLow(TxRejected):
    """The (max) gas price is below the chain's minimum gas price."""


class TxTooLarge(TxRejected):
    """The encoded transaction exceeds the size limit."""


class InitcodeTooLarge(TxRejected):
    """A contract creation whose initcode exceeds the size limit (49,152 bytes)."""


class GenesisError(AppError):
    """The genesis app_state is malformed."""


class MalformedTx(TxRejected):
    """A field is out of range (nonce, value, fee fields, recipient)."""


class PrecompileFault(AppError):
    """An exception inside a precompile other than a CallError or the EVM's own errors: a bug, or
    a node-local fault (I/O, memory). It must stop the node, never become a failed call."""


class CallError(AppError):
    """A precompile call refused: the framework reverts with Error(reason); nothing changes."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
