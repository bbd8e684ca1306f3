"""The incremental pruner never deletes a node a kept version reaches, and leaves nothing else.

Random blocks over several tries that share subtrees (the same keys and values in more than one
trie, so one node sits at several positions), values that come back to earlier ones (a node
taken out and placed again), and a keep_recent that may shrink mid-run. After every block: a
walk of every root of every kept version finds every node, and the store holds no other node.
"""

from hypothesis import given, settings
from hypothesis import strategies as st

from abci_app.app import pruning
from abci_app.evm.nodes import walk_trie
from abci_app.evm.trie_batch import BLANK_ROOT, NodeJournal, apply_batch
from abci_app.store import Store, keys

TRIES = 3
KEYS = [bytes([k]) * 32 for k in range(12)] + [bytes([k]) + b"\x07" * 31 for k in range(4)]  # shared prefixes
VALUES = [b"", b"v1", b"v2", b"a longer value that is stored in a node of its own" * 2]

change = st.tuples(st.integers(0, TRIES - 1), st.sampled_from(KEYS), st.sampled_from(VALUES))
block = st.lists(change, max_size=8)


class _Pending(dict):
    """A block's new nodes over the committed store, as the Overlay is."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store

    def __missing__(self, key: bytes) -> bytes:
        value = self.store.get(keys.state_key(key))
        if value is None:
            raise KeyError(key)
        return value


def _walk_all(store: Store, roots) -> set[bytes]:
    def get(key: bytes) -> bytes:
        value = store.get(keys.state_key(key))
        assert value is not None, f"pruned a node a kept root reaches: {key.hex()}"
        return value

    seen: set[bytes] = set()
    for root in roots:
        for _ in walk_trie(get, root, seen):
            pass
    return seen


@settings(max_examples=60, deadline=None)
@given(blocks=st.lists(block, min_size=1, max_size=25), keep=st.integers(1, 4), shrink_at=st.integers(0, 30),
       mirrored=st.booleans())
def test_kept_versions_stay_whole_and_nothing_else_stays(tmp_path_factory, blocks, keep, shrink_at, mirrored):
    store = Store(str(tmp_path_factory.mktemp("prune") / "db"))
    try:
        store.write(pruning.genesis_marks(1))
        roots = [BLANK_ROOT] * TRIES
        versions = {0: tuple(roots)}
        for height, changes in enumerate(blocks, start=1):
            keep_recent = 1 if height >= shrink_at and keep > 1 and shrink_at % 2 else keep
            pending, journal = _Pending(store), NodeJournal()
            by_trie: list[dict[bytes, bytes]] = [{} for _ in range(TRIES)]
            for trie, key, value in changes:
                by_trie[trie][key] = value
                if mirrored:  # the same change in every trie: whole subtrees shared across positions
                    for other in by_trie:
                        other[key] = value
            for trie in range(TRIES):
                if by_trie[trie]:
                    roots[trie] = apply_batch(pending, roots[trie], by_trie[trie], journal)
            writes = {keys.state_key(node): value for node, value in pending.items()}
            writes.update(pruning.stage(store, height, journal.inserted, journal.removed, keep_recent))
            store.write(writes)
            versions[height] = tuple(roots)
            oldest = pruning.oldest_kept(store)
            assert oldest == max(1, height - keep_recent + 1) or keep_recent < keep  # catching up after a shrink
            kept_roots = {root for h in range(oldest, height + 1) for root in versions[h]}
            live = _walk_all(store, kept_roots)
            stored = {key[len(keys.STATE):] for key in store.keys(keys.STATE)}
            if oldest == height - keep_recent + 1 or oldest == 1:
                assert stored == live, "a node no kept version reaches was left behind"
    finally:
        store.close()
