"""Reading ahead finds every stored node a lookup of each key reads (and nothing off the paths)."""

from hypothesis import given, settings, strategies as st
from trie import HexaryTrie
from trie.constants import BLANK_NODE_HASH

from abci_app.evm.prefetch import nodes_on_paths
from abci_app.evm.trie_batch import apply_batch

keys32 = st.binary(min_size=32, max_size=32)


class _Recording(dict):
    def __init__(self, db: dict) -> None:
        super().__init__(db)
        self.read: set[bytes] = set()

    def __getitem__(self, key: bytes) -> bytes:
        self.read.add(key)
        return super().__getitem__(key)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(keys32, st.binary(min_size=1, max_size=40), max_size=60), st.lists(keys32, max_size=10),
       st.integers(0, 59))
def test_the_nodes_read_ahead_are_those_each_lookup_reads(items, absent, picked):
    db: dict = {}
    root = apply_batch(db, BLANK_NODE_HASH, items)
    wanted = absent + list(items)[picked:picked + 5]
    found = nodes_on_paths(lambda hashes: [db.get(h) for h in hashes], root, wanted)
    recording = _Recording(db)
    trie = HexaryTrie(recording, root)
    for key in wanted:
        assert trie.get(key) == items.get(key, b"")
    assert set(found) == recording.read - {BLANK_NODE_HASH} or (not items and not found)
    assert all(db[node] == value for node, value in found.items())
