"""The gRPC server against the generated client stub, as CometBFT's `--abci grpc` client calls it."""

import grpc
import pytest
from structlog.testing import capture_logs

from abci_app.abci import types
from abci_app.abci.proto.tendermint.abci.types_pb2_grpc import ABCIStub

TIMEOUT_S = 5


@pytest.fixture
def stub(grpc_server):
    with grpc.insecure_channel(f"127.0.0.1:{grpc_server.port}") as channel:
        yield ABCIStub(channel)


def test_echo_and_flush(stub):
    assert stub.Echo(types.RequestEcho(message="hello"), timeout=TIMEOUT_S).message == "hello"
    assert stub.Flush(types.RequestFlush(), timeout=TIMEOUT_S) == types.ResponseFlush()


def test_info(stub):
    info = stub.Info(types.RequestInfo(version="0.38.25"), timeout=TIMEOUT_S)
    assert info.last_block_height == 0


def test_check_tx(stub):
    assert stub.CheckTx(types.RequestCheckTx(tx=b"abcd"), timeout=TIMEOUT_S).gas_wanted == 4


def test_finalize_block_returns_one_result_per_tx(stub):
    block = stub.FinalizeBlock(types.RequestFinalizeBlock(txs=[b"1", b"2", b"3"], height=1), timeout=TIMEOUT_S)
    assert [result.code for result in block.tx_results] == [0, 0, 0]


def test_block_larger_than_grpc_default_limit(stub):
    txs = [b"x" * 1024 * 1024] * 6
    block = stub.FinalizeBlock(types.RequestFinalizeBlock(txs=txs), timeout=TIMEOUT_S)
    assert len(block.tx_results) == 6


def test_app_exception_is_internal_error(stub):
    with capture_logs() as logs, pytest.raises(grpc.RpcError) as failure:
        stub.CheckTx(types.RequestCheckTx(tx=b"boom"), timeout=TIMEOUT_S)
    assert failure.value.code() == grpc.StatusCode.INTERNAL
    assert "scripted failure" in failure.value.details()
    assert any(entry["event"] == "abci_app_failed" for entry in logs)
    assert stub.Echo(types.RequestEcho(message="still here"), timeout=TIMEOUT_S).message == "still here"


def test_app_returning_nothing_is_internal_error(stub):
    with pytest.raises(grpc.RpcError) as failure:
        stub.Query(types.RequestQuery(data=b"k"), timeout=TIMEOUT_S)
    assert failure.value.code() == grpc.StatusCode.INTERNAL
    assert "query returned no response" in failure.value.details()


def test_a_slow_query_holds_up_no_other_call(stub, app):
    """Issue 14: a query answered elsewhere (a worker process) lets FinalizeBlock and Commit go on."""
    slow = stub.Query.future(types.RequestQuery(path="/slow"), timeout=TIMEOUT_S)
    assert len(stub.FinalizeBlock(types.RequestFinalizeBlock(txs=[b"1"]), timeout=TIMEOUT_S).tx_results) == 1
    stub.Commit(types.RequestCommit(), timeout=TIMEOUT_S)
    assert not slow.done()
    app.gate.set()
    assert slow.result(timeout=TIMEOUT_S).value == b"slow"
