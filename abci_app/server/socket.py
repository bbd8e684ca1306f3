"""The ABCI socket transport (`cometbft node --proxy_app tcp://host:port`), on asyncio.

CometBFT opens four connections (query, snapshot, mempool, consensus) and pipelines requests on
each, expecting the responses in request order. Every connection reads frames and calls the
application as they come; its responses go out in request order, so a Flush response follows
everything before it. The application methods are synchronous and run on the event loop, so
calls from different connections never overlap; a Query is awaited (`query_async`), so a query
answered elsewhere holds up only the responses after it on its own connection, never the other
connections (consensus). A connection owes at most MAX_OWED responses before it stops reading.

A connection that sends garbage is closed (and logged) without disturbing the others: its byte
stream cannot be resynchronised. An application exception is answered with ResponseException,
which makes CometBFT stop: the right outcome for a bug in FinalizeBlock or Commit.
"""

import asyncio
from collections.abc import Awaitable
from contextlib import suppress

import structlog
from google.protobuf.message import DecodeError

from ..abci import Application, types
from .framing import FrameDecoder, FramingError, encode_frame
from .lifecycle import serve_until_cancelled

log = structlog.get_logger(__name__)

READ_CHUNK_BYTES = 64 * 1024
MAX_OWED = 256  # responses one connection may owe (queries under way) before it reads no more


class BadRequest(ValueError):
    """A complete frame whose body is not a usable Request."""


def parse_request(body: bytes) -> types.Request:
    try:
        request = types.Request.FromString(body)
    except DecodeError as exc:
        raise BadRequest(f"undecodable Request ({len(body)} bytes): {exc}") from exc
    if request.WhichOneof("value") is None:
        raise BadRequest(f"Request with no known call ({len(body)} bytes)")
    return request


def respond(app: Application, request: types.Request) -> types.Response:
    """The Response for one Request; Flush is answered here, everything else by the app."""
    kind = request.WhichOneof("value")
    if kind == "flush":
        return types.Response(flush=types.ResponseFlush())
    try:
        response = types.Response(**{kind: getattr(app, kind)(getattr(request, kind))})
        if response.WhichOneof("value") != kind:
            raise TypeError(f"{kind} returned no response")
        return response
    except Exception as exc:
        log.exception("abci_app_failed", call=kind)
        return types.Response(exception=types.ResponseException(error=f"{kind}: {type(exc).__name__}: {exc}"))


async def respond_to_query(app: Application, request: types.Request) -> types.Response:
    """The Response to a Query, awaited (the app may answer it in another process)."""
    try:
        response = await app.query_async(request.query)
        if response is None:
            raise TypeError("query returned no response")
        return types.Response(query=response)
    except Exception as exc:
        log.exception("abci_app_failed", call="query")
        return types.Response(exception=types.ResponseException(error=f"query: {type(exc).__name__}: {exc}"))


def answer(app: Application, request: types.Request) -> types.Response | Awaitable[types.Response]:
    """The Response now, or for a Query a task that will have it."""
    if request.WhichOneof("value") == "query":
        return asyncio.ensure_future(respond_to_query(app, request))
    return respond(app, request)


class SocketServer:
    """Serves one application to any number of connections on host:port (port 0: any free)."""

    def __init__(self, app: Application, host: str, port: int) -> None:
        self._app = app
        self._host = host
        self._port = port
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task] = set()

    @property
    def port(self) -> int:
        """The bound port, once started."""
        return self._server.sockets[0].getsockname()[1]

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve_connection, self._host, self._port)
        log.info("abci_socket_listening", host=self._host, port=self.port)

    async def stop(self) -> None:
        """Stop accepting, then close every open connection."""
        self._server.close()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        await self._server.wait_closed()

    async def _serve_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self._connections.add(task)
        peer = writer.get_extra_info("peername")
        log.info("abci_connection_opened", peer=peer)
        try:
            await self._converse(reader, writer)
            log.info("abci_connection_closed", peer=peer)
        except (FramingError, BadRequest) as exc:
            log.warning("abci_connection_garbage", peer=peer, error=str(exc))
        except ConnectionError as exc:
            log.info("abci_connection_lost", peer=peer, error=str(exc))
        except asyncio.CancelledError:  # the server is stopping: end as a closed connection does
            log.info("abci_connection_closed", peer=peer, reason="server stopping")
        finally:
            self._connections.discard(task)
            writer.close()
            with suppress(ConnectionError):
                await writer.wait_closed()

    async def _converse(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Write the answers in request order as they become ready, while `_read` reads on."""
        owed: asyncio.Queue = asyncio.Queue(MAX_OWED)
        reading = asyncio.create_task(self._read(reader, owed))
        try:
            while (item := await owed.get()) is not None:
                if isinstance(item, Exception):
                    raise item  # how reading ended: garbage, a lost connection
                request, response = item
                if not isinstance(response, types.Response):
                    response = await response
                writer.write(encode_frame(response.SerializeToString()))
                if request.HasField("flush") or owed.empty():
                    await writer.drain()
        finally:
            reading.cancel()
            while not owed.empty():
                item = owed.get_nowait()
                if isinstance(item, tuple) and not isinstance(item[1], types.Response):
                    item[1].cancel()

    async def _read(self, reader: asyncio.StreamReader, owed: asyncio.Queue) -> None:
        """Read frames and answer them (a Query: start answering) until the peer closes, then a
        None after the last answer owed; or the exception that ended reading (garbage)."""
        try:
            decoder = FrameDecoder()
            while chunk := await reader.read(READ_CHUNK_BYTES):
                for body in decoder.feed(chunk):
                    request = parse_request(body)
                    await owed.put((request, answer(self._app, request)))
            if decoder.pending_bytes:
                raise FramingError(f"connection closed inside a frame ({decoder.pending_bytes} bytes pending)")
        except Exception as exc:
            await owed.put(exc)
            return
        await owed.put(None)


async def serve_socket(app: Application, host: str, port: int, *, ready: asyncio.Event | None = None) -> None:
    """Serve `app` until cancelled; `ready` is set once the port accepts connections."""
    await serve_until_cancelled(SocketServer(app, host, port), ready)
