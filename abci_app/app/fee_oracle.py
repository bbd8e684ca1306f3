"""The tip a wallet should offer, as geth's fee oracle suggests it: the 60th percentile of the 3
lowest tips paid in each of the last 20 blocks (0 when they carried no tx: the base fee is then
all a tx needs). Node-local advice, never consensus: each block's 3 lowest tips are written with
the block into a ring of 20 small records (outside the app hash), so one query answers the
suggestion with the next base fee (`/fees`: eth_gasPrice and eth_maxPriorityFeePerGas), without
reading 20 blocks of receipts."""

import heapq
import json

from ..store import Store, keys

TIP_BLOCKS, TIP_LOWEST, TIP_PERCENTILE = 20, 3, 60


def record(height: int, tips_wei: list[int]) -> tuple[bytes, bytes]:
    """The ring entry block `height` writes: its TIP_LOWEST lowest tips."""
    return keys.recent_tips_key(height % TIP_BLOCKS), json.dumps([height, heapq.nsmallest(TIP_LOWEST, tips_wei)]).encode()


def suggested_tip(store: Store, height: int) -> int:
    """geth's suggestion over the blocks up to `height` that this node holds (one started from a
    snapshot, or before a fee market record existed, has fewer)."""
    tips = []
    for slot in range(TIP_BLOCKS):
        stored = store.get(keys.recent_tips_key(slot))
        if stored is not None:
            recorded_at, lowest = json.loads(stored)
            if height - TIP_BLOCKS < recorded_at <= height:
                tips += lowest
    return sorted(tips)[(len(tips) - 1) * TIP_PERCENTILE // 100] if tips else 0
