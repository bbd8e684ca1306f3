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


def first_state_height(store: Store) -> int:
    """The oldest height whose state this node ever had: the snapshot height of a state-synced
    node (its older block records name roots it never received), else 1."""
    restored_at = store.get(keys.META_RESTORED_AT)
    return int.from_bytes(restored_at, "big") if restored_at else 1


def kept_roots(store: Store, height: int, keep_recent: int) -> list[bytes]:
    """The state roots of the last `keep_recent` committed blocks this node has, newest first."""
    roots = []
    for kept in range(height, max(first_state_height(store) - 1, height - keep_recent), -1):
        record = store.get(keys.block_key(kept))
        if record is not None:
            roots.append(bytes.fromhex(json.loads(record)["app_hash"]))
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
