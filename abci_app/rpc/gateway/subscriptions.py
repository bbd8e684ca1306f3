"""eth_subscribe over WebSocket: `newHeads` and `logs`, pushed as blocks are committed.

One poller per gateway follows the app's committed height (every POLL_S while anyone is
subscribed) and, for each new block in order, sends its header to `newHeads` subscribers and
its matching logs to each `logs` subscriber. A subscription starts with the block after the
last committed one when it was made (so a block committed before the first poll is not missed),
and is active only once its id has been answered, so no notification overtakes the answer.
"""

import asyncio
import secrets
from collections.abc import Callable
from dataclasses import dataclass

import structlog
from aiohttp import web

from . import blocks, methods
from .chain import CometChain
from .errors import LimitExceeded

log = structlog.get_logger(__name__)

POLL_S = 0.25
KINDS = ("newHeads", "logs")
MAX_PER_CONNECTION = 100   # each subscription costs a filter match per block: a client's share
MAX_PER_PEER = 1_000       # one address's connections together, so one client cannot take them all
MAX_SUBSCRIPTIONS = 10_000


@dataclass(slots=True)
class Subscription:
    ws: web.WebSocketResponse
    kind: str
    spec: dict | None     # the parsed log filter of a `logs` subscription
    first_height: int     # the first block it is told about
    peer: str = ""        # the client's address
    active: bool = False


class Subscriptions:
    """The live subscriptions of one gateway; used from its event loop only."""

    def __init__(self, chain: CometChain, run_blocking: Callable) -> None:
        self.chain = chain
        self._run = run_blocking          # awaits a blocking chain read off the event loop
        self._subscriptions: dict[str, Subscription] = {}
        self._next_height: int | None = None

    def add(self, ws: web.WebSocketResponse, kind: str, spec: dict | None, first_height: int, peer: str = "") -> str:
        live = self._subscriptions.values()
        if sum(s.ws is ws for s in live) >= MAX_PER_CONNECTION:
            raise LimitExceeded(f"too many subscriptions on this connection (at most {MAX_PER_CONNECTION})")
        if sum(s.peer == peer for s in live) >= MAX_PER_PEER:
            raise LimitExceeded(f"too many subscriptions from this address (at most {MAX_PER_PEER})")
        if len(self._subscriptions) >= MAX_SUBSCRIPTIONS:
            raise LimitExceeded(f"too many subscriptions on this gateway (at most {MAX_SUBSCRIPTIONS})")
        subscription_id = "0x" + secrets.token_hex(16)
        self._subscriptions[subscription_id] = Subscription(ws, kind, spec, first_height, peer)
        return subscription_id

    def activate(self, subscription_id: str) -> None:
        if subscription_id in self._subscriptions:
            self._subscriptions[subscription_id].active = True

    def remove(self, ws: web.WebSocketResponse, subscription_id: str) -> bool:
        """Only the connection that made a subscription may end it."""
        found = self._subscriptions.get(subscription_id)
        if found is None or found.ws is not ws:
            return False
        del self._subscriptions[subscription_id]
        return True

    def drop(self, ws: web.WebSocketResponse) -> None:
        """A connection closed: its subscriptions end with it."""
        for subscription_id in [i for i, s in self._subscriptions.items() if s.ws is ws]:
            del self._subscriptions[subscription_id]

    async def run(self) -> None:
        """Follow the chain until cancelled; a failed poll is logged and retried."""
        while True:
            await asyncio.sleep(POLL_S)
            if not self._subscriptions:
                self._next_height = None
                continue
            try:
                latest = await self._run(self.chain.height)
                if self._next_height is None:
                    self._next_height = min(s.first_height for s in self._subscriptions.values())
                while self._next_height <= latest:
                    await self._publish(self._next_height)
                    self._next_height += 1
            except Exception as exc:  # the node is restarting or a client went away: try again
                log.warning("subscription_poll_failed", error=str(exc))

    async def _publish(self, height: int) -> None:
        block = await self._run(self.chain.block, height)
        if block is None:
            return
        params = self.chain.params
        head = blocks.header(block, gas_limit=block.gas_limit(params.block_gas_limit),
                             base_fee_wei=block.base_fee_wei(params.min_gas_price_wei))
        for subscription_id, subscription in list(self._subscriptions.items()):
            if not subscription.active or height < subscription.first_height:
                continue
            if subscription.kind == "newHeads":
                results = [head]
            else:
                results = await self._run(methods.logs_between, self.chain, subscription.spec, height, height)
            for result in results:
                await _notify(subscription.ws, subscription_id, result)


async def _notify(ws: web.WebSocketResponse, subscription_id: str, result) -> None:
    if ws.closed:
        return
    await ws.send_json({"jsonrpc": "2.0", "method": "eth_subscription",
                        "params": {"subscription": subscription_id, "result": result}})
