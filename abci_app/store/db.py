"""RocksDB through rocksdict: raw bytes in, raw bytes out, and atomic synced write batches."""

from collections.abc import Iterable, Iterator, Mapping

from rocksdict import AccessType, BlockBasedOptions, Cache, DBCompressionType, Options, Rdict, WriteBatch, WriteOptions

BLOCK_CACHE_BYTES = 128 << 20  # hot trie nodes; the OS page cache holds more
BLOOM_BITS_PER_KEY = 10        # ~1% false positives: a read of an absent key (a new node, a count) rarely touches disk


class Store:
    """A RocksDB database. All writes go through `write`, one atomic batch at a time.
    `read_only`: another process may have it open (it must exist). `secondary`: a folder of its
    own for a read-only follower of the process that has it open (`catch_up` reads that
    process's newer writes, whole batches only)."""

    def __init__(self, path: str, read_only: bool = False, secondary: str | None = None) -> None:
        options = Options(raw_mode=True)
        options.create_if_missing(not read_only and secondary is None)
        table = BlockBasedOptions()
        table.set_bloom_filter(BLOOM_BITS_PER_KEY, False)
        table.set_block_cache(Cache(BLOCK_CACHE_BYTES))
        options.set_block_based_table_factory(table)
        options.set_compression_type(DBCompressionType.lz4())
        options.set_level_compaction_dynamic_level_bytes(True)
        if secondary is not None:
            options.set_max_open_files(-1)  # keep every table open: the primary may delete them
            access = AccessType.secondary(secondary)
        else:
            access = AccessType.read_only() if read_only else AccessType.read_write()
        self._db = Rdict(path, options, access_type=access)
        self._sync = WriteOptions()
        self._sync.sync = True

    def get(self, key: bytes) -> bytes | None:
        return self._db.get(key)

    def get_many(self, keys: list[bytes]) -> list[bytes | None]:
        """The values of `keys` (None where absent) in one RocksDB MultiGet: several times faster
        a key than one get at a time when they miss the cache."""
        return self._db.get(keys) if keys else []

    def write(self, puts: Mapping[bytes, bytes | None], deletes: Iterable[bytes] = ()) -> None:
        """Apply puts (a value of None deletes) and deletes in one synced, atomic batch."""
        batch = WriteBatch(raw_mode=True)
        for key, value in puts.items():
            if value is None:
                batch.delete(key)
            else:
                batch.put(key, value)
        for key in deletes:
            batch.delete(key)
        self._db.write(batch, self._sync)

    def view(self) -> "ReadView":
        """The store as it is now, for as long as the view is open (a RocksDB snapshot)."""
        return ReadView(self._db.snapshot())

    def keys(self, prefix: bytes, start: bytes | None = None) -> Iterator[bytes]:
        """Every key that starts with `prefix`, in order (from `start` on, if given)."""
        for key in self._db.keys(from_key=start or prefix):
            if not key.startswith(prefix):
                return
            yield key

    def size_bytes(self) -> int:
        """RocksDB's estimate of live data plus the memtables (for metrics)."""
        return sum(self._db.property_int_value(name) or 0
                   for name in ("rocksdb.estimate-live-data-size", "rocksdb.cur-size-all-mem-tables"))

    def memory_bytes(self) -> int:
        """What RocksDB holds in memory: memtables, the block cache, table indexes and filters."""
        return sum(self._db.property_int_value(name) or 0
                   for name in ("rocksdb.cur-size-all-mem-tables", "rocksdb.block-cache-usage",
                                "rocksdb.estimate-table-readers-mem"))

    def catch_up(self) -> None:
        """A secondary: see what the primary has written since (complete write batches only)."""
        self._db.try_catch_up_with_primary()

    def close(self) -> None:
        self._db.close()


class ReadView:
    """A consistent read of the store as it was when taken: later writes and deletes (pruning's
    too) do not show. Close it when done: until then RocksDB keeps everything it sees on disk."""

    def __init__(self, snapshot) -> None:
        self._snapshot = snapshot

    def get(self, key: bytes) -> bytes | None:
        try:
            return self._snapshot[key]
        except Exception as exc:  # rocksdict's snapshot raises a bare Exception for a missing key
            if str(exc) == "key not found":
                return None
            raise

    def close(self) -> None:
        self._snapshot = None  # dropping rocksdict's object releases the RocksDB snapshot
