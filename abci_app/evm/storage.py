"""py-evm's account storage with the block's slot changes reaching the trie as one batch.

py-evm writes each changed slot into a pruning HexaryTrie as the block commits; here the slots
collect in a dict and go to trie_batch.apply_batch once, when the storage root is asked for.
That is fewer hashes, and it lets the batch record the nodes it places and replaces for pruning
(app/pruning.py), as it does for the account trie.

A storage wipe (py-evm's `new_trie`, revertible) starts from the empty trie; the root it replaced
is recorded as taken out when the new root is computed. Its deeper nodes are not walked: since
Cancun only an account created in the same transaction can be wiped, and such an account's
storage never reached the trie.
"""

from eth._utils.padding import pad32
from eth.constants import BLANK_ROOT_HASH
from eth.db.cache import CacheDB
from eth.db.journal import JournalDB
from eth.db.storage import AccountStorageDB, StorageLookup
from eth_hash.auto import keccak
from trie import HexaryTrie

from .trie_batch import NodeJournal, apply_batch


class BatchedStorageLookup(StorageLookup):
    """The storage trie at its last computed root, plus the slot writes since (hashed slot ->
    RLP value, None deleted)."""

    def __init__(self, db, storage_root: bytes, address: bytes, journal: NodeJournal | None) -> None:
        self._journal = journal
        self._root_before_wipe = storage_root
        super().__init__(db, storage_root, address)

    def _initialize_to_root_hash(self, root_hash: bytes) -> None:
        self._starting_root_hash = root_hash
        self._pending: dict[bytes, bytes | None] = {}
        self._changed = False
        self._historical_write_tries = []

    def __getitem__(self, key: bytes) -> bytes:
        slot = keccak(pad32(key))
        if slot in self._pending:
            value = self._pending[slot]
            if value is None:
                raise KeyError(key)
            return value
        return HexaryTrie(self._db, root_hash=self._starting_root_hash)[slot]

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self._pending[keccak(pad32(key))] = value
        self._changed = True

    def __delitem__(self, key: bytes) -> None:
        self._pending[keccak(pad32(key))] = None
        self._changed = True

    def _exists(self, key: bytes) -> bool:
        try:
            return self[key] != b""
        except KeyError:
            return False

    @property
    def has_changed_root(self) -> bool:
        return self._changed

    def get_changed_root(self) -> bytes:
        """Apply the writes since the last root (once) and return the new root."""
        if not self._changed:
            raise ValueError("no storage writes to make a root of")
        if self._pending or self._historical_write_tries:
            if self._starting_root_hash != self._root_before_wipe and self._journal is not None \
                    and self._root_before_wipe != BLANK_ROOT_HASH:
                self._journal.removed.append(self._root_before_wipe)  # wiped: see the module docstring
            root = apply_batch(self._db, self._starting_root_hash, self._pending, self._journal)
            self._starting_root_hash = self._root_before_wipe = root
            self._pending = {}
            self._historical_write_tries = []
        return self._starting_root_hash

    def commit_to(self, db) -> None:
        """The nodes are in the database already (get_changed_root wrote them)."""
        self.get_changed_root()
        self._changed = False

    def new_trie(self) -> int:
        self._historical_write_tries.append((self._starting_root_hash, self._pending, self._changed))
        self._starting_root_hash = BLANK_ROOT_HASH
        self._pending = {}
        self._changed = True
        return len(self._historical_write_tries)

    def rollback_trie(self, trie_index: int) -> None:
        if trie_index >= len(self._historical_write_tries):
            raise ValueError(f"no storage trie {trie_index} to roll back to")
        self._starting_root_hash, self._pending, self._changed = self._historical_write_tries[trie_index]
        del self._historical_write_tries[trie_index:]


class BatchedStorageDB(AccountStorageDB):
    """py-evm's AccountStorageDB on a BatchedStorageLookup."""

    def __init__(self, db, storage_root: bytes, address: bytes, journal: NodeJournal | None) -> None:
        super().__init__(db, storage_root, address)
        self._storage_lookup = BatchedStorageLookup(db, storage_root, address, journal)
        self._storage_cache = CacheDB(self._storage_lookup)
        self._locked_changes = JournalDB(self._storage_cache)
        self._journal_storage = JournalDB(self._locked_changes)
