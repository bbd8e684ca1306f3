"""What the gateway reads and sends, through CometBFT's RPC.

Every read goes through `abci_query` (or CometBFT's block store), which answers from the app's
last committed block: a consistent snapshot, never a half-written block. Historical state is not
kept by the app, so reads at an older height are refused (`ServerError`). Transactions go through
`broadcast_tx_sync`, so CheckTx and consensus see them like any other.
"""

import base64
import json
from dataclasses import dataclass
from functools import cached_property

from eth_hash.auto import keccak

from ...evm.tx import DecodedTx, TxLimits, decode_tx
from ..cometbft import CometRPC, RpcError
from .errors import ServerError

# CometBFT caps unconfirmed_txs at 100 per call; pending nonces see only that many mempool txs.
MEMPOOL_SCAN_LIMIT = 100
EMPTY_CODE_HASH = "0x" + keccak(b"").hex()
QUERY_NOT_FOUND = 40  # abci_app.app.codes.QUERY_NOT_FOUND: codes are append-only


@dataclass(frozen=True, slots=True)
class ChainParams:
    """The chain's static parameters, read once from `/chain`."""

    chain_id: int
    min_gas_price_wei: int
    block_gas_limit: int


class CometChain:
    """The gateway's narrow view of one node, over its CometBFT RPC at `rpc_url`."""

    def __init__(self, rpc_url: str, timeout_s: float = 10.0) -> None:
        self.rpc = CometRPC(rpc_url, timeout_s=timeout_s)

    def _query(self, path: str, data: bytes = b"") -> tuple[int, bytes, str]:
        try:
            return self.rpc.abci_query(path, data)
        except RpcError as exc:
            raise ServerError(str(exc)) from None

    def _call(self, method: str, **params):
        try:
            return self.rpc.call(method, **params)
        except RpcError as exc:
            raise ServerError(str(exc)) from None

    def _query_json(self, path: str, data: bytes = b""):
        code, value, log = self._query(path, data)
        if code != 0:
            raise ServerError(f"abci_query {path}: {log}")
        return json.loads(value)

    @cached_property
    def params(self) -> ChainParams:
        chain = self._query_json("/chain")
        return ChainParams(int(chain["chain_id"]), int(chain["min_gas_price_wei"]), int(chain["block_gas_limit"]))

    def height(self) -> int:
        return int(self._call("status")["sync_info"]["latest_block_height"])

    def account(self, address: str) -> dict:
        """`{"balance": str, "nonce": int, "code_hash": "0x.."}` at the last committed block."""
        return self._query_json(f"/account/{address}")

    def code(self, address: str) -> bytes:
        """The runtime code at `address` (empty for an account without code)."""
        return bytes.fromhex(self._query_json(f"/code/{address}")["code"][2:])

    def storage(self, address: str, slot: int) -> bytes:
        """One 32-byte storage word of `address`."""
        return bytes.fromhex(self._query_json(f"/storage/{address}/{hex(slot)}")["value"][2:])

    def call(self, request: dict) -> dict:
        """`/call`: run {from, to, data, value, gas} on the committed state, keeping nothing.
        Answers {"success", "output": "0x..", "gas_used", "error"}."""
        return self._query_json("/call", json.dumps(request).encode())

    def status(self) -> dict:
        return self._call("status")

    def peer_count(self) -> int:
        return int(self._call("net_info")["n_peers"])

    def receipt(self, tx_hash: bytes) -> dict | None:
        """The stored receipt of a committed transaction, or None if it is not (yet) in a block."""
        code, value, log = self._query(f"/tx/0x{tx_hash.hex()}")
        if code != 0:
            if code == QUERY_NOT_FOUND:
                return None
            raise ServerError(f"abci_query /tx: {log}")
        return json.loads(value)

    def block(self, height: int | None = None) -> dict:
        """CometBFT's `block` answer (`block_id`, `block`) at `height`, latest if None."""
        return self._call("block", **({} if height is None else {"height": str(height)}))

    def block_results(self, height: int) -> dict:
        return self._call("block_results", height=str(height))

    def broadcast(self, raw: bytes) -> dict:
        """broadcast_tx_sync: CometBFT's answer with CheckTx's `code` and `log`."""
        try:
            return self.rpc.broadcast_tx_sync(raw)
        except RpcError as exc:
            raise ServerError(str(exc)) from None

    def decode(self, raw: bytes) -> DecodedTx | None:
        """A raw tx that CheckTx let in, decoded (None only defensively, for garbage)."""
        limits = TxLimits(chain_id=self.params.chain_id, max_tx_bytes=1 << 30,
                          block_gas_limit=self.params.block_gas_limit, min_gas_price_wei=0)
        try:
            return decode_tx(raw, limits)
        except Exception:
            return None

    def mempool_txs(self) -> list[DecodedTx]:
        """The first MEMPOOL_SCAN_LIMIT txs in this node's mempool, decoded."""
        answer = self._call("unconfirmed_txs", limit=str(MEMPOOL_SCAN_LIMIT))
        decoded = (self.decode(base64.b64decode(tx)) for tx in answer.get("txs") or [])
        return [tx for tx in decoded if tx is not None]

    def mempool_senders(self) -> list[tuple[bytes, int]]:
        """(sender, nonce) of the first MEMPOOL_SCAN_LIMIT txs in this node's mempool."""
        return [(tx.sender, tx.nonce) for tx in self.mempool_txs()]
