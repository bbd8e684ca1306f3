"""JSON-RPC 2.0 error codes and the one exception type handlers raise to answer with an error."""

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
EXECUTION_REVERTED = 3  # geth: a reverted eth_call / eth_estimateGas, with the revert data
SERVER_ERROR = -32000  # what geth answers for a rejected transaction or missing state
LIMIT_EXCEEDED = -32005  # EIP-1474: a query asks for more than the node serves (logs, ranges)
PRUNED_HISTORY = 4444  # the specification's error group: a block (its txs, receipts) this node no longer has


class JsonRpcError(Exception):
    """An error answer: `code`, `message` and optional `data` (e.g. revert data)."""

    def __init__(self, code: int, message: str, data=None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    def to_json(self) -> dict:
        error = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error


class InvalidParams(JsonRpcError):
    def __init__(self, message: str) -> None:
        super().__init__(INVALID_PARAMS, message)


class ServerError(JsonRpcError):
    def __init__(self, message: str, data=None) -> None:
        super().__init__(SERVER_ERROR, message, data)


class PrunedHistory(JsonRpcError):
    """A block, its txs, receipts or logs, below the history this node keeps (keep_blocks, or
    where it was state-synced): the specification's error group, in geth's words."""

    def __init__(self) -> None:
        super().__init__(PRUNED_HISTORY, "pruned history unavailable")


class LimitExceeded(JsonRpcError):
    def __init__(self, message: str) -> None:
        super().__init__(LIMIT_EXCEEDED, message)
