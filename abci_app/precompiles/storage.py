"""Typed storage in a precompile's own account: words, byte strings, records, sets and queues.

Everything lives in the EVM storage of the precompile's address, so a revert undoes it and the
app hash covers it. Slots are derived like Solidity's: keccak of the path (a namespace and keys),
so records and collections never overlap. Writes may be metered (gas per stored word).
"""

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any, TypeVar, get_type_hints

from eth_hash.auto import keccak

GAS_WORD_SET = 20_000    # a zero word becomes non-zero
GAS_WORD_RESET = 2_900   # a non-zero word changes (or is cleared)
WORD_BYTES = 32

R = TypeVar("R")


def _part(part: Any) -> bytes:
    if isinstance(part, str):
        return keccak(part.encode())
    if isinstance(part, bytes):
        return part.rjust(WORD_BYTES, b"\0")
    if isinstance(part, int):
        return part.to_bytes(WORD_BYTES, "big")
    raise TypeError(f"cannot key storage by {type(part).__name__}")


def slot_of(*path: Any) -> int:
    """The slot for a path of namespaces (str), addresses/hashes (bytes) and indexes (int)."""
    return int.from_bytes(keccak(b"".join(_part(part) for part in path)), "big")


def address_int(address: bytes) -> int:
    """A 20-byte address as one storage word."""
    return int.from_bytes(address, "big")


def int_address(word: int) -> bytes:
    return word.to_bytes(20, "big")


def word_cost(old: int, new: int) -> int:
    if old == new:
        return 0
    return GAS_WORD_SET if old == 0 else GAS_WORD_RESET


class ReadOnlyStorage(Exception):
    """A write through a view: a bug in the precompile, never a user error."""


class Storage:
    """The storage of one account, as seen by one call (or by end-of-block logic)."""

    def __init__(self, state, address: bytes, meter: Callable[[int], None] | None = None,
                 writable: bool = True) -> None:
        self.state = state
        self.address = address
        self._meter = meter
        self._writable = writable

    def of(self, address: bytes) -> "Storage":
        """Another account's storage, metered and writable as this one: a module's record kept in
        step with another's (governance's vote tally with staking's shares), paid by the same call."""
        return Storage(self.state, address, meter=self._meter, writable=self._writable)

    # ---- words -------------------------------------------------------------------------------

    def word(self, slot: int) -> int:
        return self.state.get_storage(self.address, slot)

    def set_word(self, slot: int, value: int) -> None:
        if not self._writable:
            raise ReadOnlyStorage(f"write to slot {slot:#x} through a read-only view")
        old = self.word(slot)
        if old == value:
            return
        if self._meter is not None:
            self._meter(word_cost(old, value))
        self.state.set_storage(self.address, slot, value)

    # ---- byte strings (length word, then 32-byte chunks at derived slots) ---------------------

    def blob(self, slot: int) -> bytes:
        length = self.word(slot)
        chunks = (self.word(slot_of(slot, i)).to_bytes(WORD_BYTES, "big") for i in range(_chunks(length)))
        return b"".join(chunks)[:length]

    def set_blob(self, slot: int, data: bytes) -> None:
        old_chunks = _chunks(self.word(slot))
        self.set_word(slot, len(data))
        padded = data.ljust(_chunks(len(data)) * WORD_BYTES, b"\0")
        for i in range(max(old_chunks, _chunks(len(data)))):
            chunk = padded[i * WORD_BYTES:(i + 1) * WORD_BYTES]
            self.set_word(slot_of(slot, i), int.from_bytes(chunk, "big") if chunk else 0)

    # ---- records: a frozen dataclass, field i at slot base + i --------------------------------

    def load(self, cls: type[R], base: int) -> R:
        values = {}
        for i, (name, kind) in enumerate(_fields(cls)):
            values[name] = self._read_field(kind, base + i)
        return cls(**values)

    def save(self, base: int, record) -> None:
        for i, (name, kind) in enumerate(_fields(type(record))):
            self._write_field(kind, base + i, getattr(record, name))

    def _read_field(self, kind: type, slot: int):
        if kind is bool:
            return self.word(slot) != 0
        if kind is int:
            return self.word(slot)
        if kind is bytes:
            return self.blob(slot)
        if kind is str:
            return self.blob(slot).decode()
        raise TypeError(f"unsupported record field type {kind}")

    def _write_field(self, kind: type, slot: int, value) -> None:
        if kind in (bool, int):
            self.set_word(slot, int(value))
        elif kind is bytes:
            self.set_blob(slot, value)
        elif kind is str:
            self.set_blob(slot, value.encode())
        else:
            raise TypeError(f"unsupported record field type {kind}")


def _chunks(length: int) -> int:
    return (length + WORD_BYTES - 1) // WORD_BYTES


_FIELD_CACHE: dict[type, tuple[tuple[str, type], ...]] = {}


def _fields(cls: type) -> tuple[tuple[str, type], ...]:
    if cls not in _FIELD_CACHE:
        hints = get_type_hints(cls)
        _FIELD_CACHE[cls] = tuple((f.name, hints[f.name]) for f in dataclasses.fields(cls))
    return _FIELD_CACHE[cls]


class WordSet:
    """An insertion-ordered set of non-zero words (ids, addresses as integers) with O(1) add,
    remove and membership. Removal swaps the last element into the hole, so order is insertion
    order until a removal. Positions are stored plus one: 0 means absent."""

    def __init__(self, storage: Storage, *name: Any) -> None:
        self._storage = storage
        self._length = slot_of(*name, "length")
        self._name = name

    def __len__(self) -> int:
        return self._storage.word(self._length)

    def _item_slot(self, index: int) -> int:
        return slot_of(*self._name, "item", index)

    def _index_slot(self, item: int) -> int:
        return slot_of(*self._name, "index", item)

    def __contains__(self, item: int) -> bool:
        return self._storage.word(self._index_slot(item)) != 0

    def __iter__(self) -> Iterator[int]:
        for i in range(len(self)):
            yield self._storage.word(self._item_slot(i))

    def at(self, index: int) -> int:
        """The item at a position (0 .. len - 1): one read, for paging."""
        return self._storage.word(self._item_slot(index))

    def add(self, item: int) -> None:
        if item in self:
            return
        length = len(self)
        self._storage.set_word(self._item_slot(length), item)
        self._storage.set_word(self._index_slot(item), length + 1)
        self._storage.set_word(self._length, length + 1)

    def remove(self, item: int) -> None:
        position = self._storage.word(self._index_slot(item))
        if position == 0:
            return
        last = len(self) - 1
        last_item = self._storage.word(self._item_slot(last))
        self._storage.set_word(self._item_slot(position - 1), last_item)
        self._storage.set_word(self._index_slot(last_item), position)
        self._storage.set_word(self._item_slot(last), 0)
        self._storage.set_word(self._index_slot(item), 0)
        self._storage.set_word(self._length, last)


class AddressSet:
    """A WordSet of 20-byte addresses."""

    def __init__(self, storage: Storage, *name: Any) -> None:
        self._words = WordSet(storage, *name)

    def __len__(self) -> int:
        return len(self._words)

    def __contains__(self, address: bytes) -> bool:
        return address_int(address) in self._words

    def __iter__(self) -> Iterator[bytes]:
        for word in self._words:
            yield int_address(word)

    def add(self, address: bytes) -> None:
        self._words.add(address_int(address))

    def remove(self, address: bytes) -> None:
        self._words.remove(address_int(address))


class Queue:
    """A FIFO of records: push at the tail, pop at the head; entries keep their index."""

    def __init__(self, storage: Storage, cls: type, *name: Any) -> None:
        self._storage = storage
        self._cls = cls
        self._name = name
        self._head = slot_of(*name, "head")
        self._tail = slot_of(*name, "tail")

    def _entry(self, index: int) -> int:
        return slot_of(*self._name, "entry", index)

    @property
    def head(self) -> int:
        return self._storage.word(self._head)

    @property
    def tail(self) -> int:
        return self._storage.word(self._tail)

    def push(self, record) -> int:
        index = self.tail
        self._storage.save(self._entry(index), record)
        self._storage.set_word(self._tail, index + 1)
        return index

    def get(self, index: int):
        return self._storage.load(self._cls, self._entry(index))

    def replace(self, index: int, record) -> None:
        self._storage.save(self._entry(index), record)

    def pop_front(self):
        index = self.head
        record = self.get(index)
        self._storage.save(self._entry(index), _zero(self._cls))
        self._storage.set_word(self._head, index + 1)
        return record

    def pending(self) -> Iterator[tuple[int, Any]]:
        """(index, record) from head to tail, oldest first."""
        for index in range(self.head, self.tail):
            yield index, self.get(index)


def _zero(cls: type):
    zeros = {bool: False, int: 0, bytes: b"", str: ""}
    return cls(**{name: zeros[kind] for name, kind in _fields(cls)})
