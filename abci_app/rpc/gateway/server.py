"""JSON-RPC 2.0 over HTTP POST and WebSocket on one port: `dispatch` (bytes in, bytes out) and
the aiohttp server around it.

Method handlers block on CometBFT's RPC, so they run on a thread pool; the event loop only moves
bytes and pushes subscriptions. `Gateway.start()` binds the port (OSError if taken) and serves
from a daemon thread with its own event loop; `stop()` closes every connection and joins.
"""

import asyncio
import json
import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import structlog
from aiohttp import WSMsgType, web

from ...explorer import server as explorer
from . import formats as fmt
from .chain import CometChain
from .errors import (INTERNAL_ERROR, INVALID_PARAMS, INVALID_REQUEST, METHOD_NOT_FOUND, PARSE_ERROR, InvalidParams,
                     JsonRpcError)
from .filters import LogLimits
from .methods import METHODS
from .subscriptions import KINDS, Subscriptions

log = structlog.get_logger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8545
DEFAULT_CORS = ""         # no browser origin unless the operator names some (or "*")
MAX_BODY_BYTES = 5 * 1024 * 1024
MAX_BATCH = 1000
WORKER_THREADS = 8
START_TIMEOUT_S = 10.0
STOP_GRACE_S = 1.0  # what requests under way get to finish when the gateway stops


def _error(request_id, error: JsonRpcError) -> dict:
    return {"jsonrpc": "2.0", "id": request_id, "error": error.to_json()}


def _encode(answer) -> bytes:
    return json.dumps(answer).encode()


def handle_one(chain: CometChain, request) -> dict | None:
    """Answer one request object; None for a notification (a request without an id)."""
    if not isinstance(request, dict) or request.get("jsonrpc") != "2.0" or not isinstance(request.get("method"), str):
        return _error(request.get("id") if isinstance(request, dict) else None,
                      JsonRpcError(INVALID_REQUEST, "invalid request"))
    request_id = request.get("id")
    method = METHODS.get(request["method"])
    try:
        if method is None:
            raise JsonRpcError(METHOD_NOT_FOUND, f"the method {request['method']} does not exist/is not available")
        result = method.handler(chain, *method.parse(request.get("params")))
        answer = {"jsonrpc": "2.0", "id": request_id, "result": result}
    except JsonRpcError as exc:
        answer = _error(request_id, exc)
    except Exception:  # a bug: answer -32603 and keep serving
        log.exception("gateway_method_failed", method=request["method"])
        answer = _error(request_id, JsonRpcError(INTERNAL_ERROR, "internal error"))
    return answer if "id" in request else None


def dispatch(chain: CometChain, body: bytes) -> bytes | None:
    """A JSON-RPC body in, the answer body out (None when there is nothing to answer)."""
    try:
        request = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return _encode(_error(None, JsonRpcError(PARSE_ERROR, "parse error")))
    if isinstance(request, list):
        if not request or len(request) > MAX_BATCH:
            return _encode(_error(None, JsonRpcError(INVALID_REQUEST, f"a batch holds 1 to {MAX_BATCH} requests")))
        answers = [a for a in (handle_one(chain, r) for r in request) if a is not None]
        return _encode(answers) if answers else None
    answer = handle_one(chain, request)
    return None if answer is None else _encode(answer)


def _parse_subscription(params) -> tuple[str, dict | None]:
    """eth_subscribe's params: ["newHeads"] or ["logs", {address, topics}]."""
    if not isinstance(params, list) or not params or params[0] not in KINDS or len(params) > 2:
        raise InvalidParams(f"subscribe to one of {', '.join(KINDS)}")
    if params[0] == "newHeads":
        if len(params) != 1:
            raise InvalidParams("newHeads takes no filter")
        return "newHeads", None
    return "logs", fmt.parse_log_filter(params[1] if len(params) == 2 else {})


class Gateway:
    """The Ethereum JSON-RPC gateway of one node: `Gateway(rpc_url, port=0).start()`; `stop()`.

    `cors` is the allowed browser origin: "*" (any), a comma-separated list, or "" (none). It
    answers CORS preflights and, for WebSocket, refuses a browser from another origin."""

    def __init__(self, rpc_url: str, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                 cors: str = DEFAULT_CORS, limits: LogLimits = LogLimits(), explorer: bool = False) -> None:
        self.chain = CometChain(rpc_url, limits=limits)
        self.rpc_url, self.explorer = rpc_url, explorer
        self.host, self._port = host, port
        self.origins = frozenset(o.strip() for o in cors.split(",") if o.strip())
        self._executor = ThreadPoolExecutor(WORKER_THREADS, thread_name_prefix="eth-gateway")
        self._loop = asyncio.new_event_loop()
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._poller: asyncio.Task | None = None
        self.subscriptions = Subscriptions(self.chain, self._blocking)

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    # lifecycle

    def start(self) -> "Gateway":
        """Bind the port (OSError if it is taken) and serve from a daemon thread."""
        listener = socket.create_server((self.host, self._port), backlog=128)
        self._port = listener.getsockname()[1]
        self._thread = threading.Thread(target=self._loop.run_forever, name="eth-gateway-loop", daemon=True)
        self._thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self._serve(listener), self._loop).result(START_TIMEOUT_S)
        except BaseException:
            self.stop()
            raise
        log.info("gateway_listening", url=self.url, websocket=self.ws_url)
        return self

    async def _serve(self, listener: socket.socket) -> None:
        app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[self._cors])
        app.router.add_post("/", self._http)
        app.router.add_get("/", self._websocket)
        app.router.add_route("OPTIONS", "/", self._preflight)
        if self.explorer:
            explorer.add_routes(app, self.rpc_url, self._http, self._websocket)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=STOP_GRACE_S)
        await self._runner.setup()
        await web.SockSite(self._runner, listener).start()
        self._poller = asyncio.ensure_future(self.subscriptions.run())

    def stop(self, timeout_s: float = 5.0) -> None:
        if self._thread is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(timeout_s)
        except Exception as exc:  # stopping anyway
            log.warning("gateway_stop_unclean", error=str(exc))
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout_s)
        self._thread = None
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def _shutdown(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _blocking(self, function, *args):
        return await self._loop.run_in_executor(self._executor, function, *args)

    # HTTP

    def _allowed(self, origin: str | None) -> bool:
        return origin is None or "*" in self.origins or origin in self.origins

    @web.middleware
    async def _cors(self, request: web.Request, handler):
        response = await handler(request)
        origin = request.headers.get("Origin")
        if origin is not None and self._allowed(origin):
            response.headers["Access-Control-Allow-Origin"] = "*" if "*" in self.origins else origin
            response.headers["Access-Control-Allow-Methods"] = "POST, GET, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        return response

    async def _preflight(self, request: web.Request) -> web.Response:
        return web.Response(status=204)

    async def _http(self, request: web.Request) -> web.Response:
        if (request.content_length or 0) > MAX_BODY_BYTES:
            return _json_response(_error(None, JsonRpcError(INVALID_REQUEST, "request too large")), status=413)
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return _json_response(_error(None, JsonRpcError(INVALID_REQUEST, "request too large")), status=413)
        answer = await self._blocking(dispatch, self.chain, body)
        if answer is None:
            return web.Response(status=204)
        return web.Response(body=answer, content_type="application/json")

    # WebSocket

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() != "websocket":
            return _json_response(_error(None, JsonRpcError(INVALID_REQUEST, "POST JSON-RPC, or open a WebSocket")),
                                  status=405)
        if not (self._allowed(request.headers.get("Origin")) or explorer.same_origin(request)):   # or its own page
            return web.Response(status=403, text="origin not allowed")
        ws = web.WebSocketResponse(max_msg_size=MAX_BODY_BYTES, heartbeat=30)
        await ws.prepare(request)
        try:
            async for message in ws:
                if message.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                    await self._ws_message(ws, message.data, request.remote or "")
        finally:
            self.subscriptions.drop(ws)
        return ws

    async def _ws_message(self, ws: web.WebSocketResponse, data: str | bytes, peer: str) -> None:
        raw = data.encode() if isinstance(data, str) else data
        try:
            request = json.loads(raw)
        except (ValueError, UnicodeDecodeError, RecursionError):
            request = None
        method = request.get("method") if isinstance(request, dict) else None
        if method in ("eth_subscribe", "eth_unsubscribe") and "id" in request:
            return await self._ws_subscription(ws, request, peer)
        answer = await self._blocking(dispatch, self.chain, raw)
        if answer is not None and not ws.closed:
            await ws.send_str(answer.decode())

    async def _ws_subscription(self, ws: web.WebSocketResponse, request: dict, peer: str) -> None:
        """eth_subscribe answers the new id, then the subscription goes live; eth_unsubscribe
        answers whether this connection had that subscription."""
        request_id, params = request["id"], request.get("params")
        subscription_id = None
        try:
            if request["method"] == "eth_subscribe":
                kind, spec = _parse_subscription(params)
                latest = await self._blocking(self.chain.height)
                subscription_id = result = self.subscriptions.add(ws, kind, spec, latest + 1, peer)
            elif not isinstance(params, list) or len(params) != 1 or not isinstance(params[0], str):
                raise JsonRpcError(INVALID_PARAMS, "eth_unsubscribe takes one subscription id")
            else:
                result = self.subscriptions.remove(ws, params[0])
            answer = {"jsonrpc": "2.0", "id": request_id, "result": result}
        except JsonRpcError as exc:
            answer = _error(request_id, exc)
        await ws.send_json(answer)
        if subscription_id is not None:
            self.subscriptions.activate(subscription_id)


def _json_response(answer: dict, status: int) -> web.Response:
    return web.Response(body=_encode(answer), status=status, content_type="application/json")
