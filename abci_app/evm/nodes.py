"""What one state root consists of: every trie node and contract code it reaches.

State is content-addressed (a node's key is the keccak of its RLP, code's key the keccak of the
code), so the keys reachable from a root are exactly the data that version of the state needs:
pruning keeps the keys of the roots it keeps, a snapshot ships the keys of its root.
"""

from collections.abc import Callable, Iterator

import rlp
from eth.constants import BLANK_ROOT_HASH, EMPTY_SHA3
from trie.constants import NODE_TYPE_BRANCH, NODE_TYPE_EXTENSION, NODE_TYPE_LEAF
from trie.utils.nodes import get_node_type

HASH_SIZE = 32


def _children(node: list) -> Iterator[list | bytes]:
    """A decoded node's child references: 32-byte hashes, or nodes embedded in their parent."""
    node_type = get_node_type(node)
    if node_type == NODE_TYPE_BRANCH:
        yield from (child for child in node[:16] if child not in (b"", []))
    elif node_type == NODE_TYPE_EXTENSION:
        yield node[1]


def _leaf_values(node: list) -> Iterator[bytes]:
    node_type = get_node_type(node)
    if node_type == NODE_TYPE_LEAF:
        yield node[1]
    elif node_type == NODE_TYPE_BRANCH and node[16]:
        yield node[16]


def walk_trie(get: Callable[[bytes], bytes], root: bytes, seen: set[bytes],
              on_leaf: Callable[[bytes], None] | None = None) -> Iterator[bytes]:
    """The keys of the trie's stored nodes not yet in `seen` (added to it), parents first;
    `on_leaf` gets every leaf value under them. A node already seen is not descended: what it
    reaches was walked with it."""
    if root == BLANK_ROOT_HASH or root in seen:
        return
    pending: list[bytes | list] = [root]
    while pending:
        reference = pending.pop()
        if isinstance(reference, bytes):
            if len(reference) != HASH_SIZE or reference in seen:
                continue
            seen.add(reference)
            yield reference
            node = rlp.decode(get(reference))
        else:
            node = reference  # embedded in its parent: no key of its own
        if on_leaf is not None:
            for value in _leaf_values(node):
                on_leaf(value)
        pending.extend(_children(node))


def state_keys(get: Callable[[bytes], bytes], state_root: bytes, seen: set[bytes] | None = None) -> Iterator[bytes]:
    """Every key the state at `state_root` needs: account trie nodes, then each account's storage
    trie nodes and code. Keys in `seen` (shared across roots) are skipped and not descended."""
    seen = set() if seen is None else seen
    accounts: list[tuple[bytes, bytes]] = []

    def account(value: bytes) -> None:
        _nonce, _balance, storage_root, code_hash = rlp.decode(value)
        accounts.append((storage_root, code_hash))

    yield from walk_trie(get, state_root, seen, account)
    for storage_root, code_hash in accounts:
        yield from walk_trie(get, storage_root, seen)
        if code_hash != EMPTY_SHA3 and code_hash not in seen:
            seen.add(code_hash)
            yield code_hash
