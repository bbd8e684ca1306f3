"""A py-evm database that keeps a block's writes in memory until Commit.

py-evm persists trie nodes as it goes; we want a block to reach RocksDB all at once, together with
the height, app hash and receipts, so a crash never leaves half a block on disk. The overlay reads
through to the store and collects writes; `pending()` hands them to the one write batch.
"""

from eth.db.atomic import AtomicDB
from eth.db.backends.base import BaseDB

from .db import Store
from .keys import state_key

_DELETED = None


class ReadBudgetExceeded(Exception):
    """A read-only view read more of the store than it was allowed (a query bounded in work)."""


class _PendingStateDB(BaseDB):
    """State keys: pending writes first, then the committed store (at most `max_reads` reads)."""

    def __init__(self, store: Store, max_reads: int | None = None) -> None:
        self._store = store
        self._reads_left = max_reads
        self.writes: dict[bytes, bytes | None] = {}
        self.read_ahead: dict[bytes, bytes] = {}  # committed nodes read before they were asked for

    def __getitem__(self, key: bytes) -> bytes:
        if key in self.writes:
            value = self.writes[key]
        elif key in self.read_ahead:
            value = self.read_ahead[key]
        else:
            if self._reads_left is not None:
                if self._reads_left == 0:
                    raise ReadBudgetExceeded("read budget spent")
                self._reads_left -= 1
            value = self._store.get(state_key(key))
        if value is None:
            raise KeyError(key)
        return value

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self.writes[key] = value

    def __delitem__(self, key: bytes) -> None:
        if not self._exists(key):
            raise KeyError(key)
        self.writes[key] = _DELETED

    def _exists(self, key: bytes) -> bool:
        try:
            self[key]
        except KeyError:
            return False
        return True


class Overlay(AtomicDB):
    """The atomic py-evm database for one block (or one read-only view). `accounts` (an
    evm.accounts.FlatAccounts, or None) is the committed state's account cache its reads may use;
    `max_reads` bounds a view's reads of the store (ReadBudgetExceeded past it); `journal` (an
    evm.trie_batch.NodeJournal, or None) records the nodes the block's tries place and replace."""

    def __init__(self, store: Store, accounts=None, max_reads: int | None = None, journal=None) -> None:
        self._pending = _PendingStateDB(store, max_reads)
        self.accounts = accounts
        self.journal = journal
        super().__init__(self._pending)

    def pending(self) -> dict[bytes, bytes | None]:
        """The block's state writes, keyed as they go to the store."""
        return {state_key(key): value for key, value in self._pending.writes.items()}

    def read_ahead(self, nodes: dict[bytes, bytes]) -> None:
        """Committed state entries (key -> value) read ahead of their use (evm/prefetch.py)."""
        self._pending.read_ahead.update(nodes)
