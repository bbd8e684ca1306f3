"""What one state root consists of: every trie node and contract code it reaches.

State is content-addressed (a node's key is the keccak of its RLP, code's key the keccak of the
code), so the keys reachable from a root are exactly the data that version of the state needs:
pruning keeps the keys of the roots it keeps, a snapshot ships the keys of its root.
`state_keys` remembers every key it has seen (what pruning needs: shared subtrees walked once);
`state_entries` streams one root's entries in memory that does not grow with the state (what a
snapshot and a restore need).
"""

from collections import OrderedDict
from collections.abc import Callable, Iterator

import rlp
from eth.constants import BLANK_ROOT_HASH, EMPTY_SHA3
from trie.constants import NODE_TYPE_BRANCH, NODE_TYPE_EXTENSION, NODE_TYPE_LEAF
from trie.utils.nodes import get_node_type

HASH_SIZE = 32


def _node_type(node: list) -> int:
    """py-trie's get_node_type without decoding the path to nibbles (most of a walk's time):
    a two-item node's hex-prefix flag says leaf or extension."""
    if len(node) == 17:
        return NODE_TYPE_BRANCH
    if len(node) == 2 and isinstance(node[0], bytes) and node[0]:
        return NODE_TYPE_LEAF if node[0][0] & 0x20 else NODE_TYPE_EXTENSION
    return get_node_type(node)


def _children(node: list) -> Iterator[list | bytes]:
    """A decoded node's child references: 32-byte hashes, or nodes embedded in their parent."""
    node_type = _node_type(node)
    if node_type == NODE_TYPE_BRANCH:
        yield from (child for child in node[:16] if child not in (b"", []))
    elif node_type == NODE_TYPE_EXTENSION:
        yield node[1]


def _leaf_values(node: list) -> Iterator[bytes]:
    node_type = _node_type(node)
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


RECENT_SHARED = 1 << 16  # storage roots and code hashes remembered by state_entries (~10 MiB)
_ACCOUNT_NODE, _STORAGE_NODE, _ACCOUNT, _CODE = range(4)


def state_entries(get: Callable[[bytes], bytes], state_root: bytes, recent: int = RECENT_SHARED,
                  on_account: Callable[[bytes, bytes], None] | None = None) -> Iterator[tuple[bytes, bytes]]:
    """(key, value) of every trie node and code the state at `state_root` needs, depth first in
    key order: each account trie node, then, right after an account's leaf, its storage trie and
    its code. The order is a function of the state alone.

    Memory: the pending siblings on the current path (at most 16 per level of the two tries)
    and the last `recent` storage roots and code hashes emitted, so that a contract's code or
    storage shared by many accounts is sent once per stretch in which it stays among them. A
    key may come more than once, none is left out. `get` raises for a key it lacks. `on_account`
    gets every account's (storage root, code hash), repeats included."""
    shared: OrderedDict[bytes, None] = OrderedDict()

    def first_time(key: bytes) -> bool:
        if key in shared:
            shared.move_to_end(key)
            return False
        shared[key] = None
        if len(shared) > recent:
            shared.popitem(last=False)
        return True

    pending: list[tuple[int, bytes | list]] = [] if state_root == BLANK_ROOT_HASH else [(_ACCOUNT_NODE, state_root)]
    while pending:
        kind, item = pending.pop()
        if kind == _CODE:
            yield item, get(item)
        elif kind == _ACCOUNT:
            _nonce, _balance, storage_root, code_hash = rlp.decode(item)
            if on_account is not None:
                on_account(storage_root, code_hash)
            if code_hash != EMPTY_SHA3 and first_time(code_hash):
                pending.append((_CODE, code_hash))
            if storage_root != BLANK_ROOT_HASH and first_time(storage_root):
                pending.append((_STORAGE_NODE, storage_root))
        else:
            if isinstance(item, bytes):
                if len(item) != HASH_SIZE:
                    continue
                value = get(item)
                yield item, value
                node = rlp.decode(value)
            else:
                node = item  # embedded in its parent: no key of its own
            pending.extend((kind, child) for child in reversed(list(_children(node))))
            if kind == _ACCOUNT_NODE:
                pending.extend((_ACCOUNT, leaf) for leaf in reversed(list(_leaf_values(node))))
