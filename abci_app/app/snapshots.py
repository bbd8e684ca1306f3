"""State sync: snapshots of the committed state, served to and restored from CometBFT (format 1).

A snapshot at height H is the state the app hash of H commits to, plus the bookkeeping a node
needs to go on from H + 1. Format 1, all RLP, every byte a function of the chain alone (two nodes
snapshotting the same height produce identical snapshots):

- chunk 0, bookkeeping: [H, app_hash, genesis, [[height, block record] ...]]: the stored genesis
  (chain id and params) and the block records of the last `window` heights up to H (block hashes
  for BLOCKHASH, a state root per height), oldest first;
- chunks 1..n, state: [[key, value] ...]: every trie node and contract code the app hash reaches
  (`evm.nodes.state_keys`, in its walk order), each chunk at most CHUNK_BYTES (a single larger
  entry gets a chunk of its own);
- metadata: [app_hash, [sha256(chunk) ...]]; the snapshot hash is sha256 of the chunk hashes.

Restoring trusts only the app hash CometBFT's light client verified: every chunk must match its
hash from the metadata, every state entry must be content-addressed (keccak(value) == key), and
after the last chunk a walk from the trusted root must find every key. The state is therefore
exactly the verified one. The bookkeeping (genesis, block hashes) is not covered by the app hash:
it is taken from the snapshot's provider as it is, checked only for consistency.

Snapshots live in the same RocksDB under their own prefixes, written (and the oldest dropped) in
one batch, so pruning the state never breaks a kept snapshot.
"""

import hashlib
import json
import time
from dataclasses import dataclass, field

import rlp
import structlog
from eth_hash.auto import keccak

from ..abci import types
from ..evm.nodes import state_keys
from ..store import Store, keys
from .genesis import parse_genesis

log = structlog.get_logger(__name__)

FORMAT = 1
CHUNK_BYTES = 1 << 20      # state chunk budget; CometBFT accepts chunks up to 16 MB
_LIST_HEADER = 5           # an RLP list prefix of a payload under 4 GiB
_ENTRY_OVERHEAD = 9        # [key, value]: list prefix <= 4, key prefix 1, value prefix <= 4

ApplyResult = types.ResponseApplySnapshotChunk.Result
OfferResult = types.ResponseOfferSnapshot.Result


@dataclass(frozen=True, slots=True)
class Snapshot:
    height: int
    format: int
    chunks: int
    hash: bytes
    metadata: bytes

    def to_abci(self) -> types.Snapshot:
        return types.Snapshot(height=self.height, format=self.format, chunks=self.chunks, hash=self.hash,
                              metadata=self.metadata)


@dataclass(frozen=True, slots=True)
class Restored:
    """What a completed restore committed to the store: the app reloads its views from it."""

    height: int
    app_hash: bytes
    genesis: bytes


class SnapshotError(ValueError):
    """A snapshot's content is malformed or inconsistent with what was verified."""


# ---- taking and serving -------------------------------------------------------------------------


def _state_getter(store: Store):
    def get(key: bytes) -> bytes:
        value = store.get(keys.state_key(key))
        if value is None:
            raise SnapshotError(f"state key {key.hex()} missing")
        return value
    return get


def _bookkeeping(store: Store, height: int, app_hash: bytes, window: int) -> bytes:
    records = []
    for kept in range(max(1, height - window + 1), height + 1):
        record = store.get(keys.block_key(kept))
        if record is not None:
            records.append([kept, record])
    return rlp.encode([height, app_hash, store.get(keys.META_GENESIS) or b"", records])


def build(store: Store, height: int, app_hash: bytes, window: int) -> list[bytes]:
    """The chunks of the snapshot of committed `height` whose app hash (state root) is `app_hash`."""
    get = _state_getter(store)
    chunks = [_bookkeeping(store, height, app_hash, window)]
    entries: list[list[bytes]] = []
    size = _LIST_HEADER
    for key in state_keys(get, app_hash):
        value = get(key)
        entry_size = len(key) + len(value) + _ENTRY_OVERHEAD
        if entries and size + entry_size > CHUNK_BYTES:
            chunks.append(rlp.encode(entries))
            entries, size = [], _LIST_HEADER
        entries.append([key, value])
        size += entry_size
    if entries:
        chunks.append(rlp.encode(entries))
    return chunks


def describe(height: int, app_hash: bytes, chunks: list[bytes]) -> Snapshot:
    hashes = [hashlib.sha256(chunk).digest() for chunk in chunks]
    return Snapshot(height=height, format=FORMAT, chunks=len(chunks), hash=hashlib.sha256(b"".join(hashes)).digest(),
                    metadata=rlp.encode([app_hash, hashes]))


def take(store: Store, height: int, app_hash: bytes, keep: int, window: int) -> Snapshot:
    """Snapshot committed `height` and drop all but the newest `keep` snapshots (0: keep all), in
    one write batch."""
    started = time.perf_counter()
    chunks = build(store, height, app_hash, window)
    snapshot = describe(height, app_hash, chunks)
    puts = {keys.snapshot_key(height): rlp.encode([snapshot.format, snapshot.chunks, snapshot.hash,
                                                   snapshot.metadata])}
    for index, chunk in enumerate(chunks):
        puts[keys.snapshot_chunk_key(height, index)] = chunk
    heights = sorted({s.height for s in listed(store)} | {height})
    doomed: list[bytes] = []
    for old in heights[:-keep] if keep else []:
        doomed.append(keys.snapshot_key(old))
        doomed.extend(store.keys(keys.SNAPSHOT_CHUNK + old.to_bytes(8, "big")))
    store.write(puts, doomed)
    log.info("snapshot_taken", height=height, chunks=len(chunks), bytes=sum(map(len, chunks)),
             dropped=len(heights[:-keep]) if keep else 0,
             duration_ms=round((time.perf_counter() - started) * 1000, 1))
    return snapshot


def take_after_commit(store: Store, height: int, app_hash: bytes, keep: int, window: int) -> None:
    """Local housekeeping: a failed snapshot is logged and skipped, never a reason to stop the node
    (the block is committed already; the next interval tries again)."""
    try:
        take(store, height, app_hash, keep, window)
    except Exception:
        log.exception("snapshot_failed", height=height)


def listed(store: Store) -> list[Snapshot]:
    """The kept snapshots, oldest first."""
    found = []
    for key in store.keys(keys.SNAPSHOT):
        fmt, chunks, digest, metadata = rlp.decode(store.get(key))
        found.append(Snapshot(height=int.from_bytes(key[len(keys.SNAPSHOT):], "big"), format=_int(fmt),
                              chunks=_int(chunks), hash=digest, metadata=metadata))
    return found


def load_chunk(store: Store, height: int, fmt: int, index: int) -> bytes:
    """A kept snapshot's chunk; empty if this node has no such chunk."""
    if fmt != FORMAT or not 0 <= index < 2**32 or not 0 <= height < 2**64:
        return b""
    return store.get(keys.snapshot_chunk_key(height, index)) or b""


def _int(raw: bytes) -> int:
    return int.from_bytes(raw, "big")


# ---- restoring ----------------------------------------------------------------------------------


def offer(snapshot: types.Snapshot, trusted_app_hash: bytes, local_height: int) -> tuple[int, "Restore | None"]:
    """CometBFT's OfferSnapshot: the result and, if accepted, the restore to feed chunks to.

    A node that has committed state can take no snapshot at all: ABORT (state sync stops with an
    error an operator sees) rather than REJECT (CometBFT would go on offering every other
    snapshot, each turned down for the same reason)."""
    if local_height > 0:
        log.error("snapshot_offer_aborted", height=snapshot.height,
                  reason=f"this node has committed state up to height {local_height}")
        return OfferResult.ABORT, None
    if snapshot.format != FORMAT:
        return OfferResult.REJECT_FORMAT, None
    try:
        app_hash, hashes = rlp.decode(snapshot.metadata)
        if not isinstance(app_hash, bytes) or not all(isinstance(h, bytes) and len(h) == 32 for h in hashes):
            raise SnapshotError("malformed metadata")
    except (rlp.exceptions.RLPException, ValueError, TypeError) as exc:
        log.warning("snapshot_rejected", height=snapshot.height, reason=f"metadata: {exc}")
        return OfferResult.REJECT, None
    reason = None
    if app_hash != trusted_app_hash:
        reason = f"snapshot root {app_hash.hex()} is not the verified app hash {trusted_app_hash.hex()}"
    elif snapshot.height < 1 or snapshot.chunks != len(hashes) or len(hashes) < 1:
        reason = "chunk count does not match the metadata"
    elif hashlib.sha256(b"".join(hashes)).digest() != snapshot.hash:
        reason = "snapshot hash does not match the metadata"
    if reason is not None:
        log.warning("snapshot_rejected", height=snapshot.height, reason=reason)
        return OfferResult.REJECT, None
    log.info("snapshot_accepted", height=snapshot.height, chunks=snapshot.chunks, app_hash=app_hash.hex()[:16])
    return OfferResult.ACCEPT, Restore(snapshot.height, trusted_app_hash, list(hashes))


@dataclass(slots=True)
class Restore:
    """One accepted snapshot being restored, chunk by chunk."""

    height: int
    app_hash: bytes
    chunk_hashes: list[bytes]
    applied: set[int] = field(default_factory=set)
    genesis: bytes | None = None
    records: dict[bytes, bytes] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)

    def apply(self, store: Store, index: int, chunk: bytes, sender: str
              ) -> tuple[types.ResponseApplySnapshotChunk, Restored | None]:
        """CometBFT's ApplySnapshotChunk; the Restored record once the last chunk completed it."""
        if not 0 <= index < len(self.chunk_hashes):
            return self._reject(f"chunk index {index} out of range"), None
        if hashlib.sha256(chunk).digest() != self.chunk_hashes[index]:
            log.warning("snapshot_chunk_retry", height=self.height, chunk=index, sender=sender,
                        reason="chunk does not match its hash")
            return types.ResponseApplySnapshotChunk(
                result=ApplyResult.RETRY, refetch_chunks=[index], reject_senders=[sender] if sender else [],
            ), None
        try:
            if index == 0:
                self._bookkeeping(chunk)
            else:
                store.write(_state_entries(chunk))
        except (SnapshotError, rlp.exceptions.RLPException) as exc:
            return self._reject(f"chunk {index}: {exc}"), None
        self.applied.add(index)
        if len(self.applied) < len(self.chunk_hashes):
            return types.ResponseApplySnapshotChunk(result=ApplyResult.ACCEPT), None
        try:
            entries = sum(1 for _ in state_keys(_state_getter(store), self.app_hash))
        except SnapshotError as exc:
            return self._reject(f"incomplete state: {exc}"), None
        self._commit(store)
        log.info("snapshot_restored", height=self.height, chunks=len(self.chunk_hashes), state_keys=entries,
                 app_hash=self.app_hash.hex()[:16], duration_ms=round((time.perf_counter() - self.started) * 1000, 1))
        return (types.ResponseApplySnapshotChunk(result=ApplyResult.ACCEPT),
                Restored(self.height, self.app_hash, self.genesis))

    def _reject(self, reason: str) -> types.ResponseApplySnapshotChunk:
        log.warning("snapshot_rejected", height=self.height, reason=reason)
        return types.ResponseApplySnapshotChunk(result=ApplyResult.REJECT_SNAPSHOT)

    def _bookkeeping(self, chunk: bytes) -> None:
        """Chunk 0: consistent with the offered height and verified app hash, else SnapshotError."""
        try:
            height, app_hash, genesis, records = rlp.decode(chunk)
            height, records = _int(height), [(_int(h), record) for h, record in records]
        except (ValueError, TypeError) as exc:
            raise SnapshotError(f"malformed bookkeeping: {exc}") from None
        if height != self.height or app_hash != self.app_hash:
            raise SnapshotError("bookkeeping is for another height or app hash")
        heights = [h for h, _ in records]
        if not heights or heights != sorted(set(heights)) or heights[0] < 1 or heights[-1] != self.height:
            raise SnapshotError("block records out of order or not ending at the snapshot height")
        try:
            parse_genesis(genesis)
            for h, record in records:
                block = json.loads(record)
                if block["height"] != h or len(bytes.fromhex(block["hash"])) != 32:
                    raise SnapshotError(f"malformed block record at height {h}")
            if json.loads(records[-1][1])["app_hash"] != self.app_hash.hex():
                raise SnapshotError("the block record of the snapshot height has another app hash")
        except SnapshotError:
            raise
        except Exception as exc:
            raise SnapshotError(f"bookkeeping: {exc!r}") from None
        self.genesis = genesis
        self.records = {keys.block_key(h): record for h, record in records}

    def _commit(self, store: Store) -> None:
        """The bookkeeping that makes the restored state this node's committed height, in one batch."""
        puts = dict(self.records)
        puts[keys.META_GENESIS] = self.genesis
        puts[keys.META_HEIGHT] = self.height.to_bytes(8, "big")
        puts[keys.META_APP_HASH] = self.app_hash
        puts[keys.META_STATE_ROOT] = self.app_hash
        puts[keys.META_RESTORED_AT] = self.height.to_bytes(8, "big")
        store.write(puts)


def _state_entries(chunk: bytes) -> dict[bytes, bytes]:
    """A state chunk's entries as store writes; SnapshotError unless each is content-addressed."""
    puts = {}
    for entry in rlp.decode(chunk):
        if not isinstance(entry, list) or len(entry) != 2 or not all(isinstance(x, bytes) for x in entry):
            raise SnapshotError("malformed state entry")
        key, value = entry
        if keccak(value) != key:
            raise SnapshotError(f"state entry {key.hex()[:16]} is not keccak(value)")
        puts[keys.state_key(key)] = value
    return puts
