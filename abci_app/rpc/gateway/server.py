"""JSON-RPC 2.0 over HTTP POST: `dispatch` (bytes in, bytes out) and a threaded HTTP server.

The standard library's ThreadingHTTPServer: one thread per connection, so a slow CometBFT call
does not hold up other clients. `Gateway.start()` serves from a daemon thread; `stop()` shuts it
down and joins. WebSocket (eth_subscribe) is not served yet.
"""

import json
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import structlog

from .chain import CometChain
from .errors import INTERNAL_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, PARSE_ERROR, JsonRpcError
from .methods import METHODS

log = structlog.get_logger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8545
MAX_BODY_BYTES = 5 * 1024 * 1024
MAX_BATCH = 1000


def _error(request_id, error: JsonRpcError) -> dict:
    return {"jsonrpc": "2.0", "id": request_id, "error": error.to_json()}


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
    except (ValueError, UnicodeDecodeError):
        return json.dumps(_error(None, JsonRpcError(PARSE_ERROR, "parse error"))).encode()
    if isinstance(request, list):
        if not request or len(request) > MAX_BATCH:
            return json.dumps(_error(None, JsonRpcError(INVALID_REQUEST, f"a batch holds 1 to {MAX_BATCH} requests"))).encode()
        answers = [a for a in (handle_one(chain, r) for r in request) if a is not None]
        return json.dumps(answers).encode() if answers else None
    answer = handle_one(chain, request)
    return None if answer is None else json.dumps(answer).encode()


class _Handler(BaseHTTPRequestHandler):
    server: "Gateway"
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            return self._reply(HTTPStatus.LENGTH_REQUIRED, b"")
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            body = json.dumps(_error(None, JsonRpcError(INVALID_REQUEST, "request too large"))).encode()
            return self._reply(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, body)
        answer = dispatch(self.server.chain, self.rfile.read(length))
        self._reply(HTTPStatus.OK if answer is not None else HTTPStatus.NO_CONTENT, answer or b"")

    def do_OPTIONS(self) -> None:  # noqa: N802
        self._reply(HTTPStatus.NO_CONTENT, b"")

    def do_GET(self) -> None:  # noqa: N802
        self._reply(HTTPStatus.METHOD_NOT_ALLOWED, b"")

    def _reply(self, status: HTTPStatus, body: bytes) -> None:
        self.send_response(status)
        if body:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if self.server.cors_origin:
            self.send_header("Access-Control-Allow-Origin", self.server.cors_origin)
            self.send_header("Access-Control-Allow-Methods", "POST, OPTIONS")
            self.send_header("Access-Control-Allow-Headers", "Content-Type")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # quiet: structlog is the project's log
        pass


class Gateway(ThreadingHTTPServer):
    """The Ethereum JSON-RPC gateway of one node: `Gateway(rpc_url, port=0).start()`; `stop()`."""

    daemon_threads = True

    def __init__(self, rpc_url: str, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                 cors_origin: str | None = None) -> None:
        super().__init__((host, port), _Handler)
        self.chain = CometChain(rpc_url)
        self.cors_origin = cors_origin
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self.server_address[0]}:{self.port}"

    def start(self) -> "Gateway":
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="eth-gateway", daemon=True)
        self._thread.start()
        log.info("gateway_listening", url=self.url)
        return self

    def stop(self, timeout_s: float = 5.0) -> None:
        if self._thread is not None:
            self.shutdown()
            self._thread.join(timeout_s)
            self._thread = None
        self.server_close()
