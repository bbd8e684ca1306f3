"""Pruning: the state versions older than the last `keep_recent` blocks go, a block at a time.

Trie nodes are shared between versions and between positions of a trie, so a node may go only
when no kept version has it anywhere. Each block's trie batches record the stored nodes they
place at a position and those they take out of one (evm/trie_batch.py NodeJournal), and each
stored node has a count of its positions:

- a block's placements add to their nodes' counts at once;
- its take-outs are kept as the block's journal, and subtracted when the version before the
  block leaves the window (after block `b + keep_recent - 1` for block b's journal): until then a
  kept version still has those nodes;
- a node whose count reaches 0 is deleted.

Every node of a kept version is at a position whose take-out is not yet subtracted, so its count
is at least 1: pruning never deletes what a kept root reaches (tests/app/test_pruning_invariant.py).
Most nodes have one position, so a count of 1 is not stored: a stored node without a count has
count 1, and a placement reads whether the node is stored already. Code is recorded as placed and
never taken out: it is never deleted.

The work is computed at the end of FinalizeBlock and written in the block's own atomic batch, so
a crash leaves both or neither. Its cost is proportional to what this block placed and what the
block leaving the window took out; never a walk of the state. A store without complete counts
(from before this scheme, or a restore that has not counted) is not pruned.
"""

import json
from collections import Counter

import structlog

from eth.constants import BLANK_ROOT_HASH, EMPTY_SHA3

from ..evm.nodes import walk_trie
from ..store import Store, keys

log = structlog.get_logger(__name__)

HASH_SIZE = 32
PINNED = 1 << 32             # a restored code's count: code is never taken out (see restored_counts)
MAX_JOURNALS_PER_BLOCK = 2   # a lowered keep_recent catches up one extra block's journal a block


def restored_marker(height: int, state_root: bytes) -> bytes:
    """The value of META_RESTORED_AT: the height of the snapshot a node was restored from and its
    state root (the light client's app hash)."""
    return height.to_bytes(8, "big") + state_root


def restored_from(store: Store) -> tuple[int, bytes] | None:
    """(height, state root) of the snapshot this node was state-synced from; None if it was not."""
    marker = store.get(keys.META_RESTORED_AT)
    return (int.from_bytes(marker[:8], "big"), marker[8:]) if marker else None


def first_state_height(store: Store) -> int:
    """The oldest height whose state this node ever had: the snapshot height of a state-synced
    node, else 1."""
    restored = restored_from(store)
    return restored[0] if restored else 1


def state_root_at(store: Store, height: int) -> bytes | None:
    """The state root after committed block `height`: its block record's, or for a restored node's
    snapshot height the snapshot's (a restored node has no records of the blocks up to it)."""
    record = store.get(keys.block_key(height))
    if record is not None:
        return bytes.fromhex(json.loads(record)["app_hash"])
    restored = restored_from(store)
    return restored[1] if restored is not None and restored[0] == height else None


def oldest_kept(store: Store) -> int:
    """The oldest height whose state this node can still answer for."""
    return max(first_state_height(store), _whole_from(store))


def _whole_from(store: Store) -> int:
    """The oldest version pruning has left whole: the journals of later blocks are not yet
    subtracted. Before any: the genesis state (0), or a restored node's snapshot height."""
    stored = store.get(keys.META_WHOLE_FROM)
    if stored is not None:
        return int.from_bytes(stored, "big")
    restored = restored_from(store)
    return restored[0] if restored else 0


def genesis_marks(initial_height: int) -> dict[bytes, bytes]:
    """What InitChain stores for pruning: the counts are complete from the genesis on."""
    return {keys.META_NODE_COUNTS: b"1", keys.META_WHOLE_FROM: (initial_height - 1).to_bytes(8, "big")}


def restored_counts(get, storage_roots: Counter, code_hashes: set[bytes]) -> dict[bytes, bytes]:
    """The count writes of a restored state (and the marker that its counts are complete), from
    the accounts' storage roots (how many accounts have each) and codes the restore walk found.

    Account trie nodes each sit at one position (their keys are keccak hashes): count 1, not
    stored. A storage trie's nodes sit once in it, but tries of several accounts (clones, equal
    slots) may share the whole trie or subtrees: each trie's nodes are counted once per account
    having that trie. Code gets a count no take-out reaches, as a block's placement of code
    never is taken out (its key may be a trie node's too)."""
    positions: Counter = Counter()
    for root, accounts in storage_roots.items():
        if root != BLANK_ROOT_HASH:
            for node in walk_trie(get, root, set()):
                positions[node] += accounts
    for code_hash in code_hashes - {EMPTY_SHA3}:
        positions[code_hash] += PINNED
    writes = {keys.node_count_key(node): count.to_bytes(8, "big") for node, count in positions.items() if count > 1}
    writes[keys.META_NODE_COUNTS] = b"1"
    return writes


def stage(store: Store, height: int, placed: list[bytes], taken_out: list[bytes], keep_recent: int
          ) -> dict[bytes, bytes | None]:
    """The store writes of block `height`'s pruning: the counts of the nodes it `placed`, its
    journal of those it `taken_out` (kept while keep_recent > 0), and the subtraction of the
    journals of the blocks whose previous version left the window (deleting the nodes they free).

    A node the block placed and took out again that was not stored before (a step of the batch,
    in no version) is settled at once: never written, and out of the journal."""
    writes: dict[bytes, bytes | None] = {}
    counts = _Counts(store)
    deltas, taken = Counter(placed), Counter(taken_out)
    counts.read(deltas, placed=deltas)
    for node in deltas.keys() & taken.keys():
        if counts.get(node) == 0:
            deltas[node] -= taken.pop(node)
    if keep_recent:
        whole_from, oldest_to_keep = _whole_from(store), height - keep_recent + 1
        behind, applied = False, 0
        for key in store.keys(keys.PRUNE_JOURNAL, start=keys.prune_journal_key(whole_from + 1)):
            due_height = int.from_bytes(key[len(keys.PRUNE_JOURNAL):], "big")
            if due_height > oldest_to_keep:
                break
            if applied == MAX_JOURNALS_PER_BLOCK:
                behind = True
                break
            deltas.subtract(_hashes(store.get(key)))
            writes[key] = None
            whole_from, applied = due_height, applied + 1
        if not behind and whole_from < oldest_to_keep:
            if oldest_to_keep == height:  # keep_recent 1: this block's own journal is due now
                deltas.subtract(taken)
                taken = Counter()
            whole_from = oldest_to_keep
        writes[keys.META_WHOLE_FROM] = whole_from.to_bytes(8, "big")
        if taken:
            writes[keys.prune_journal_key(height)] = b"".join(node * times for node, times in sorted(taken.items()))
    counts.read([node for node, delta in deltas.items() if delta < 0], placed=())
    for node, delta in deltas.items():
        counts.add(node, delta, writes)
    return writes


def _hashes(journal: bytes) -> list[bytes]:
    return [journal[i:i + HASH_SIZE] for i in range(0, len(journal), HASH_SIZE)]


class _Counts:
    """Stored nodes' counts, each read once: the count key, else 1 if the node is stored, else 0
    (a node a due journal took out is stored: no need to read it to know)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._read: dict[bytes, tuple[int, bool]] = {}  # node -> (count, has a count key)

    def read(self, nodes, placed) -> None:
        """Read the counts of `nodes` at once (MultiGet); of those `placed`, whether they are stored."""
        nodes = [node for node in nodes if node not in self._read]
        counts = self._store.get_many([keys.node_count_key(node) for node in nodes])
        uncounted = [node for node, count in zip(nodes, counts) if count is None and node in placed]
        stored = dict(zip(uncounted, self._store.get_many([keys.state_key(node) for node in uncounted])))
        for node, count in zip(nodes, counts):
            if count is not None:
                self._read[node] = (int.from_bytes(count, "big"), True)
            elif node in stored:
                self._read[node] = (0 if stored[node] is None else 1, False)
            else:
                self._read[node] = (1, False)  # taken out by a due journal: stored

    def get(self, node: bytes) -> int:
        return self._read[node][0]

    def add(self, node: bytes, delta: int, writes: dict[bytes, bytes | None]) -> None:
        """Add `delta` to the (read) node's count in `writes`, deleting the node when it reaches 0
        (a node never stored and left at 0 is not written at all)."""
        count, has_key = self._read[node]
        new = count + delta
        count_key = keys.node_count_key(node)
        if new < 0:  # taken out more often than it was placed: a bug; deleting nothing is safe
            log.error("prune_count_missing", node=node.hex(), count=count, delta=delta)
        elif new == 0:
            writes[keys.state_key(node)] = None
            if has_key:
                writes[count_key] = None
        elif new == 1:
            if has_key:
                writes[count_key] = None
        elif new != count:
            writes[count_key] = new.to_bytes(8, "big")
