"""The socket server against a small client that speaks the wire format like CometBFT."""

import socket

import pytest
from structlog.testing import capture_logs

from abci_app.abci import types
from abci_app.server.client import WireClient
from abci_app.server.framing import MAX_FRAME_BYTES, encode_frame, encode_uvarint

TIMEOUT_S = 5


class ProbeClient(WireClient):
    def __init__(self, port: int) -> None:
        super().__init__(port, TIMEOUT_S)

    def assert_closed_by_server(self) -> None:
        assert self.sock.recv(65536) == b"", "expected the server to close the connection"


def echo(message: str) -> types.Request:
    return types.Request(echo=types.RequestEcho(message=message))


def check_tx(tx: bytes) -> types.Request:
    return types.Request(check_tx=types.RequestCheckTx(tx=tx))


def flush() -> types.Request:
    return types.Request(flush=types.RequestFlush())


@pytest.fixture
def connect(socket_server):
    clients = []

    def open_client() -> ProbeClient:
        clients.append(ProbeClient(socket_server.port))
        return clients[-1]

    yield open_client
    for client in clients:
        client.close()


def test_pipelined_requests_are_answered_in_order(connect):
    client = connect()
    requests = [echo(f"m{i}") if i % 2 else check_tx(b"t" * i) for i in range(100)]
    client.send(*requests, flush())
    responses = client.receive(101)
    for i, response in enumerate(responses[:100]):
        if i % 2:
            assert response.echo.message == f"m{i}"
        else:
            assert response.check_tx.gas_wanted == i
    assert responses[100].WhichOneof("value") == "flush"


def test_flush_is_answered_after_the_responses_before_it(connect):
    client = connect()
    client.send(check_tx(b"a"), echo("b"), flush(), echo("c"), flush())
    kinds = [r.WhichOneof("value") for r in client.receive(5)]
    assert kinds == ["check_tx", "echo", "flush", "echo", "flush"]


def test_every_call_reaches_the_app(connect):
    client = connect()
    info = client.call(types.Request(info=types.RequestInfo(version="0.38.25")))
    assert info.info.last_block_height == 0
    block = client.call(types.Request(finalize_block=types.RequestFinalizeBlock(txs=[b"1", b"2", b"3"])))
    assert len(block.finalize_block.tx_results) == 3
    proposal = client.call(types.Request(process_proposal=types.RequestProcessProposal()))
    assert proposal.process_proposal.status == types.ResponseProcessProposal.ACCEPT


def test_frames_sent_one_byte_at_a_time(connect):
    client = connect()
    stream = b"".join(encode_frame(r.SerializeToString()) for r in (echo("slow"), check_tx(b"xyz"), flush()))
    for i in range(len(stream)):
        client.sock.sendall(stream[i : i + 1])
    responses = client.receive(3)
    assert responses[0].echo.message == "slow"
    assert responses[1].check_tx.gas_wanted == 3


def test_a_slow_query_holds_up_only_its_own_connection(connect, app):
    """Issue 14: a query answered elsewhere (a worker process) keeps its place in its
    connection's order, and the consensus connection goes on meanwhile."""
    queries, consensus = connect(), connect()
    queries.send(types.Request(query=types.RequestQuery(path="/slow")), echo("after the query"), flush())
    block = consensus.call(types.Request(finalize_block=types.RequestFinalizeBlock(txs=[b"1"])))
    assert len(block.finalize_block.tx_results) == 1
    assert consensus.call(types.Request(commit=types.RequestCommit())).WhichOneof("value") == "commit"
    app.gate.set()
    responses = queries.receive(3)
    assert [r.WhichOneof("value") for r in responses] == ["query", "echo", "flush"]
    assert responses[0].query.value == b"slow" and responses[1].echo.message == "after the query"


def test_app_exception_becomes_response_exception_and_connection_stays(connect):
    client = connect()
    with capture_logs() as logs:
        response = client.call(check_tx(b"boom"))
    assert response.WhichOneof("value") == "exception"
    assert "scripted failure" in response.exception.error
    assert any(entry["event"] == "abci_app_failed" for entry in logs)
    assert client.call(echo("still here")).echo.message == "still here"


def test_app_returning_nothing_becomes_response_exception(connect):
    response = connect().call(types.Request(query=types.RequestQuery(data=b"k")))
    assert "query returned no response" in response.exception.error


GARBAGE = {
    "bad_varint": b"\x80" * 11,
    "absurd_length": encode_uvarint(MAX_FRAME_BYTES + 1),
    "undecodable_protobuf": encode_frame(b"\x0a\x05ab"),
    "empty_request": encode_frame(b""),
    "retired_begin_block_call": encode_frame(b"\x3a\x00"),
}


@pytest.mark.parametrize("garbage", GARBAGE.values(), ids=GARBAGE.keys())
def test_garbage_closes_only_that_connection(connect, garbage):
    other = connect()
    assert other.call(echo("before")).echo.message == "before"
    bad = connect()
    with capture_logs() as logs:
        bad.sock.sendall(encode_frame(echo("answered first").SerializeToString()) + garbage)
        assert bad.receive(1)[0].echo.message == "answered first"
        bad.assert_closed_by_server()
    assert any(entry["event"] == "abci_connection_garbage" for entry in logs)
    assert other.call(echo("after")).echo.message == "after"
    assert connect().call(echo("new")).echo.message == "new"


def test_truncated_frame_at_eof_is_garbage(connect):
    bad = connect()
    with capture_logs() as logs:
        bad.sock.sendall(encode_frame(echo("cut short").SerializeToString())[:-2])
        bad.sock.shutdown(socket.SHUT_WR)
        bad.assert_closed_by_server()
    assert any(entry["event"] == "abci_connection_garbage" for entry in logs)
    assert connect().call(echo("new")).echo.message == "new"


def test_connections_share_one_app_and_never_overlap(connect, app):
    first, second = connect(), connect()
    first.send(*[check_tx(b"1")] * 200, flush())
    second.send(*[check_tx(b"2")] * 200, flush())
    assert len(first.receive(201)) == len(second.receive(201)) == 201
    assert app.max_active_calls == 1
