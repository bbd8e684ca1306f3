"""Running a transport until its task is cancelled: the part both servers share."""

import asyncio
from typing import Protocol


class Server(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


async def serve_until_cancelled(server: Server, ready: asyncio.Event | None = None) -> None:
    """Start `server`, set `ready` once it accepts connections, stop it when cancelled."""
    await server.start()
    try:
        if ready is not None:
            ready.set()
        await asyncio.get_running_loop().create_future()
    finally:
        await server.stop()
