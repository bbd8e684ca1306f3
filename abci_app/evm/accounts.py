"""py-evm's account database with two changes that make a block cheaper (issue 8):

- reads of accounts go journal, then a flat `address -> RLP account` cache of the committed
  state that lives across blocks (FlatAccounts), then the trie; py-evm starts every block, and
  every CheckTx view, with a cold cache and walks the trie for each account;
- the block's account changes reach the trie as one batch (trie_batch.py) instead of key by key,
  and so do each account's slot changes (storage.py); the batches record, in the database's
  NodeJournal (`db.journal`, if it has one), the nodes they place and replace, for pruning;
- an account's RLP is decoded as a plain list, and a changed account built directly, not through
  rlp's Serializable machinery (decode and copy take a third and a sixth of the time).

Both are invisible to the result: the cache holds exactly what the trie holds at its root, and
the batch builds the same trie. The cache is consulted only while the trie is still at the root
the cache belongs to, so a query at an older height, or a block replayed after a lost Commit,
reads the trie as before.
"""

import rlp
from eth.db.account import AccountDB
from eth.db.accesslog import KeyAccessLoggerDB
from eth.db.backends.base import BaseDB
from eth.db.cache import CacheDB
from eth.db.diff import DBDiff
from eth.db.hash_trie import HashTrie
from eth.db.journal import JournalDB
from eth.rlp.accounts import Account
from eth_hash.auto import keccak
from eth.validation import validate_canonical_address, validate_uint64, validate_uint256
from eth_utils import big_endian_to_int
from trie import HexaryTrie

from .storage import BatchedStorageDB
from .trie_batch import apply_batch

MISSING = b""  # an address with no account


class FlatAccounts:
    """The committed state's accounts by address, filled as they are read, advanced at Commit."""

    def __init__(self, capacity: int = 200_000) -> None:
        self.root: bytes | None = None
        self._capacity = capacity
        self._accounts: dict[bytes, bytes] = {}
        self._staged: dict[bytes, tuple[bytes, dict[bytes, bytes]]] = {}  # new root -> (base root, changes)

    def read(self, address: bytes, read_trie) -> bytes:
        """The RLP account at `self.root` (MISSING if none); `read_trie()` on a miss."""
        encoded = self._accounts.get(address)
        if encoded is None:
            encoded = read_trie()
            if len(self._accounts) >= self._capacity:
                self._accounts.clear()  # simple bound: refills from the trie as it is read
            self._accounts[address] = encoded
        return encoded

    def has(self, address: bytes) -> bool:
        return address in self._accounts

    def stage(self, base_root: bytes, new_root: bytes, changes: dict[bytes, bytes]) -> None:
        """A state commitment went from `base_root` to `new_root` with these account changes."""
        self._staged[new_root] = (base_root, changes)

    def advance(self, committed_root: bytes) -> None:
        """Commit: follow the staged commitments from our root to `committed_root`; if they do
        not lead there (a restart, a restored snapshot), start empty at `committed_root`."""
        steps, root = [], committed_root
        while root != self.root and root in self._staged:
            base_root, changes = self._staged[root]
            steps.append(changes)
            root = base_root
        if root == self.root and self.root is not None:
            for changes in reversed(steps):
                self._accounts.update(changes)
        else:
            self._accounts.clear()
        self.root = committed_root
        self._staged.clear()


class _FlatFirst(BaseDB):
    """Between the account journal and the trie: the flat cache while the trie is at its root."""

    def __init__(self, trie_cache, flat: FlatAccounts, trie_root) -> None:
        self._trie_cache = trie_cache
        self._flat = flat
        self._trie_root = trie_root

    def __getitem__(self, address: bytes) -> bytes:
        if self._trie_root() != self._flat.root:
            return self._trie_cache[address]
        encoded = self._flat.read(address, lambda: self._trie_cache.get(address, MISSING))
        if encoded == MISSING:
            raise KeyError(address)
        return encoded

    def __setitem__(self, address: bytes, value: bytes) -> None:
        self._trie_cache[address] = value

    def __delitem__(self, address: bytes) -> None:
        del self._trie_cache[address]

    def reset_cache(self) -> None:
        self._trie_cache.reset_cache()


class BatchedAccountDB(AccountDB):
    """AccountDB reading through the database's FlatAccounts (if it has one: `db.accounts`) and
    committing the block's account changes to the trie in one batch."""

    def __init__(self, db, state_root: bytes) -> None:
        super().__init__(db, state_root)
        # py-evm's account trie prunes, and py-trie caches a pruning trie's node encodings in a
        # class-wide LRU (4,096 entries) keyed by the trie: each block's trie, and through it the
        # block's whole overlay, stayed alive for thousands of blocks. The batch prunes nothing
        # (app/pruning.py does), so a plain trie, wrapped as py-evm wraps its own.
        self._trie = HashTrie(HexaryTrie(self._batchtrie, state_root))
        self._trie_logger = KeyAccessLoggerDB(self._trie, log_missing_keys=False)
        self._trie_cache = CacheDB(self._trie_logger)
        self._journaltrie = JournalDB(self._trie_cache)
        self._flat: FlatAccounts | None = getattr(db, "accounts", None)
        self._journal = getattr(db, "journal", None)
        if self._flat is not None:
            self._trie_cache = _FlatFirst(self._trie_cache, self._flat, lambda: self._trie.root_hash)
            self._journaltrie = JournalDB(self._trie_cache)
        self._committed: dict[bytes, bytes] | None = None

    def _get_account(self, address: bytes, from_journal: bool = True) -> Account:
        """py-evm's, with the faster decoding."""
        if from_journal and address in self._account_cache:
            return self._account_cache[address]
        account = decode_account(self._get_encoded_account(address, from_journal))
        if from_journal:
            self._account_cache[address] = account
        return account

    def set_balance(self, address: bytes, balance: int) -> None:
        validate_canonical_address(address, title="Storage Address")
        validate_uint256(balance, title="Account Balance")
        account = self._get_account(address)
        self._set_account(address, Account(account.nonce, balance, account.storage_root, account.code_hash))

    def set_nonce(self, address: bytes, nonce: int) -> None:
        validate_canonical_address(address, title="Storage Address")
        validate_uint64(nonce, title="Nonce")
        account = self._get_account(address)
        self._set_account(address, Account(nonce, account.balance, account.storage_root, account.code_hash))

    def _get_address_store(self, address: bytes) -> BatchedStorageDB:
        store = self._account_stores.get(address)
        if store is None:
            store = BatchedStorageDB(self._raw_store_db, self._get_storage_root(address), address, self._journal)
            self._account_stores[address] = store
        return store

    def set_code(self, address: bytes, code: bytes) -> None:
        """py-evm's; the code is recorded as placed, so pruning never deletes it (a trie node with
        the same bytes, and so the same key, may be taken out of the trie later)."""
        super().set_code(address, code)
        if self._journal is not None:
            self._journal.inserted.append(keccak(code))

    def make_state_root(self) -> bytes:
        base_root = self._trie.root_hash
        self._committed = None
        new_root = super().make_state_root()
        if self._flat is not None and self._committed is not None:
            self._flat.stage(base_root, new_root, self._committed)
        return new_root

    def _apply_account_diff_without_proof(self, diff: DBDiff, trie) -> None:
        """`trie` is py-evm's in-memory HashTrie over the state trie (see make_state_root)."""
        changes = {address: encoded for address, encoded in diff.pending_items()}
        changes.update((address, MISSING) for address in diff.deleted_keys())
        self._committed = changes
        trie.root_hash = apply_batch(trie.db, trie.root_hash, {keccak(a): v or None for a, v in changes.items()},
                                     self._journal)


def decode_account(encoded: bytes) -> Account:
    """An account as the trie stores it (always canonical: we encoded it), or the empty one."""
    if not encoded:
        return Account()
    nonce, balance, storage_root, code_hash = rlp.decode(encoded)
    return Account(big_endian_to_int(nonce), big_endian_to_int(balance), storage_root, code_hash)
