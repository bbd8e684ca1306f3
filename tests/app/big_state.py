"""A large state written straight into a store (no blocks): `accounts` plain accounts and, every
`contract_every` of them, a contract with its own storage and one of a few shared codes. For
measuring what walks and snapshots of a big state cost; run it in a process of its own (it holds
the whole trie in memory while it builds)."""

import rlp
from eth.constants import BLANK_ROOT_HASH, EMPTY_SHA3
from eth_hash.auto import keccak

from abci_app.evm.trie_batch import apply_batch
from abci_app.store import Store, keys

CODES = [bytes([0x60, n, 0x60, 0x00, 0x55]) * 200 for n in range(4)]   # 1 KB each
ROOT_KEY = b"test/state_root"


def build(path: str, accounts: int, contract_every: int = 100, slots: int = 20) -> bytes:
    """Write the state into the store at `path` (its root under ROOT_KEY); returns the root."""
    nodes: dict[bytes, bytes] = {}
    leaves = {}
    for index in range(accounts):
        storage_root, code_hash = BLANK_ROOT_HASH, EMPTY_SHA3
        if index % contract_every == 0:
            storage = {keccak(slot.to_bytes(32, "big")): rlp.encode(index * slots + slot + 1) for slot in range(slots)}
            storage_root = apply_batch(nodes, BLANK_ROOT_HASH, storage)
            code_hash = keccak(CODES[index % len(CODES)])
        address = keccak(index.to_bytes(8, "big"))[:20]
        leaves[keccak(address)] = rlp.encode([index % 7, 10**18 + index, storage_root, code_hash])
    root = apply_batch(nodes, BLANK_ROOT_HASH, leaves)
    for code in CODES:
        nodes[keccak(code)] = code
    store = Store(path)
    batch: dict[bytes, bytes] = {}
    for key, value in nodes.items():
        batch[keys.state_key(key)] = value
        if len(batch) >= 50_000:
            store.write(batch)
            batch = {}
    batch[ROOT_KEY] = root
    store.write(batch)
    store.close()
    return root
