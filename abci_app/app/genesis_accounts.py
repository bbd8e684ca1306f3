"""The genesis balances as one sorted, streamed trie build, and the accounts file (issue 15).

A marketplace starts with its users: millions of funded accounts. Listing them in the genesis
JSON would make it gigabytes (and CometBFT's genesis, the stored genesis and snapshot chunk 0
with it), and setting them one at a time would take hours. So:

- the genesis may name an **accounts file** by its sha256, count and total: records of a 20-byte
  address and a 32-byte big-endian balance, sorted by keccak(address), distinct. The file is
  node-local (setting `genesis_accounts_file`), needed only by InitChain, and checked as it is
  read: a wrong hash, count, total or order stops InitChain with the reason;
- InitChain builds the account trie of every genesis balance (file and JSON) in one sorted pass
  (evm/trie_batch.build_sorted), its nodes written to the store as they are finished. No two
  positions of the account trie can hold the same node, so each has count 1, the count pruning
  assumes for a node it has no count for (app/pruning.py). A crash before the first Commit
  leaves only nodes the next InitChain writes again.

`write_accounts_file` makes such a file from accounts in any order, sorting in runs of
RUN_RECORDS on disk, so memory stays bounded.
"""

import hashlib
import heapq
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import rlp
from eth.constants import BLANK_ROOT_HASH, EMPTY_SHA3
from eth_hash.auto import keccak

from ..errors import GenesisError
from ..evm.trie_batch import build_sorted
from ..store import Store, keys

ADDRESS_BYTES = 20
BALANCE_BYTES = 32
RECORD = ADDRESS_BYTES + BALANCE_BYTES
RUN_RECORDS = 1_000_000
READ_RECORDS = 8192
WRITE_NODES = 50_000


@dataclass(frozen=True, slots=True)
class AccountsFile:
    """What the genesis JSON says of its accounts file."""

    sha256: bytes
    accounts: int
    balance_wei: int

    def to_json(self) -> dict:
        return {"sha256": self.sha256.hex(), "accounts": self.accounts, "balance_wei": str(self.balance_wei)}


def write_accounts_file(path: Path, accounts: Iterable[tuple[bytes, int]]) -> AccountsFile:
    """Write `accounts` ((address, balance wei), any order, distinct) as an accounts file."""
    with tempfile.TemporaryDirectory(dir=Path(path).parent) as runs_dir:
        runs = []
        for run in _chunks(accounts, RUN_RECORDS):
            run_path = Path(runs_dir) / f"run{len(runs)}"
            run_path.write_bytes(b"".join(record for _, record in sorted(_keyed(run))))
            runs.append(run_path)
        digest, count, total = hashlib.sha256(), 0, 0
        with open(path, "wb") as out:
            for _, record in heapq.merge(*(_keyed_records(run) for run in runs)):
                out.write(record)
                digest.update(record)
                count += 1
                total += int.from_bytes(record[ADDRESS_BYTES:], "big")
    return AccountsFile(digest.digest(), count, total)


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _keyed(accounts: list[tuple[bytes, int]]) -> Iterator[tuple[bytes, bytes]]:
    for address, balance in accounts:
        yield keccak(address), address + balance.to_bytes(BALANCE_BYTES, "big")


def _keyed_records(path: Path) -> Iterator[tuple[bytes, bytes]]:
    for record in _records(path):
        yield keccak(record[:ADDRESS_BYTES]), record


def _records(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as stream:
        while block := stream.read(RECORD * READ_RECORDS):
            if len(block) % RECORD:
                raise GenesisError(f"accounts file {path}: its size is not a multiple of {RECORD} bytes")
            for offset in range(0, len(block), RECORD):
                yield block[offset:offset + RECORD]


def checked_file_accounts(path: str, expected: AccountsFile) -> Iterator[tuple[bytes, bytes, int]]:
    """(keccak(address), address, balance) of the accounts file in order, checked against what
    the genesis says of it; GenesisError at the first thing wrong (the last checks at its end)."""
    if not path or not Path(path).is_file():
        raise GenesisError(f"the genesis names an accounts file (sha256 {expected.sha256.hex()}); "
                           f"set genesis_accounts_file to its path (got {path!r})")
    digest, count, total, previous = hashlib.sha256(), 0, 0, b""
    for record in _records(Path(path)):
        digest.update(record)
        address, balance = record[:ADDRESS_BYTES], int.from_bytes(record[ADDRESS_BYTES:], "big")
        key = keccak(address)
        if key <= previous:
            raise GenesisError(f"accounts file: account {count} (0x{address.hex()}) is out of order or repeated")
        if balance == 0:
            raise GenesisError(f"accounts file: account 0x{address.hex()} has no balance")
        previous, count, total = key, count + 1, total + balance
        yield key, address, balance
    if (digest.digest(), count, total) != (expected.sha256, expected.accounts, expected.balance_wei):
        raise GenesisError(f"accounts file {path}: sha256, count or total is not what the genesis says "
                           f"({digest.hexdigest()}, {count}, {total})")


def genesis_accounts_root(store: Store, balances_wei: Iterable[tuple[bytes, int]], accounts_file: AccountsFile | None,
                          accounts_path: str) -> bytes:
    """The root of the account trie holding every genesis balance, its nodes written to `store`."""
    inline = sorted((keccak(address), address, balance) for address, balance in balances_wei)
    streams = [iter(inline)]
    if accounts_file is not None:
        streams.append(checked_file_accounts(accounts_path, accounts_file))
    writer = _NodeWriter(store)
    root = build_sorted(writer, _leaves(heapq.merge(*streams)))
    writer.flush()
    return root


def _leaves(accounts: Iterator[tuple[bytes, bytes, int]]) -> Iterator[tuple[bytes, bytes]]:
    previous = None
    for key, address, balance in accounts:
        if key == previous:
            raise GenesisError(f"account 0x{address.hex()} is both in the genesis JSON and its accounts file")
        previous = key
        yield key, rlp.encode([0, balance, BLANK_ROOT_HASH, EMPTY_SHA3])


class _NodeWriter(dict):
    """Finished trie nodes, written to the store WRITE_NODES at a time."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self._store = store

    def __setitem__(self, key: bytes, value: bytes) -> None:
        super().__setitem__(key, value)
        if len(self) >= WRITE_NODES:
            self.flush()

    def flush(self) -> None:
        self._store.write({keys.state_key(key): value for key, value in self.items()})
        self.clear()
