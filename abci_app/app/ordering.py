"""The order a proposer takes mempool transactions in: highest effective tip first (what the
proposer earns a gas above the base fee), each sender's in nonce order (their mempool order),
ties by mempool order. Deterministic: integers and positions only."""

import heapq
from collections import deque
from collections.abc import Iterator

from ..evm import DecodedTx


def effective_tip(dtx: DecodedTx, base_fee_wei: int) -> int:
    return min(dtx.tx.max_priority_fee_per_gas, dtx.max_fee_per_gas - base_fee_wei)


class ByTip:
    """Iterate the txs by tip; `hold_back(sender)` drops the rest of a sender's txs (their nonces
    follow one that was left out)."""

    def __init__(self, txs: list[DecodedTx], base_fee_wei: int) -> None:
        self._base = base_fee_wei
        self._queues: dict[bytes, deque[tuple[int, DecodedTx]]] = {}
        waiting: set[bytes] = set()
        for position, dtx in enumerate(txs):
            if dtx.max_fee_per_gas < base_fee_wei or dtx.sender in waiting:
                waiting.add(dtx.sender)  # one that cannot pay the base fee waits, with the nonces after it
                continue
            self._queues.setdefault(dtx.sender, deque()).append((position, dtx))
        self._heap = [self._entry(queue[0]) for queue in self._queues.values()]
        heapq.heapify(self._heap)

    def _entry(self, item: tuple[int, DecodedTx]) -> tuple[int, int, DecodedTx]:
        position, dtx = item
        return -effective_tip(dtx, self._base), position, dtx

    def hold_back(self, sender: bytes) -> None:
        self._queues[sender].clear()

    def __iter__(self) -> Iterator[DecodedTx]:
        while self._heap:
            _, _, dtx = heapq.heappop(self._heap)
            queue = self._queues[dtx.sender]
            if queue and queue[0][1] is dtx:
                queue.popleft()
                yield dtx
            if queue:
                heapq.heappush(self._heap, self._entry(queue[0]))
