"""State sync: snapshots of the committed state, served to and restored from CometBFT (format 3).

A snapshot at height H is the state the app hash of H commits to, plus the genesis JSON (the
state holds only its hash). Format 3, all RLP, every byte a function of the chain alone (two
nodes snapshotting the same height produce identical snapshots):

- chunk 0: [H, app_hash, genesis];
- chunks 1..n, state: [[key, value] ...]: every trie node and contract code the app hash reaches,
  depth first in key order, an account's storage trie and code right after its leaf
  (`evm.nodes.state_entries`; a storage trie or code shared by many accounts may come more than
  once), each chunk at most CHUNK_BYTES (a single larger entry gets a chunk of its own);
- metadata: [app_hash, [sha256(chunk) ...]]; the snapshot hash is sha256 of the chunk hashes.

Taking one never holds up a block: Commit only takes a RocksDB read view of H and starts a
thread (`Snapshotter`, one at a time; an interval that comes while one is built is skipped). The
view keeps what pruning deletes meanwhile; the walk holds a path, not the state; each chunk is
written as it fills, and the snapshot's record last, in one write with the dropping of old
snapshots, so only whole snapshots are listed or served. A node stopped or killed mid-way leaves
unlisted chunks, deleted before its next snapshot.

Restoring trusts only the app hash CometBFT's light client verified, and keeps only what it
proves: every chunk must match its hash from the metadata, every state entry must be
content-addressed (keccak(value) == key), after the last chunk a walk from the trusted root (the
same stream) must find every key, and the genesis must hash to what the state records
(`chain_records`). The hashes of the last 256 blocks are read from that state too; block records
(transactions, gas, proposer), which no app hash proves, are not restored: a restored node has
records of the blocks it executed, from H + 1 on. Untrusted RLP is checked for nesting depth
before it is decoded.

A restore writes each chunk as it comes and commits with one write batch after the last. Until a
block is committed on top of it, it is unconfirmed: CometBFT, killed before it recorded the
restore, offers snapshots again at its next start, and such a node takes one (a node with any
other committed state aborts state sync).

Snapshots live in the same RocksDB under their own prefixes, so pruning the state never breaks a
kept snapshot.
"""

import hashlib
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import rlp
import structlog
from eth_hash.auto import keccak
from rlp.codec import encode_raw  # lists of bytes, as rlp.encode has them, without its sedes inference

from ..abci import types
from ..evm.nodes import state_entries
from ..evm.rlp_bounds import RLPNestingError, check_rlp_nesting
from ..store import ReadView, Store, keys
from . import chain_records
from .pruning import restored_counts, restored_from, restored_marker

log = structlog.get_logger(__name__)

FORMAT = 3
CHUNK_BYTES = 1 << 20      # state chunk budget; CometBFT accepts chunks up to 16 MB
# A state chunk is at most the budget plus one entry (contract code, 24 KiB at most, or a trie
# node); anything larger is not one of ours and is refused before it is decoded.
MAX_STATE_CHUNK_BYTES = CHUNK_BYTES + (64 << 10)
ENTRY_MIN_BYTES = 35       # [32-byte key, value]: list header, key with its prefix, a value of one byte
HASH_ITEM_BYTES = 33       # a 32-byte hash with its prefix
_LIST_HEADER = 5           # an RLP list prefix of a payload under 4 GiB
_ENTRY_OVERHEAD = 9        # [key, value]: list prefix <= 4, key prefix 1, value prefix <= 4
_DELETE_BATCH = 1024       # keys deleted per write when unfinished snapshots are cleaned
PAUSE_S = 1.0              # the builder waits this long for a block to end ...
SLICE_S = 0.05             # ... then builds this long beside it before it waits again

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


class Stopped(Exception):
    """The node is closing: the snapshot being built is left unlisted (cleaned before the next)."""


def _state_getter(source, pace: Callable[[], None] | None = None):
    """get(key) of state keys in `source` (a Store or a ReadView); SnapshotError if one is missing.
    `pace` runs before every read (the builder's pause and stop point)."""
    def get(key: bytes) -> bytes:
        if pace is not None:
            pace()
        value = source.get(keys.state_key(key))
        if value is None:
            raise SnapshotError(f"state key {key.hex()} missing")
        return value
    return get


def build(get: Callable[[bytes], bytes], height: int, app_hash: bytes, genesis: bytes) -> Iterator[bytes]:
    """The chunks of the snapshot of committed `height` whose app hash (state root) is `app_hash`,
    one at a time (`get`: that height's state keys)."""
    yield rlp.encode([height, app_hash, genesis])
    entries: list[list[bytes]] = []
    size = _LIST_HEADER
    for key, value in state_entries(get, app_hash):
        entry_size = len(key) + len(value) + _ENTRY_OVERHEAD
        if entries and size + entry_size > CHUNK_BYTES:
            yield encode_raw(entries)
            entries, size = [], _LIST_HEADER
        entries.append([key, value])
        size += entry_size
    if entries:
        yield encode_raw(entries)


def describe(height: int, app_hash: bytes, chunks: list[bytes]) -> Snapshot:
    return _described(height, app_hash, [hashlib.sha256(chunk).digest() for chunk in chunks])


def _described(height: int, app_hash: bytes, hashes: list[bytes]) -> Snapshot:
    return Snapshot(height=height, format=FORMAT, chunks=len(hashes), hash=hashlib.sha256(b"".join(hashes)).digest(),
                    metadata=rlp.encode([app_hash, hashes]))


def take(store: Store, view: ReadView, height: int, app_hash: bytes, keep: int,
         pace: Callable[[], None] | None = None) -> Snapshot:
    """Snapshot committed `height` from `view` (the store as of that height) into `store`. Each
    chunk is its own write as it fills; the record comes last, in one write with the dropping of
    all but the newest `keep` snapshots (0: keep all), so a listed snapshot is always whole."""
    started = time.perf_counter()
    _drop_unlisted_chunks(store)
    hashes: list[bytes] = []
    size = 0
    for index, chunk in enumerate(build(_state_getter(view, pace), height, app_hash,
                                        view.get(keys.META_GENESIS) or b"")):
        store.write({keys.snapshot_chunk_key(height, index): chunk})
        hashes.append(hashlib.sha256(chunk).digest())
        size += len(chunk)
    snapshot = _described(height, app_hash, hashes)
    heights = sorted({s.height for s in listed(store)} | {height})
    doomed: list[bytes] = []
    for old in heights[:-keep] if keep else []:
        doomed.append(keys.snapshot_key(old))
        doomed.extend(store.keys(keys.SNAPSHOT_CHUNK + old.to_bytes(8, "big")))
    store.write({keys.snapshot_key(height): rlp.encode([snapshot.format, snapshot.chunks, snapshot.hash,
                                                        snapshot.metadata])}, doomed)
    log.info("snapshot_taken", height=height, chunks=len(hashes), bytes=size,
             dropped=len(heights[:-keep]) if keep else 0,
             duration_ms=round((time.perf_counter() - started) * 1000, 1))
    return snapshot


def _drop_unlisted_chunks(store: Store) -> int:
    """Delete the chunks no record lists: those of a snapshot the node stopped (or was killed)
    while writing. Reads every chunk key once: the kept snapshots' and one unfinished one's."""
    listed_heights = {key[len(keys.SNAPSHOT):] for key in store.keys(keys.SNAPSHOT)}
    doomed: list[bytes] = []
    dropped = 0
    for key in store.keys(keys.SNAPSHOT_CHUNK):
        if key[len(keys.SNAPSHOT_CHUNK):len(keys.SNAPSHOT_CHUNK) + 8] not in listed_heights:
            doomed.append(key)
        if len(doomed) >= _DELETE_BATCH:
            store.write({}, doomed)
            dropped += len(doomed)
            doomed = []
    store.write({}, doomed)
    dropped += len(doomed)
    if dropped:
        log.info("snapshot_partial_dropped", chunks=dropped)
    return dropped


class Snapshotter:
    """Takes snapshots off the consensus thread: one at a time, each from a read view of the store
    taken at its Commit, so later blocks and pruning change nothing it reads. Python threads
    share one interpreter lock, so the builder steps aside while a block runs (FinalizeBlock to
    the end of Commit): it waits for the block up to PAUSE_S, then builds for SLICE_S beside it
    (a node replaying blocks back to back still finishes its snapshot)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._thread: threading.Thread | None = None
        self._building = 0
        self._stopping = threading.Event()
        self._quiet = threading.Event()   # set: no block in progress
        self._quiet.set()
        self._slice_end = 0.0

    def start(self, height: int, app_hash: bytes, keep: int) -> bool:
        """Begin the snapshot of `height`, just committed (call it on the commit thread); False
        if the last one is still being built (this one is skipped, the next interval tries)."""
        if self._thread is not None and self._thread.is_alive():
            log.warning("snapshot_skipped", height=height, reason=f"the snapshot of {self._building} is not done")
            return False
        view = self._store.view()
        self._building = height
        self._thread = threading.Thread(target=self._run, args=(view, height, app_hash, keep),
                                        name=f"snapshot-{height}", daemon=True)
        self._thread.start()
        return True

    def block_started(self) -> None:
        self._quiet.clear()

    def block_done(self) -> None:
        self._quiet.set()

    def wait(self, timeout: float | None = None) -> bool:
        """True once no snapshot is being built (tests, benchmarks)."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self._thread is None or not self._thread.is_alive()

    def close(self) -> None:
        """Stop a snapshot being built (within one state read) and wait for its thread."""
        self._stopping.set()
        self._quiet.set()
        self.wait()

    def _run(self, view: ReadView, height: int, app_hash: bytes, keep: int) -> None:
        """A failed snapshot is logged and skipped, never a reason to stop the node (the block is
        committed; the next interval tries again)."""
        try:
            take(self._store, view, height, app_hash, keep, self._pace)
        except Stopped:
            log.info("snapshot_stopped", height=height)
        except Exception:
            log.exception("snapshot_failed", height=height)
        finally:
            view.close()

    def _pace(self) -> None:
        if not self._quiet.is_set() and time.monotonic() >= self._slice_end:
            if not self._quiet.wait(PAUSE_S):
                self._slice_end = time.monotonic() + SLICE_S
        if self._stopping.is_set():
            raise Stopped


def listed(store: Store) -> list[Snapshot]:
    """The kept snapshots, oldest first."""
    found = []
    for key in store.keys(keys.SNAPSHOT):
        record = store.get(key)
        if record is None:  # dropped by the snapshot thread since the key was read
            continue
        fmt, chunks, digest, metadata = rlp.decode(record)
        found.append(Snapshot(height=int.from_bytes(key[len(keys.SNAPSHOT):], "big"), format=_int(fmt),
                              chunks=_int(chunks), hash=digest, metadata=metadata))
    return found


def load_chunk(store: Store, height: int, fmt: int, index: int) -> bytes:
    """A kept snapshot's chunk; empty if this node has no such chunk, or only an unfinished
    snapshot's (no record lists it yet, or ever)."""
    if fmt != FORMAT or not 0 <= index < 2**32 or not 0 <= height < 2**64:
        return b""
    if store.get(keys.snapshot_key(height)) is None:
        return b""
    return store.get(keys.snapshot_chunk_key(height, index)) or b""


def _int(raw: bytes) -> int:
    return int.from_bytes(raw, "big")


# ---- restoring ----------------------------------------------------------------------------------


def unconfirmed_restore(store: Store) -> int | None:
    """The height of the restored snapshot the committed state is, if no block has been committed
    on it: CometBFT may have been stopped before it recorded the restore (it then offers snapshots
    again), or before it saved the next block (cli/statesync.py). None otherwise."""
    restored = restored_from(store)
    committed = int.from_bytes(store.get(keys.META_HEIGHT) or b"\0", "big")
    return committed if restored is not None and restored[0] == committed else None


def offer(store: Store, snapshot: types.Snapshot, trusted_app_hash: bytes, local_height: int,
          state_at: Callable[[bytes], object]) -> tuple[int, "Restore | None"]:
    """CometBFT's OfferSnapshot: the result and, if accepted, the restore to feed chunks to
    (`state_at(root)`: a read-only py-evm state, to check the restored state's chain records).

    A node that has committed state can take no snapshot at all: ABORT (state sync stops with an
    error an operator sees) rather than REJECT (CometBFT would go on offering every other
    snapshot, each turned down for the same reason). An unconfirmed restore is no such state:
    CometBFT never recorded it, so it is done again."""
    unconfirmed = unconfirmed_restore(store)
    if local_height > 0 and unconfirmed is None:
        log.error("snapshot_offer_aborted", height=snapshot.height,
                  reason=f"this node has committed state up to height {local_height}")
        return OfferResult.ABORT, None
    if snapshot.format != FORMAT:
        return OfferResult.REJECT_FORMAT, None
    try:
        app_hash, hashes = _decode(snapshot.metadata, depth=2,
                                   max_items=len(snapshot.metadata) // HASH_ITEM_BYTES + 2)
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
    log.info("snapshot_accepted", height=snapshot.height, chunks=snapshot.chunks, app_hash=app_hash.hex()[:16],
             over_unconfirmed_restore=unconfirmed)
    return OfferResult.ACCEPT, Restore(snapshot.height, trusted_app_hash, list(hashes), state_at)


@dataclass(slots=True)
class Restore:
    """One accepted snapshot being restored, chunk by chunk."""

    height: int
    app_hash: bytes
    chunk_hashes: list[bytes]
    state_at: Callable[[bytes], object]
    applied: set[int] = field(default_factory=set)
    genesis: bytes | None = None
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
                self.genesis = self._genesis(chunk)
            else:
                store.write(_state_entries(chunk))
        except (SnapshotError, rlp.exceptions.RLPException) as exc:
            return self._reject(f"chunk {index}: {exc}", sender), None
        self.applied.add(index)
        if len(self.applied) < len(self.chunk_hashes):
            return types.ResponseApplySnapshotChunk(result=ApplyResult.ACCEPT), None
        storage_roots: Counter = Counter()
        code_hashes: set[bytes] = set()

        def account(storage_root: bytes, code_hash: bytes) -> None:
            storage_roots[storage_root] += 1
            code_hashes.add(code_hash)

        try:
            entries = sum(1 for _ in state_entries(_state_getter(store), self.app_hash, on_account=account))
        except SnapshotError as exc:
            return self._reject(f"incomplete state: {exc}"), None
        if not chain_records.genesis_matches(self.state_at(self.app_hash), self.genesis):
            return self._reject("the genesis is not the one the verified state records"), None
        self._commit(store, restored_counts(_state_getter(store), storage_roots, code_hashes))
        log.info("snapshot_restored", height=self.height, chunks=len(self.chunk_hashes), state_keys=entries,
                 app_hash=self.app_hash.hex()[:16], duration_ms=round((time.perf_counter() - self.started) * 1000, 1))
        return (types.ResponseApplySnapshotChunk(result=ApplyResult.ACCEPT),
                Restored(self.height, self.app_hash, self.genesis))

    def _reject(self, reason: str, sender: str = "") -> types.ResponseApplySnapshotChunk:
        """Refuse the snapshot (and the peer that sent a chunk its metadata vouched for)."""
        log.warning("snapshot_rejected", height=self.height, reason=reason, sender=sender)
        return types.ResponseApplySnapshotChunk(result=ApplyResult.REJECT_SNAPSHOT,
                                                reject_senders=[sender] if sender else [])

    def _genesis(self, chunk: bytes) -> bytes:
        """Chunk 0's genesis JSON if the chunk is for the offered height and verified app hash, else
        SnapshotError. It is not parsed until the restored state has proven it (its hash)."""
        fields = _decode(chunk, depth=1, max_items=4)
        if not isinstance(fields, list) or len(fields) != 3:
            raise SnapshotError("chunk 0 is not [height, app hash, genesis]")
        height, app_hash, genesis = fields
        if _int(height) != self.height or app_hash != self.app_hash:
            raise SnapshotError("chunk 0 is for another height or app hash")
        return genesis

    def _commit(self, store: Store, counts: dict[bytes, bytes]) -> None:
        """What makes the restored state this node's committed height, with its node counts for
        pruning (pruning.restored_counts), in one batch."""
        store.write({
            **counts,
            keys.META_GENESIS: self.genesis,
            keys.META_HEIGHT: self.height.to_bytes(8, "big"),
            keys.META_APP_HASH: self.app_hash,
            keys.META_STATE_ROOT: self.app_hash,
            keys.META_RESTORED_AT: restored_marker(self.height, self.app_hash),
        })


def _state_entries(chunk: bytes) -> dict[bytes, bytes]:
    """A state chunk's entries as store writes; SnapshotError unless each is content-addressed."""
    puts = {}
    if len(chunk) > MAX_STATE_CHUNK_BYTES:
        raise SnapshotError(f"a state chunk of {len(chunk)} bytes, above {MAX_STATE_CHUNK_BYTES}")
    for entry in _decode(chunk, depth=2, max_items=len(chunk) // ENTRY_MIN_BYTES * 3 + 1):
        if not isinstance(entry, list) or len(entry) != 2 or not all(isinstance(x, bytes) for x in entry):
            raise SnapshotError("malformed state entry")
        key, value = entry
        if keccak(value) != key:
            raise SnapshotError(f"state entry {key.hex()[:16]} is not keccak(value)")
        puts[keys.state_key(key)] = value
    return puts


def _decode(data: bytes, depth: int, max_items: int):
    """rlp.decode of untrusted bytes whose lists nest at most `depth` deep and hold at most
    `max_items` items (the decoder recurses natively and builds an object per item: the scan
    comes first)."""
    try:
        check_rlp_nesting(data, depth, max_items)
    except RLPNestingError as exc:
        raise SnapshotError(f"RLP: {exc}") from None
    return rlp.decode(data)
