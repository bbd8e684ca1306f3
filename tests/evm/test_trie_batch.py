"""The batched trie commit builds exactly the trie py-trie builds key by key."""

from unittest.mock import patch

from hypothesis import given, settings, strategies as st
from trie import HexaryTrie
from trie.constants import BLANK_NODE_HASH

from abci_app.evm import trie_batch
from abci_app.evm.trie_batch import apply_batch, build_sorted

# Short keys make prefixes of one another, branch values and embedded (< 32 byte) nodes likely;
# 32-byte keys are the secure trie's shape.
keys = st.one_of(st.binary(min_size=1, max_size=3), st.binary(min_size=32, max_size=32))
values = st.binary(min_size=1, max_size=40)
changes = st.dictionaries(keys, st.one_of(st.none(), values), max_size=40)


def key_by_key(db: dict, root: bytes, batch: dict) -> bytes:
    trie = HexaryTrie(db, root)
    for key, value in batch.items():
        if value is None:
            del trie[key]
        else:
            trie[key] = value
    return trie.root_hash


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(keys, values, max_size=60), changes, changes)
def test_a_batch_gives_py_tries_root_and_a_readable_trie(initial, first, second):
    reference: dict = {}
    root = key_by_key(reference, BLANK_NODE_HASH, initial)
    db = dict(reference)
    batched = apply_batch(db, root, initial and {})  # an empty batch keeps the root
    assert batched == root
    for batch in (first, second):
        root = key_by_key(reference, root, batch)
        batched = apply_batch(db, batched, batch)
        assert batched == root
    expected = {**initial}
    for batch in (first, second):
        for key, value in batch.items():
            if value is None:
                expected.pop(key, None)
            else:
                expected[key] = value
    trie = HexaryTrie(db, batched)  # only nodes the batch wrote (and the old ones) are needed
    assert {key: trie[key] for key in expected} == expected


def test_deleting_everything_leaves_the_blank_root():
    db: dict = {}
    root = apply_batch(db, BLANK_NODE_HASH, {b"\x01" * 32: b"a", b"\x02" * 32: b"b"})
    assert apply_batch(db, root, {b"\x01" * 32: None, b"\x02" * 32: b""}) == BLANK_NODE_HASH


def test_nodes_of_31_and_32_bytes_are_embedded_and_hashed_as_py_trie_does():
    for size in range(20, 34):  # a leaf of about 31 bytes sits at the embedding boundary
        batch = {b"\x10": b"v" * size, b"\x11": b"w" * size, b"\x20": b"x"}
        db: dict = {}
        assert apply_batch(db, BLANK_NODE_HASH, batch) == key_by_key({}, BLANK_NODE_HASH, batch)


@settings(max_examples=40, deadline=None)
@given(st.sets(st.binary(min_size=32, max_size=32), max_size=300), st.sampled_from([1, 2, 5, 4096]))
def test_a_sorted_stream_builds_the_same_trie_as_the_batch(keys_, group):
    """build_sorted, split into groups of any size, is apply_batch on an empty trie."""
    items = sorted((key, key[:1 + key[0] % 40]) for key in keys_)
    expected_db: dict = {}
    expected = apply_batch(expected_db, BLANK_NODE_HASH, dict(items))
    db: dict = {}
    with patch.object(trie_batch, "SORTED_GROUP", group):
        assert build_sorted(db, iter(items)) == expected
    assert db == expected_db
