"""Where everything lives in the key-value store. One prefix per kind of record.

State keys (py-evm trie nodes and code, addressed by hash) are namespaced so that nothing else
can collide with them; the rest is the app's own bookkeeping, outside the app hash.
"""

STATE = b"s"
META_HEIGHT = b"m/height"
META_APP_HASH = b"m/app_hash"
META_STATE_ROOT = b"m/state_root"
META_GENESIS = b"m/genesis"
RECEIPT = b"r/"
BLOCK = b"b/"
# State-sync snapshots: outside STATE (b"s"), so pruning never touches a kept snapshot.
SNAPSHOT = b"n/"                        # + height: the snapshot's record (format, chunks, hash, metadata)
SNAPSHOT_CHUNK = b"c/"                  # + height + index: its chunks
META_RESTORED_AT = b"m/restored_at"     # height + state root of the snapshot this node was restored from


def state_key(key: bytes) -> bytes:
    return STATE + key


def receipt_key(tx_hash: bytes) -> bytes:
    return RECEIPT + tx_hash


def block_key(height: int) -> bytes:
    return BLOCK + height.to_bytes(8, "big")


def snapshot_key(height: int) -> bytes:
    return SNAPSHOT + height.to_bytes(8, "big")


def snapshot_chunk_key(height: int, index: int) -> bytes:
    return SNAPSHOT_CHUNK + height.to_bytes(8, "big") + index.to_bytes(4, "big")
# Incremental pruning (app/pruning.py): a stored node's count of trie positions, when above 1; each
# block's journal of the nodes it took out of the tries; the oldest version pruning left whole;
# the marker of a store whose counts are complete (kept since its genesis or restore).
NODE_COUNT = b"k/"                      # + node hash: its count (big-endian), absent when 1
PRUNE_JOURNAL = b"j/"                   # + height: the 32-byte hashes block `height` took out
META_WHOLE_FROM = b"m/whole_from"       # older versions may miss nodes
META_NODE_COUNTS = b"m/node_counts"


def node_count_key(node: bytes) -> bytes:
    return NODE_COUNT + node


def prune_journal_key(height: int) -> bytes:
    return PRUNE_JOURNAL + height.to_bytes(8, "big")
META_HISTORY_FROM = b"m/history_from"
RECENT_TIPS = b"t/"                     # + height % 20: a block's lowest tips (app/fee_oracle.py)


def recent_tips_key(slot: int) -> bytes:
    return RECENT_TIPS + bytes([slot])   # history pruning (app/history.py): the oldest block record kept
