"""History pruning: block records and receipts older than the last `keep_blocks` blocks go.

Receipts (with tx lookups: a receipt is found by its tx hash) and block records grow with every
block; a node that is not an archive (keep_blocks 0) keeps the last `keep_blocks` of them. Each
block deletes the record of the block that left the window and the receipts it lists, in its own
atomic write: the cost per block is one block's, never a scan. After keep_blocks is lowered, up
to MAX_BLOCKS_PER_BLOCK old blocks go per block until the window is reached.

Queries below the kept history answer QUERY_PRUNED; a tx hash that is not found may be pruned
or unknown, and its answer says from which height this node has receipts.
"""

import json

from ..store import Store, keys
from .pruning import restored_from

MAX_BLOCKS_PER_BLOCK = 8


def oldest_block(store: Store) -> int:
    """The oldest height whose block record and receipts this node has: the pruned history's
    start, else the first block it executed (a restored node's: its snapshot height + 1)."""
    return pruned_below(store) or _first_record(store)


def pruned_below(store: Store) -> int:
    """The height below which history pruning deleted the records; 0 if it deleted none."""
    stored = store.get(keys.META_HISTORY_FROM)
    return int.from_bytes(stored, "big") if stored is not None else 0


def _first_record(store: Store) -> int:
    restored = restored_from(store)
    return restored[0] + 1 if restored else 1


def stage(store: Store, height: int, keep_blocks: int) -> dict[bytes, bytes | None]:
    """The writes that drop the history block `height` pushes out of the window."""
    if not keep_blocks:
        return {}
    oldest, window_from = oldest_block(store), height - keep_blocks + 1
    if oldest >= window_from:
        return {}
    new_oldest = min(window_from, oldest + MAX_BLOCKS_PER_BLOCK)
    writes: dict[bytes, bytes | None] = {keys.META_HISTORY_FROM: new_oldest.to_bytes(8, "big")}
    for old in range(oldest, new_oldest):
        record = store.get(keys.block_key(old))
        if record is not None:
            writes[keys.block_key(old)] = None
            for tx_hash in json.loads(record)["txs"]:
                writes[keys.receipt_key(bytes.fromhex(tx_hash[2:]))] = None
    return writes


def pruned_log(store: Store) -> str:
    return (f"this node has blocks and receipts from height {oldest_block(store)} on (keep_blocks, or where it "
            "was state-synced); ask an archive node")
