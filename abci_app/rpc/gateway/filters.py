"""What the gateway keeps between polls: installed filters, and the limits of log queries.

Filters live in the gateway's memory (a restart forgets them, as geth's do) and expire after
FILTER_TIMEOUT_S without a poll. Ids are random (they name nothing on chain).
"""

import secrets
import threading
import time
from dataclasses import dataclass

from .errors import LimitExceeded, ServerError

FILTER_TIMEOUT_S = 300.0  # geth's default
MAX_FILTERS = 10_000


@dataclass(frozen=True, slots=True)
class LogLimits:
    """How much one eth_getLogs (or one filter poll) may ask of the node."""

    max_blocks: int = 10_000     # the app answers at most 10,000 blocks per /logs query
    max_results: int = 10_000


@dataclass(slots=True)
class Filter:
    kind: str                 # "logs", "blocks" or "pending"
    spec: dict | None         # the parsed log filter
    next_height: int          # the first block the next eth_getFilterChanges looks at
    polled_at: float
    pending: frozenset[bytes] = frozenset()   # "pending": the mempool tx hashes the last poll saw


class Filters:
    """Installed filters by id; safe to use from the gateway's request threads."""

    def __init__(self, timeout_s: float = FILTER_TIMEOUT_S, capacity: int = MAX_FILTERS) -> None:
        self.timeout_s, self.capacity = timeout_s, capacity
        self._filters: dict[str, Filter] = {}
        self._lock = threading.Lock()

    def _expire(self, now: float) -> None:
        for filter_id in [i for i, f in self._filters.items() if now - f.polled_at > self.timeout_s]:
            del self._filters[filter_id]

    def install(self, kind: str, spec: dict | None, next_height: int, pending: frozenset[bytes] = frozenset()) -> str:
        now = time.monotonic()
        with self._lock:
            self._expire(now)
            if len(self._filters) >= self.capacity:
                raise LimitExceeded(f"too many filters installed (at most {self.capacity})")
            filter_id = hex(secrets.randbits(128) | 1 << 127)   # a uint without leading zeros, as the spec's
            self._filters[filter_id] = Filter(kind, spec, next_height, now, pending)
        return filter_id

    def get(self, filter_id: str) -> Filter:
        now = time.monotonic()
        with self._lock:
            self._expire(now)
            found = self._filters.get(filter_id)
            if found is None:
                raise ServerError("filter not found")
            found.polled_at = now
            return found

    def advance(self, filter_id: str, next_height: int) -> None:
        with self._lock:
            if filter_id in self._filters:
                self._filters[filter_id].next_height = next_height

    def saw_pending(self, filter_id: str, pending: frozenset[bytes]) -> None:
        with self._lock:
            if filter_id in self._filters:
                self._filters[filter_id].pending = pending

    def remove(self, filter_id: str) -> bool:
        with self._lock:
            return self._filters.pop(filter_id, None) is not None
