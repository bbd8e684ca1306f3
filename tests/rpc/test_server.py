"""The JSON-RPC 2.0 envelope: parse errors, batches, unknown methods, bad params; over HTTP too.

No chain is needed: every request here is answered before a method reads the chain, or by a
method that does not read it. `Untouchable` fails the test if anything does.
"""

import http.client
import json
import socket
import urllib.error
import urllib.request

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from abci_app.rpc.gateway import Gateway, dispatch
from abci_app.rpc.gateway.errors import INVALID_PARAMS, INVALID_REQUEST, METHOD_NOT_FOUND, PARSE_ERROR
from abci_app.rpc.gateway.methods import CLIENT_VERSION
from abci_app.rpc.gateway.server import MAX_BODY_BYTES


class Untouchable:
    def __getattr__(self, name):
        raise AssertionError(f"the chain was read ({name}) for a request that should not read it")


def call(body) -> object:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    answer = dispatch(Untouchable(), raw)
    return None if answer is None else json.loads(answer)


def request(method, params=None, request_id=1):
    return {"jsonrpc": "2.0", "id": request_id, "method": method, "params": [] if params is None else params}


def test_client_version():
    assert call(request("web3_clientVersion")) == {"jsonrpc": "2.0", "id": 1, "result": CLIENT_VERSION}


def test_net_listening_without_params_field():
    assert call({"jsonrpc": "2.0", "id": "a", "method": "net_listening"})["result"] is True


def test_parse_error():
    answer = call(b"{not json")
    assert answer["error"]["code"] == PARSE_ERROR and answer["id"] is None


def test_unknown_method():
    answer = call(request("eth_mine", request_id=9))
    assert answer["id"] == 9 and answer["error"]["code"] == METHOD_NOT_FOUND


@pytest.mark.parametrize("params", [
    ["0xnot-an-address", "latest"],
    ["0x000000000000000000000000000000000000bEEF", "newest"],
    [],
    ["0x000000000000000000000000000000000000bEEF", "latest", "extra"],
    {"address": "0x000000000000000000000000000000000000bEEF"},
])
def test_bad_params(params):
    assert call(request("eth_getBalance", params))["error"]["code"] == INVALID_PARAMS


def test_bad_raw_tx_and_hash_params():
    assert call(request("eth_sendRawTransaction", ["0xabc"]))["error"]["code"] == INVALID_PARAMS
    assert call(request("eth_getTransactionReceipt", ["0x1234"]))["error"]["code"] == INVALID_PARAMS
    assert call(request("eth_getBlockByNumber", ["latest", "yes"]))["error"]["code"] == INVALID_PARAMS


@pytest.mark.parametrize("body", [[1], {"id": 1, "method": "net_listening"}, {"jsonrpc": "2.0", "id": 1}, "text"])
def test_invalid_requests(body):
    answer = call(body)
    answer = answer[0] if isinstance(answer, list) else answer
    assert answer["error"]["code"] == INVALID_REQUEST


def test_batch_answers_each_in_order():
    answers = call([request("web3_clientVersion", request_id=1), request("nope", request_id=2),
                    request("net_listening", request_id=3)])
    assert [a["id"] for a in answers] == [1, 2, 3]
    assert answers[0]["result"] == CLIENT_VERSION
    assert answers[1]["error"]["code"] == METHOD_NOT_FOUND
    assert answers[2]["result"] is True


def test_empty_batch_is_invalid():
    assert call([])["error"]["code"] == INVALID_REQUEST


def test_notifications_get_no_answer():
    assert call({"jsonrpc": "2.0", "method": "net_listening"}) is None
    assert call([{"jsonrpc": "2.0", "method": "net_listening"}, request("net_listening", request_id=5)]) == [
        {"jsonrpc": "2.0", "id": 5, "result": True}]


@pytest.fixture
def gateway():
    # nothing listens on this CometBFT URL: methods that read the chain answer -32000
    server = Gateway("http://127.0.0.1:9", port=0, cors="*").start()
    try:
        yield server
    finally:
        server.stop()


def post(url, body: bytes, headers: dict | None = None):
    req = urllib.request.Request(url, body, {"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_http_gateway_keeps_serving_after_bad_input(gateway):
    status, _, body = post(gateway.url, b"{broken")
    assert status == 200 and json.loads(body)["error"]["code"] == PARSE_ERROR
    status, _, body = post(gateway.url, json.dumps(request("eth_chainId")).encode())
    assert json.loads(body)["error"]["code"] == -32000  # CometBFT unreachable: a server error
    status, headers, body = post(gateway.url, json.dumps(request("web3_clientVersion")).encode(),
                                 {"Origin": "https://shop.example"})
    assert status == 200 and json.loads(body)["result"] == CLIENT_VERSION
    assert headers["Access-Control-Allow-Origin"] == "*"


def test_http_oversized_request_is_refused(gateway):
    # announce a body past the limit: the gateway answers 413 without reading it
    with socket.create_connection(("127.0.0.1", gateway.port), timeout=10) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     + f"Content-Length: {MAX_BODY_BYTES + 1}\r\n\r\n".encode() + b"[")
        response = http.client.HTTPResponse(sock)
        response.begin()
        assert response.status == 413
        assert json.loads(response.read())["error"]["code"] == INVALID_REQUEST
    status, _, body = post(gateway.url, json.dumps(request("net_listening")).encode())
    assert json.loads(body)["result"] is True


def test_http_get_is_not_allowed(gateway):
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(gateway.url, timeout=10)
    assert info.value.code == 405


def test_websocket_serves_json_rpc_and_refuses_bad_subscriptions(gateway):
    with connect(gateway.ws_url, open_timeout=10) as ws:
        ws.send(json.dumps(request("web3_clientVersion")))
        assert json.loads(ws.recv(10))["result"] == CLIENT_VERSION
        ws.send(b"{broken")
        assert json.loads(ws.recv(10))["error"]["code"] == PARSE_ERROR
        for params in ([], ["newPendingTransactions"], ["newHeads", {}], ["logs", {"address": "0x12"}]):
            ws.send(json.dumps(request("eth_subscribe", params)))
            assert json.loads(ws.recv(10))["error"]["code"] == INVALID_PARAMS, params
        ws.send(json.dumps(request("eth_unsubscribe", ["0x1"])))
        assert json.loads(ws.recv(10))["result"] is False
        ws.send(json.dumps(request("eth_subscribe", ["newHeads"])))  # the node is unreachable
        assert json.loads(ws.recv(10))["error"]["code"] == -32000
        ws.send(json.dumps([request("net_listening", request_id=1), request("eth_mine", request_id=2)]))
        answers = json.loads(ws.recv(10))
        assert answers[0]["result"] is True and answers[1]["error"]["code"] == METHOD_NOT_FOUND


def test_subscribing_needs_a_websocket(gateway):
    _, _, body = post(gateway.url, json.dumps(request("eth_subscribe", ["newHeads"])).encode())
    error = json.loads(body)["error"]
    assert error["code"] == METHOD_NOT_FOUND and "WebSocket" in error["message"]


def test_no_browser_origin_is_allowed_unless_named():
    """Issue 14: CORS defaulted to `*`, letting any web page drive a node's gateway from its
    visitors' browsers."""
    server = Gateway("http://127.0.0.1:9", port=0).start()
    try:
        _, headers, _ = post(server.url, json.dumps(request("web3_clientVersion")).encode(),
                             {"Origin": "https://shop.example"})
        assert "Access-Control-Allow-Origin" not in headers
    finally:
        server.stop()


def test_cors_can_be_limited_to_listed_origins():
    server = Gateway("http://127.0.0.1:9", port=0, cors="https://shop.example").start()
    try:
        _, headers, _ = post(server.url, json.dumps(request("net_listening")).encode(), {"Origin": "https://shop.example"})
        assert headers["Access-Control-Allow-Origin"] == "https://shop.example"
        _, headers, _ = post(server.url, json.dumps(request("net_listening")).encode(), {"Origin": "https://evil.example"})
        assert "Access-Control-Allow-Origin" not in headers
        with pytest.raises(InvalidStatus):
            connect(server.ws_url, origin="https://evil.example", open_timeout=10)
        with connect(server.ws_url, origin="https://shop.example", open_timeout=10) as ws:
            ws.send(json.dumps(request("net_listening")))
            assert json.loads(ws.recv(10))["result"] is True
    finally:
        server.stop()


def test_the_gateways_own_explorer_page_may_open_its_websocket_and_no_other_origin():
    """The explorer the gateway serves is of the gateway's own origin; any other stays refused."""
    server = Gateway("http://127.0.0.1:9", port=0, explorer=True).start()
    try:
        for path in ("", "/explorer/api/ws"):
            with connect(server.ws_url + path, origin=server.url, open_timeout=10) as ws:
                ws.send(json.dumps(request("net_listening")))
                assert json.loads(ws.recv(10))["result"] is True
            with connect(server.ws_url + path, origin=f"https://{server.host}:{server.port}", open_timeout=10):
                pass   # the same page behind a TLS proxy
            for foreign in ("https://evil.example", f"http://127.0.0.1:{server.port + 1}", "null"):
                with pytest.raises(InvalidStatus):
                    connect(server.ws_url + path, origin=foreign, open_timeout=10)
    finally:
        server.stop()


def test_subscriptions_are_bounded_per_connection_and_in_all():
    """Issue 14: eth_subscribe had no bound; each subscription costs a filter match per block."""
    from abci_app.rpc.gateway import subscriptions
    from abci_app.rpc.gateway.errors import LimitExceeded

    live = subscriptions.Subscriptions(chain=None, run_blocking=None)
    greedy, other = object(), object()
    for _ in range(subscriptions.MAX_PER_CONNECTION):
        live.add(greedy, "newHeads", None, 1)
    with pytest.raises(LimitExceeded, match="on this connection"):
        live.add(greedy, "newHeads", None, 1)
    assert live.add(other, "newHeads", None, 1).startswith("0x")  # another connection still can
    crowd = [object() for _ in range(subscriptions.MAX_PER_PEER // subscriptions.MAX_PER_CONNECTION)]
    for ws in crowd:
        for _ in range(subscriptions.MAX_PER_CONNECTION):
            live.add(ws, "newHeads", None, 1, peer="10.0.0.9")
    with pytest.raises(LimitExceeded, match="from this address"):
        live.add(object(), "newHeads", None, 1, peer="10.0.0.9")  # one client's connections together
    assert live.add(object(), "newHeads", None, 1, peer="10.0.0.10")
