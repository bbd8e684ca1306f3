"""A block's accounts read ahead, a trie level at a time (issue 15).

With millions of accounts most of a block's senders and recipients are in no cache, and reading
one walks about seven trie nodes, one RocksDB get after the other. Their addresses are known
before the block runs (the decoded transactions), so the nodes on all their paths are read
first, one MultiGet per level of the trie, several times cheaper a node than single gets; the
block then reads them from memory. Only what is read changes, never what: nodes are addressed
by their hash.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable

import rlp

from .trie_batch import split_hex_prefix

HASH_SIZE = 32


def nodes_on_paths(get_many: Callable[[list[bytes]], list[bytes | None]], root: bytes,
                   keys: Iterable[bytes]) -> dict[bytes, bytes]:
    """The stored nodes (hash -> RLP) on the paths from `root` to `keys` in a trie (those that
    exist: a path may end early, at a leaf or a missing child)."""
    found: dict[bytes, bytes] = {}
    paths = sorted({key.hex() for key in keys})
    frontier: dict[bytes, list[str]] = {root: paths} if paths else {}
    while frontier:
        hashes = list(frontier)
        for node_hash, value in zip(hashes, get_many(hashes)):
            if value is not None:
                found[node_hash] = value
        below: dict[bytes, list[str]] = defaultdict(list)
        for node_hash, paths in frontier.items():
            if node_hash in found:
                _follow(rlp.decode(found[node_hash]), paths, below)
        frontier = {node_hash: paths for node_hash, paths in below.items() if node_hash not in found}
    return found


def _follow(node: list, paths: list[str], below: dict[bytes, list[str]]) -> None:
    """Add to `below` the stored children of `node` that `paths` (relative to it) go through."""
    if len(node) == 17:
        by_nibble: dict[int, list[str]] = defaultdict(list)
        for path in paths:
            if path:
                by_nibble[int(path[0], 16)].append(path[1:])
        for nibble, rest in by_nibble.items():
            _child(node[nibble], rest, below)
    elif len(node) == 2:
        prefix, is_leaf = split_hex_prefix(node[0])
        if not is_leaf:
            _child(node[1], [path[len(prefix):] for path in paths if path.startswith(prefix)], below)


def _child(ref, paths: list[str], below: dict[bytes, list[str]]) -> None:
    if not paths:
        return
    if isinstance(ref, list):
        _follow(ref, paths, below)  # embedded in its parent
    elif len(ref) == HASH_SIZE:
        below[ref].extend(paths)
