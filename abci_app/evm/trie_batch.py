"""One state commitment per block: a batch of trie updates applied bottom up (issue 8).

py-trie sets keys one at a time, and every set re-encodes and re-hashes each node on the path to
the root, so the top of the trie is hashed once per changed account. Here the sorted batch walks
the trie once: every node the batch touches is rebuilt once, and encoded and hashed once, when
its parent (or the root) refers to it. The result is the same Merkle-Patricia trie, byte for byte
(tests/evm/test_trie_batch.py checks it against py-trie). New nodes are written; none are deleted
(old versions stay until pruning, app/pruning.py).
"""

from collections.abc import Mapping, MutableMapping

import rlp
from eth_hash.auto import keccak
from trie.constants import (
    BLANK_NODE,
    BLANK_NODE_HASH,
    NODE_TYPE_BLANK,
    NODE_TYPE_BRANCH,
    NODE_TYPE_EXTENSION,
    NODE_TYPE_LEAF,
)
from trie.utils.nibbles import bytes_to_nibbles
from trie.utils.nodes import compute_extension_key, compute_leaf_key, decode_node, extract_key, get_node_type

Path = tuple[int, ...]
Changes = list[tuple[Path, bytes | None]]  # sorted by path; None (or b"") deletes


def apply_batch(db: MutableMapping[bytes, bytes], root_hash: bytes, changes: Mapping[bytes, bytes | None]) -> bytes:
    """The root hash after setting every key of `changes` to its value (None or b"" deletes it)
    in the trie at `root_hash`, whose nodes are in `db`; the new nodes are written to `db`."""
    batch = _Batch(db)
    items = sorted((bytes_to_nibbles(key), value or None) for key, value in changes.items())
    root = batch.update(batch.resolve(root_hash), items) if items else batch.resolve(root_hash)
    if root == BLANK_NODE:
        return BLANK_NODE_HASH
    encoded = rlp.encode(root)
    root_hash = keccak(encoded)  # the root is always stored by hash, however small
    db[root_hash] = encoded
    return root_hash


class _Batch:
    def __init__(self, db: MutableMapping[bytes, bytes]) -> None:
        self.db = db

    def resolve(self, ref):
        """A child reference (hash, embedded node or blank) as a node."""
        if ref == BLANK_NODE or ref == BLANK_NODE_HASH:
            return BLANK_NODE
        if isinstance(ref, list):
            return ref
        return decode_node(self.db[ref])

    def ref(self, node):
        """How a parent refers to `node`: embedded below 32 bytes, else by hash (written once)."""
        if node == BLANK_NODE:
            return BLANK_NODE
        encoded = rlp.encode(node)
        if len(encoded) < 32:
            return node
        node_hash = keccak(encoded)
        self.db[node_hash] = encoded
        return node_hash

    def update(self, node, changes: Changes):
        """`node` with `changes` (paths relative to it) applied: the new node, not yet encoded."""
        kind = get_node_type(node)
        if kind == NODE_TYPE_BLANK:
            return self.build([(path, value) for path, value in changes if value is not None])
        if kind == NODE_TYPE_LEAF:
            merged = {extract_key(node): node[1]}
            for path, value in changes:
                if value is None:
                    merged.pop(path, None)
                else:
                    merged[path] = value
            return self.build(sorted(merged.items()))
        if kind == NODE_TYPE_EXTENSION:
            return self._update_extension(node, changes)
        return self._update_branch(node, changes)

    def _update_extension(self, node, changes: Changes):
        prefix = extract_key(node)
        size = len(prefix)
        if all(path[:size] == prefix for path, _ in changes):
            child = self.update(self.resolve(node[1]), [(path[size:], value) for path, value in changes])
            return self.extension(prefix, child)
        # Some change leaves the shared prefix: the same subtree as a branch at its first nibble.
        branch = [BLANK_NODE] * 17
        branch[prefix[0]] = node[1] if size == 1 else self.ref([compute_extension_key(prefix[1:]), node[1]])
        return self._update_branch(branch, changes)

    def _update_branch(self, node, changes: Changes):
        branch = list(node)
        groups: dict[int, Changes] = {}
        for path, value in changes:
            if path:
                groups.setdefault(path[0], []).append((path[1:], value))
            else:
                branch[16] = value or BLANK_NODE
        for nibble, sub in groups.items():
            branch[nibble] = self.ref(self.update(self.resolve(branch[nibble]), sub))
        return self._normalize(branch)

    def _normalize(self, branch):
        """A branch left with one entry becomes a leaf or an extension, as the trie requires."""
        children = [nibble for nibble in range(16) if branch[nibble] != BLANK_NODE]
        value = branch[16]
        if len(children) + bool(value) >= 2:
            return branch
        if not children:
            return [compute_leaf_key(()), value] if value else BLANK_NODE
        nibble = children[0]
        return self.extension((nibble,), self.resolve(branch[nibble]))

    def extension(self, prefix: Path, child):
        """`child` below `prefix`, merged into it when the child is itself a leaf or extension."""
        kind = get_node_type(child)
        if kind == NODE_TYPE_BLANK:
            return BLANK_NODE
        if kind == NODE_TYPE_LEAF:
            return [compute_leaf_key(prefix + extract_key(child)), child[1]]
        if kind == NODE_TYPE_EXTENSION:
            return [compute_extension_key(prefix + extract_key(child)), child[1]]
        if not prefix:
            return child
        return [compute_extension_key(prefix), self.ref(child)]

    def build(self, items: list[tuple[Path, bytes]]):
        """A fresh subtrie holding `items` (sorted, distinct paths, no deletions)."""
        if not items:
            return BLANK_NODE
        if len(items) == 1:
            path, value = items[0]
            return [compute_leaf_key(path), value]
        first, last = items[0][0], items[-1][0]
        common = 0
        while common < min(len(first), len(last)) and first[common] == last[common]:
            common += 1
        if common:
            return self.extension(first[:common], self.build([(path[common:], value) for path, value in items]))
        branch = [BLANK_NODE] * 17
        groups: dict[int, list[tuple[Path, bytes]]] = {}
        for path, value in items:
            if path:
                groups.setdefault(path[0], []).append((path[1:], value))
            else:
                branch[16] = value
        for nibble, sub in groups.items():
            branch[nibble] = self.ref(self.build(sub))
        return branch
