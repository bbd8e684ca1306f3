"""Pruning: delete the state versions older than the last `keep_recent` blocks.

Trie nodes are shared between versions, so a node may go only when no kept version reaches it.
Every `keep_recent` blocks, after Commit, a mark and sweep: mark every key the kept roots reach
(`evm.nodes.state_keys`, shared subtrees walked once), then delete every other state key in one
batch. The cost is about one walk of the live state per `keep_recent` blocks; a crash in between
leaves only garbage for the next sweep, never a missing node.
"""

import json

import structlog

from ..evm.nodes import state_keys
from ..store import Store, keys

log = structlog.get_logger(__name__)


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


def kept_roots(store: Store, height: int, keep_recent: int) -> list[bytes]:
    """The state roots of the last `keep_recent` committed blocks this node has, newest first."""
    roots = []
    for kept in range(height, max(first_state_height(store) - 1, height - keep_recent), -1):
        root = state_root_at(store, kept)
        if root is not None:
            roots.append(root)
    return roots


def prune(store: Store, roots: list[bytes]) -> int:
    """Delete every state key none of `roots` reaches; returns how many were deleted."""
    live: set[bytes] = set()
    for root in roots:
        for _ in state_keys(lambda key: store.get(keys.state_key(key)), root, live):
            pass
    doomed = [key for key in store.keys(keys.STATE) if key[len(keys.STATE):] not in live]
    store.write({}, doomed)
    return len(doomed)


def oldest_kept(store: Store, height: int, keep_recent: int) -> int:
    """The oldest height whose state this node can still answer for."""
    first = first_state_height(store)
    return first if keep_recent == 0 else max(first, height - keep_recent + 1)
