"""What the gateway reads and sends, through CometBFT's RPC.

Reads go through `abci_query`, answered by the app from a committed block: the last one (a
consistent snapshot, never a half-written block) or, for state at a recent height, that block's
state root. "Latest" is the app's committed height, not CometBFT's block store height (which
runs ahead while a block executes), so a block the gateway names always has its receipts.
Transactions go through `broadcast_tx_sync`, so CheckTx and consensus see them like any other.
"""

import base64
import json
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import structlog

from ...evm.tx import DecodedTx, TxLimits, decode_tx
from ..cometbft import CometRPC, RpcError
from .errors import LimitExceeded, PrunedHistory, ServerError
from .filters import Filters, LogLimits

# CometBFT caps unconfirmed_txs at 100 per call; pending nonces see only that many mempool txs.
MEMPOOL_SCAN_LIMIT = 100
EXPENSIVE_IN_FLIGHT, EXPENSIVE_WAIT_S = 1, 0.1   # eth_call and eth_estimateGas at once, and the wait for a turn
QUERY_NOT_FOUND = 40  # abci_app.app.codes: codes are append-only
QUERY_TOO_MANY_RESULTS = 42
QUERY_PRUNED = 46
BLOCK_CACHE_SIZE = 256
PARAMS_TTL_S = 1.0   # wall clock: the gateway is no consensus code
# CometBFT's refusals of a broadcast tx, in the words geth uses for them (its own stay in our log).
BROADCAST_REFUSALS = (("already exists in cache", "already known"), ("mempool is full", "txpool is full"),
                      ("too large", "oversized data"))

log = structlog.get_logger(__name__)


def node_error(exc: RpcError, answer: str = "the node is unavailable") -> ServerError:
    """A failure to talk to CometBFT as a client sees it: our words; CometBFT's (and Python's)
    stay in the gateway's log, never in an answer."""
    log.warning("gateway_node_error", error=str(exc))
    return ServerError(answer)


@dataclass(frozen=True, slots=True)
class ChainParams:
    """The chain's parameters from `/chain`: the chain id never changes; the minimum gas price and
    the block gas limit may, by a governance proposal (`chain.*`), so they are read again at most
    every PARAMS_TTL_S."""

    chain_id: int
    min_gas_price_wei: int
    block_gas_limit: int


@dataclass(frozen=True, slots=True)
class StoredBlock:
    """A committed block as the app stored it (`/block/<height>`: hash, time, gas used, state
    root, receipts) with its parent's hash and the raw transactions from CometBFT's block."""

    record: dict
    parent_hash: str      # 0x hex; zero for the first block
    raws: tuple[bytes, ...]

    @property
    def height(self) -> int:
        return self.record["height"]

    @property
    def hash(self) -> str:
        return "0x" + self.record["hash"]

    def base_fee_wei(self, minimum_wei: int) -> int:
        """The base fee the block ran at (blocks recorded before the fee market: the minimum)."""
        return int(self.record.get("base_fee_wei", minimum_wei))

    def gas_limit(self, current: int) -> int:
        """The gas limit the block ran under (governance may change it; blocks recorded before
        it was kept: the current one)."""
        return int(self.record.get("gas_limit", current))


class CometChain:
    """The gateway's narrow view of one node, over its CometBFT RPC at `rpc_url`, with what the
    gateway keeps for its clients (installed filters) and the limits of log queries."""

    def __init__(self, rpc_url: str, timeout_s: float = 10.0, limits: LogLimits = LogLimits()) -> None:
        self.rpc = CometRPC(rpc_url, timeout_s=timeout_s)
        self.limits = limits
        self.filters = Filters()
        self._blocks: OrderedDict[int, StoredBlock] = OrderedDict()  # committed blocks never change
        self._params: tuple[float, ChainParams | None] = (0.0, None)   # (monotonic time read, params)
        self._lock = threading.Lock()
        self._expensive = threading.BoundedSemaphore(EXPENSIVE_IN_FLIGHT)

    def _query(self, path: str, data: bytes = b"", height: int = 0) -> tuple[int, bytes, str]:
        try:
            return self.rpc.abci_query(path, data, height)
        except RpcError as exc:
            raise node_error(exc) from None

    def _call(self, method: str, **params):
        try:
            return self.rpc.call(method, **params)
        except RpcError as exc:
            raise node_error(exc) from None

    def _query_json(self, path: str, data: bytes = b"", height: int = 0):
        code, value, log = self._query(path, data, height)
        if code == QUERY_TOO_MANY_RESULTS:
            raise LimitExceeded(log)
        if code == QUERY_PRUNED and path == "/logs":   # (old state has no such group: -32000, as geth)
            raise PrunedHistory()
        if code != 0:
            raise ServerError(log or f"abci_query {path} answered code {code}")
        return json.loads(value)

    @property
    def params(self) -> ChainParams:
        read_at, params = self._params
        if params is None or time.monotonic() - read_at > PARAMS_TTL_S:
            chain = self._query_json("/chain")
            params = ChainParams(int(chain["chain_id"]), int(chain["min_gas_price_wei"]),
                                 int(chain["block_gas_limit"]))
            self._params = (time.monotonic(), params)
        return params

    def height(self) -> int:
        """The app's last committed block."""
        return int(self._query_json("/chain")["height"])

    def fees(self) -> tuple[int, int]:
        """`/fees`: the next block's base fee and the app's suggested tip, in one query."""
        answer = self._query_json("/fees")
        return int(answer["base_fee_wei"]), int(answer["suggested_tip_wei"])

    def next_base_fee(self) -> int:
        """The base fee of the next block (the fee market moves it every block)."""
        return int(self._query_json("/chain")["base_fee_wei"])

    def config(self) -> dict:
        """`/config`: the EVM rules in force (eth_config)."""
        return self._query_json("/config")

    def history(self) -> dict:
        """`{height, hash, oldest_block, oldest_state}`: the heights this node answers for."""
        return self._query_json("/history")

    # state, at `height` (0: the last committed block)

    def account(self, address: str, height: int = 0) -> dict:
        """`{"balance": str, "nonce": int, "code_hash": "0x.."}`."""
        return self._query_json(f"/account/{address}", height=height)

    def code(self, address: str, height: int = 0) -> bytes:
        """The runtime code at `address` (empty for an account without code)."""
        return bytes.fromhex(self._query_json(f"/code/{address}", height=height)["code"][2:])

    def storage(self, address: str, slot: int, height: int = 0) -> bytes:
        """One 32-byte storage word of `address`."""
        return bytes.fromhex(self._query_json(f"/storage/{address}/{hex(slot)}", height=height)["value"][2:])

    def proof(self, address: str, slots: list[int], height: int = 0) -> dict:
        """`/proof/<address>`: the account with its proof in the state trie, and each slot's value
        and proof in its storage trie (eth_getProof). Up to MAX_PROOF_KEYS trie paths read in
        the node's query workers: it takes its turn with the EVM queries, as they do."""
        return self._expensive_query_json(f"/proof/{address}", json.dumps([hex(slot) for slot in slots]).encode(),
                                          height)

    def storages(self, slots: dict[str, list[int]], height: int = 0) -> dict[str, list[str]]:
        """`/storages`: {address: [slot]} in, {address: [32-byte word]} out, from one block, in
        the node's query workers."""
        return self._expensive_query_json("/storages", json.dumps(
            {address: [hex(slot) for slot in wanted] for address, wanted in slots.items()}).encode(), height)

    def call(self, request: dict, height: int = 0) -> dict:
        """`/call`: run {from, to, data, value, gas} on committed state, keeping nothing.
        Answers {"success", "output": "0x..", "gas_used", "error"}."""
        return self._expensive_query_json("/call", json.dumps(request).encode(), height)

    def estimate(self, request: dict, height: int = 0) -> dict:
        """`/estimate`: the smallest gas at which {from, to, data, value, gas} succeeds, searched
        for by the app in one query (one time budget). Answers {"gas": int | None, and the
        call's result with all the gas: "success", "output", "gas_used", "error"}."""
        return self._expensive_query_json("/estimate", json.dumps(request).encode(), height)

    def access_list(self, request: dict, height: int = 0) -> dict:
        """`/accesslist`: what {from, to, data, value, gas} touches, and the call's result run with
        it as its access list ({"access_list": [{"address", "storage_keys"}], "gas_used", ...})."""
        return self._expensive_query_json("/accesslist", json.dumps(request).encode(), height)

    def simulate(self, payload: bytes, height: int = 0) -> dict:
        """`/simulate`: eth_simulateV1's payload run by the app in one query. Answers
        {"blocks": [...]} or {"error": {code, message}} (app/simulation.py)."""
        return self._expensive_query_json("/simulate", payload, height)

    def _expensive_query_json(self, path: str, data: bytes, height: int):
        """At most EXPENSIVE_IN_FLIGHT EVM queries of this gateway in the node's query pipeline:
        CometBFT answers abci_query in order on one connection, so every cheap read (a nonce, a
        receipt) waits behind the calls sent before it; past the bound, busy after a short wait
        (found by issue 14's attack run: a flood of eth_calls starved wallets' reads)."""
        if not self._expensive.acquire(timeout=EXPENSIVE_WAIT_S):
            raise LimitExceeded(f"busy: {EXPENSIVE_IN_FLIGHT} calls are running; try again")
        try:
            return self._query_json(path, data, height)
        finally:
            self._expensive.release()

    # blocks, transactions and logs

    def receipt(self, tx_hash: bytes) -> dict | None:
        """The stored receipt of a committed transaction, or None if it is not (yet) in a block."""
        code, value, log = self._query(f"/tx/0x{tx_hash.hex()}")
        if code != 0:
            if code == QUERY_NOT_FOUND:
                return None
            raise PrunedHistory() if code == QUERY_PRUNED else ServerError(f"abci_query /tx: {log}")
        return json.loads(value)

    def block(self, height: int) -> StoredBlock | None:
        """Committed block `height`, or None if the app has not committed it."""
        with self._lock:
            if height in self._blocks:
                return self._blocks[height]
        code, value, log = self._query(f"/block/{height}")
        if code == QUERY_NOT_FOUND:
            return None
        if code != 0:
            raise PrunedHistory() if code == QUERY_PRUNED else ServerError(f"abci_query /block: {log}")
        comet = self._call("block", height=str(height))["block"]
        parent = comet["header"]["last_block_id"]["hash"].lower() or "00" * 32
        block = StoredBlock(json.loads(value), "0x" + parent,
                            tuple(base64.b64decode(tx) for tx in comet["data"]["txs"] or []))
        with self._lock:
            self._blocks[height] = block
            while len(self._blocks) > BLOCK_CACHE_SIZE:
                self._blocks.popitem(last=False)
        return block

    def height_of(self, block_hash: bytes) -> int | None:
        """The height of the block with CometBFT hash `block_hash`, None if there is none."""
        answer = self._call("block_by_hash", hash=base64.b64encode(block_hash).decode())
        block = answer.get("block")
        return int(block["header"]["height"]) if block else None

    def logs(self, spec: dict) -> list[dict]:
        """`/logs`: {from, to, address, topics, limit} in, the matching logs out (LimitExceeded
        when more match than the limit)."""
        return self._query_json("/logs", json.dumps(spec).encode())["logs"]

    # the node

    def status(self) -> dict:
        return self._call("status")

    def peer_count(self) -> int:
        return int(self._call("net_info")["n_peers"])

    def broadcast(self, raw: bytes) -> dict:
        """broadcast_tx_sync: CometBFT's answer with CheckTx's `code` and `log`."""
        try:
            return self.rpc.broadcast_tx_sync(raw)
        except RpcError as exc:
            said = [ours for theirs, ours in BROADCAST_REFUSALS if theirs in str(exc)]
            raise node_error(exc, said[0] if said else "the node did not take the transaction") from None

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
