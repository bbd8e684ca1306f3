"""One state commitment per block: a batch of trie updates applied bottom up (issue 8).

py-trie sets keys one at a time, and every set re-encodes and re-hashes each node on the path to
the root, so the top of the trie is hashed once per changed account. Here the sorted batch walks
the trie once: every node the batch touches is rebuilt once, and encoded and hashed once, when
its parent (or the root) refers to it. The result is the same Merkle-Patricia trie, byte for byte
(tests/evm/test_trie_batch.py checks it against py-trie). New nodes are written; none are deleted
(old versions stay until pruning, app/pruning.py).

A NodeJournal, if given, records what pruning needs: every stored node the batch places at a
position of the trie (`inserted`), and every stored node it takes out of one (`removed`), each
once per position, so a node shared by two positions is counted twice.

Paths are hex strings (one character per nibble), so slicing, comparing and grouping them is
done by str in C rather than by tuples of ints.
"""

from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from itertools import chain, groupby, islice

import rlp
from rlp.codec import encode_raw
from eth_hash.auto import keccak

BLANK = b""
BLANK_ROOT = keccak(rlp.encode(b""))
LEAF_FLAG = 2
ODD_FLAG = 1

Changes = list[tuple[str, bytes | None]]  # sorted by path; None deletes


@dataclass(slots=True)
class NodeJournal:
    """The stored nodes a block placed in its tries and took out of them (with repeats)."""

    inserted: list[bytes] = field(default_factory=list)
    removed: list[bytes] = field(default_factory=list)

    def copy(self) -> "NodeJournal":
        return NodeJournal(list(self.inserted), list(self.removed))


def apply_batch(db: MutableMapping[bytes, bytes], root_hash: bytes, changes: Mapping[bytes, bytes | None],
                journal: NodeJournal | None = None) -> bytes:
    """The root hash after setting every key of `changes` to its value (None or b"" deletes it)
    in the trie at `root_hash`, whose nodes are in `db`; the new nodes are written to `db` (and,
    with the nodes replaced, recorded in `journal`)."""
    batch = _Batch(db, journal if journal is not None else NodeJournal())
    items = sorted((key.hex(), value or None) for key, value in changes.items())
    return batch.store_root(batch.update(batch.resolve(root_hash), items) if items else batch.resolve(root_hash))


SORTED_GROUP = 4096  # items built in one piece; above it, a streamed build splits by the next nibble


def build_sorted(db: MutableMapping[bytes, bytes], items: Iterable[tuple[bytes, bytes]]) -> bytes:
    """The root hash of a fresh trie holding `items` ((key, value), keys distinct and in
    ascending order, values not empty), its nodes written to `db` as they are finished.

    The bulk genesis (issue 15): the items stream by, split by leading nibbles until a group is
    small enough to build in one piece, so memory holds a few groups rather than the trie, and
    no node is encoded twice. No journal: the nodes are recorded as placed by whoever makes them
    part of a state (app/pruning.py)."""
    batch = _Batch(db, None)
    return batch.store_root(batch.build_stream((key.hex(), value) for key, value in items))


def hex_prefix(path: str, leaf: bool) -> bytes:
    """The compact (hex-prefix) encoding of a leaf's or extension's path."""
    flag = LEAF_FLAG if leaf else 0
    if len(path) % 2:
        return bytes.fromhex(f"{flag | ODD_FLAG:x}{path}")
    return bytes.fromhex(f"{flag:x}0{path}")


def split_hex_prefix(encoded: bytes) -> tuple[str, bool]:
    """(path, is leaf) from a hex-prefix encoded path."""
    hexed = encoded.hex()
    flag = int(hexed[0], 16)
    return (hexed[1:] if flag & ODD_FLAG else hexed[2:]), bool(flag & LEAF_FLAG)


def leaf(path: str, value: bytes) -> list:
    return [hex_prefix(path, True), value]


class _Batch:
    def __init__(self, db: MutableMapping[bytes, bytes], journal: NodeJournal | None) -> None:
        self.db = db
        self.journal = journal

    def store_root(self, root) -> bytes:
        """The root node's hash; the root is always stored by hash, however small."""
        if root == BLANK:
            return BLANK_ROOT
        encoded = encode_raw(root)
        root_hash = keccak(encoded)
        self.db[root_hash] = encoded
        if self.journal is not None:
            self.journal.inserted.append(root_hash)
        return root_hash

    def resolve(self, ref):
        """A child reference (hash, embedded node or blank) as a node, taken out of its position:
        whatever the batch puts there instead (the same node, maybe) goes back through `ref`."""
        if ref == BLANK or ref == BLANK_ROOT:
            return BLANK
        if isinstance(ref, list):
            return ref
        if self.journal is not None:
            self.journal.removed.append(ref)
        return rlp.decode(self.db[ref])

    def ref(self, node):
        """How a parent refers to `node`: embedded below 32 bytes, else by hash (written once)."""
        if node == BLANK:
            return BLANK
        encoded = encode_raw(node)
        if len(encoded) < 32:
            return node
        node_hash = keccak(encoded)
        self.db[node_hash] = encoded
        if self.journal is not None:
            self.journal.inserted.append(node_hash)
        return node_hash

    def update(self, node, changes: Changes):
        """`node` with `changes` (paths relative to it) applied: the new node, not yet encoded."""
        if node == BLANK:
            return self.build([(path, value) for path, value in changes if value is not None])
        if len(node) == 17:
            return self._update_branch(node, changes)
        path, is_leaf = split_hex_prefix(node[0])
        if is_leaf:
            merged = {path: node[1]}
            for change, value in changes:
                if value is None:
                    merged.pop(change, None)
                else:
                    merged[change] = value
            return self.build(sorted(merged.items()))
        return self._update_extension(path, node[1], changes)

    def _update_extension(self, prefix: str, child_ref, changes: Changes):
        size = len(prefix)
        if all(path.startswith(prefix) for path, _ in changes):
            child = self.update(self.resolve(child_ref), [(path[size:], value) for path, value in changes])
            return self.extension(prefix, child)
        # Some change leaves the shared prefix: the same subtree as a branch at its first nibble.
        branch = [BLANK] * 17
        branch[int(prefix[0], 16)] = child_ref if size == 1 else self.ref([hex_prefix(prefix[1:], False), child_ref])
        return self._update_branch(branch, changes)

    def _update_branch(self, node, changes: Changes):
        branch = list(node)
        for nibble, sub in self._by_first_nibble(changes, branch).items():
            branch[nibble] = self.ref(self.update(self.resolve(branch[nibble]), sub))
        return self._normalize(branch)

    @staticmethod
    def _by_first_nibble(items: list, branch: list) -> dict[int, list]:
        """Items grouped by their path's first nibble (the rest of the path kept); an item with
        an empty path is the branch's own value."""
        groups: dict[int, list] = {}
        for path, value in items:
            if path:
                groups.setdefault(int(path[0], 16), []).append((path[1:], value))
            else:
                branch[16] = value or BLANK
        return groups

    def _normalize(self, branch):
        """A branch left with one entry becomes a leaf or an extension, as the trie requires."""
        children = [nibble for nibble in range(16) if branch[nibble] != BLANK]
        value = branch[16]
        if len(children) + bool(value) >= 2:
            return branch
        if not children:
            return leaf("", value) if value else BLANK
        nibble = children[0]
        return self.extension(f"{nibble:x}", self.resolve(branch[nibble]))

    def extension(self, prefix: str, child):
        """`child` below `prefix`, merged into it when the child is itself a leaf or extension."""
        if child == BLANK:
            return BLANK
        if len(child) == 2:
            path, is_leaf = split_hex_prefix(child[0])
            return [hex_prefix(prefix + path, is_leaf), child[1]]
        if not prefix:
            return child
        return [hex_prefix(prefix, False), self.ref(child)]

    def build(self, items: list[tuple[str, bytes]]):
        """A fresh subtrie holding `items` (sorted, distinct paths, no deletions)."""
        if not items:
            return BLANK
        if len(items) == 1:
            return leaf(*items[0])
        first, last = items[0][0], items[-1][0]
        common = 0
        while common < min(len(first), len(last)) and first[common] == last[common]:
            common += 1
        if common:
            return self.extension(first[:common], self.build([(path[common:], value) for path, value in items]))
        branch = [BLANK] * 17
        for nibble, sub in self._by_first_nibble(items, branch).items():
            branch[nibble] = self.ref(self.build(sub))
        return branch

    def build_stream(self, items: Iterator[tuple[str, bytes]]):
        """`build` of a sorted stream of items, a group of at most SORTED_GROUP at a time."""
        head = list(islice(items, SORTED_GROUP + 1))
        if len(head) <= SORTED_GROUP:
            return self.build(head)
        children = {}
        for nibble, group in groupby(chain(head, items), key=lambda item: item[0][0]):
            children[int(nibble, 16)] = self.build_stream((path[1:], value) for path, value in group)
        if len(children) == 1:
            [(nibble, child)] = children.items()
            return self.extension(f"{nibble:x}", child)
        branch = [BLANK] * 17
        for nibble, child in children.items():
            branch[nibble] = self.ref(child)
        return branch
