"""The explorer's server without a browser: a passed-through answer is read whole however it
arrives, and refused past its bound (found by review: `read(n)` stopped at what had arrived, so
answers were cut off under load and the bound never held)."""

import asyncio

import pytest
from aiohttp import StreamReader
from aiohttp.base_protocol import BaseProtocol

from abci_app.explorer.server import TooLarge, read_bounded


class _Connected(BaseProtocol):
    """A protocol whose connection is open (a stream refuses to wait on a closed one)."""

    @property
    def connected(self) -> bool:
        return True


def _stream(chunks: list[bytes], pause_s: float = 0.01) -> StreamReader:
    """A response body that arrives in `chunks`, a pause before each, as a slow upstream sends it."""
    loop = asyncio.get_running_loop()
    stream = StreamReader(_Connected(loop), 2**16, loop=loop)

    async def feed() -> None:
        for chunk in chunks:
            await asyncio.sleep(pause_s)
            stream.feed_data(chunk)
        stream.feed_eof()
    asyncio.ensure_future(feed())
    return stream


def test_an_answer_arriving_in_pieces_is_read_whole():
    async def read() -> bytes:
        return await read_bounded(_stream([b"a" * 70_000, b"b" * 5, b"c" * 100_000]))
    assert asyncio.run(read()) == b"a" * 70_000 + b"b" * 5 + b"c" * 100_000


def test_an_answer_past_the_bound_is_refused():
    async def read() -> bytes:
        return await read_bounded(_stream([b"x" * 600] * 3), limit=1_000)
    with pytest.raises(TooLarge):
        asyncio.run(read())
