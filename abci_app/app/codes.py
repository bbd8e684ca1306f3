"""The one table from error kinds to ABCI codes. Codes are append-only: never renumber one."""

from .. import errors

OK = 0
INTERNAL = 1
EXECUTION_FAILED = 32  # included and charged, but the EVM reverted or ran out of gas
QUERY_NOT_FOUND = 40
QUERY_BAD_REQUEST = 41
QUERY_TOO_MANY_RESULTS = 42
QUERY_BUSY = 43            # the node's query workers and their queue are full: ask again later
QUERY_TIMEOUT = 44         # the query ran past the node's time budget and was abandoned
QUERY_WORKER_FAILED = 45   # the worker process answering the query died or could not start
QUERY_PRUNED = 46          # below the history this node keeps (keep_blocks, keep_recent): ask an archive node

TX_CODES: dict[type[errors.TxRejected], int] = {
    errors.Undecodable: 2,
    errors.UnsupportedTxType: 3,
    errors.WrongChainId: 4,
    errors.Unprotected: 5,
    errors.BadSignature: 6,
    errors.NonceTooLow: 7,
    errors.NonceTooHigh: 8,
    errors.InsufficientFunds: 9,
    errors.GasLimitTooHigh: 10,
    errors.GasPriceTooLow: 11,
    errors.TxTooLarge: 12,
    errors.IntrinsicGasTooLow: 13,
    errors.BlockGasExhausted: 14,
    errors.MalformedTx: 15,
    errors.InitcodeTooLarge: 16,
}


def code_for(exc: BaseException) -> int:
    """The code of an error kind (or its nearest listed ancestor); INTERNAL for anything else."""
    for kind in type(exc).__mro__:
        if kind in TX_CODES:
            return TX_CODES[kind]
    return INTERNAL
