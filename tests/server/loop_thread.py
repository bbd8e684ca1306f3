"""An asyncio loop in a background thread, so blocking test code can talk to servers on it."""

import asyncio
import threading

TIMEOUT_S = 10


class LoopThread:
    """`run(coro)` runs a coroutine on the loop and waits for its result, with a timeout."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, coro, timeout_s: float = TIMEOUT_S):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout_s)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(TIMEOUT_S)
        self.loop.close()
