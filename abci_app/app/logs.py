"""Blocks as stored, and the logs of a block range that match an Ethereum log filter.

`/block/<height>` answers the stored block record with its receipts; `/logs` (the JSON filter as
query data) answers the matching logs in chain order, each placed by block, transaction and its
index across the block (Ethereum's `logIndex`). The filter rules are Ethereum's: any of the
addresses (none: any); topic position i matches any of its alternatives (null: anything).
"""

import json
from dataclasses import dataclass

from ..store import Store, keys

MAX_LOG_RANGE = 10_000   # blocks in one /logs query
MAX_LOGS = 10_000        # logs in one /logs answer
MAX_TOPICS = 4


@dataclass(frozen=True, slots=True)
class LogFilter:
    from_height: int
    to_height: int
    addresses: frozenset[str]                     # lowercase 0x hex; empty: any
    topics: tuple[frozenset[str] | None, ...]     # per position; None: any
    limit: int = MAX_LOGS


def _hex_words(value, size: int, what: str) -> frozenset[str]:
    items = value if isinstance(value, list) else [value]
    words = set()
    for item in items:
        if not isinstance(item, str) or not item.startswith("0x") or len(item) != 2 + 2 * size:
            raise ValueError(f"{what} must be 0x followed by {2 * size} hex digits")
        int(item, 16)
        words.add(item.lower())
    return frozenset(words)


def parse_filter(body: bytes, latest: int) -> LogFilter:
    """The filter of a `/logs` query: {"from", "to", "address", "topics", "limit"} (heights are
    integers, default the latest block). ValueError says what is wrong."""
    doc = json.loads(body or b"{}")
    if not isinstance(doc, dict):
        raise ValueError("the filter is a JSON object")
    from_height, to_height = int(doc.get("from", latest)), int(doc.get("to", latest))
    if not 1 <= from_height <= to_height:
        raise ValueError(f"need 1 <= from ({from_height}) <= to ({to_height})")
    if to_height - from_height + 1 > MAX_LOG_RANGE:
        raise ValueError(f"at most {MAX_LOG_RANGE} blocks per query")
    address = doc.get("address")
    addresses = frozenset() if address in (None, []) else _hex_words(address, 20, "address")
    topics = doc.get("topics") or []
    if not isinstance(topics, list) or len(topics) > MAX_TOPICS:
        raise ValueError(f"topics is a list of at most {MAX_TOPICS} positions")
    positions = tuple(None if t in (None, []) else _hex_words(t, 32, "topic") for t in topics)
    limit = int(doc.get("limit", MAX_LOGS))
    if not 1 <= limit <= MAX_LOGS:
        raise ValueError(f"limit is 1 to {MAX_LOGS}")
    return LogFilter(from_height, min(to_height, latest), addresses, positions, limit)


def matches(log: dict, logfilter: LogFilter) -> bool:
    if logfilter.addresses and log["address"] not in logfilter.addresses:
        return False
    topics = log["topics"]
    if len(logfilter.topics) > len(topics):
        return False
    return all(wanted is None or topic in wanted for wanted, topic in zip(logfilter.topics, topics))


def stored_block(store: Store, height: int) -> dict | None:
    """The block record FinalizeBlock wrote, with its receipts in order; None if not committed."""
    raw = store.get(keys.block_key(height))
    if raw is None:
        return None
    block = json.loads(raw)
    block["receipts"] = [json.loads(store.get(keys.receipt_key(bytes.fromhex(h[2:])))) for h in block["txs"]]
    return block


class TooManyLogs(ValueError):
    """More logs match than the filter's limit: the caller narrows the range."""


def collect_logs(store: Store, logfilter: LogFilter) -> list[dict]:
    """The matching logs of the range, in chain order, each with its place in the chain."""
    found = []
    for height in range(logfilter.from_height, logfilter.to_height + 1):
        block = stored_block(store, height)
        if block is None:
            continue
        log_index = 0
        for receipt in block["receipts"]:
            for log in receipt["logs"]:
                if matches(log, logfilter):
                    if len(found) == logfilter.limit:
                        raise TooManyLogs(f"more than {logfilter.limit} logs match; narrow the block range")
                    found.append({**log, "block_number": height, "block_hash": "0x" + block["hash"],
                                  "tx_hash": receipt["hash"], "tx_index": receipt["index"], "log_index": log_index})
                log_index += 1
    return found
