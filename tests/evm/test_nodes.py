"""The streaming walk of a state (snapshots, restores) reaches exactly what the remembering walk
(pruning) reaches, on random states whose accounts share storage tries and code."""

import rlp
from eth.constants import BLANK_ROOT_HASH, EMPTY_SHA3
from eth_hash.auto import keccak
from hypothesis import given, settings, strategies as st

from abci_app.evm.nodes import state_entries, state_keys
from abci_app.evm.trie_batch import apply_batch

# A few storage tries and codes, picked by many accounts: shared ones are the walk's dedup case.
slots = st.dictionaries(st.binary(min_size=32, max_size=32), st.binary(min_size=1, max_size=40), max_size=30)
codes = st.binary(min_size=1, max_size=100)
accounts = st.lists(st.tuples(st.binary(min_size=20, max_size=20), st.integers(0, 2**64),
                              st.one_of(st.none(), st.integers(0, 3)), st.one_of(st.none(), st.integers(0, 3))),
                    max_size=80)


def _state(storages: list[dict], code_pool: list[bytes], picks) -> tuple[dict, bytes]:
    db: dict[bytes, bytes] = {}
    roots = [apply_batch(db, BLANK_ROOT_HASH, storage) for storage in storages]
    for code in code_pool:
        db[keccak(code)] = code
    leaves = {}
    for address, balance, storage, code in picks:
        storage_root = roots[storage % len(roots)] if storage is not None and roots else BLANK_ROOT_HASH
        code_hash = keccak(code_pool[code % len(code_pool)]) if code is not None and code_pool else EMPTY_SHA3
        leaves[keccak(address)] = rlp.encode([0, balance, storage_root, code_hash])
    return db, apply_batch(db, BLANK_ROOT_HASH, leaves)


@settings(max_examples=200, deadline=None)
@given(st.lists(slots, max_size=4), st.lists(codes, max_size=4), accounts, st.sampled_from([1, 2, 1 << 16]))
def test_the_streaming_walk_emits_every_key_of_the_state_and_only_those(storages, code_pool, picks, recent):
    db, root = _state(storages, code_pool, picks)
    expected = set(state_keys(db.__getitem__, root))
    walked = list(state_entries(db.__getitem__, root, recent))
    assert {key for key, _ in walked} == expected
    assert all(db[key] == value for key, value in walked)
    assert walked == list(state_entries(db.__getitem__, root, recent))   # a function of the state
    if recent > len(storages) + len(code_pool):
        assert len(walked) == len(expected)      # shared tries and code all remembered: each once


def test_an_accounts_storage_and_code_come_right_after_its_leaf():
    """Depth first: what an account needs is emitted before the next account trie node."""
    storage, code = {keccak(b"slot"): b"\x2a" * 33}, b"\x60\x00" * 20
    db, root = _state([storage], [code], [(b"\x01" * 20, 5, 0, 0), (b"\x02" * 20, 6, None, None)])
    storage_root = apply_batch({}, BLANK_ROOT_HASH, storage)
    account = rlp.encode([0, 5, storage_root, keccak(code)])
    entries = list(state_entries(db.__getitem__, root))
    order = [key for key, _ in entries]
    (leaf,) = [key for key, value in entries if value.endswith(account)]   # [path, account]
    assert order[0] == root
    assert order[order.index(leaf) + 1:order.index(leaf) + 3] == [storage_root, keccak(code)]
