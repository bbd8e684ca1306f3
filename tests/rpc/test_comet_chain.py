"""The gateway's view of its node: it reads the chain's params again after PARAMS_TTL_S (a
governance proposal may change the block gas limit and the minimum gas price while it runs), and
no word of CometBFT's or Python's reaches a client when the node fails or refuses."""

import pytest

from abci_app.rpc.cometbft import RpcError
from abci_app.rpc.gateway import chain as chain_module
from abci_app.rpc.gateway.chain import CometChain
from abci_app.rpc.gateway.errors import SERVER_ERROR, JsonRpcError


def test_params_are_read_again_once_they_are_a_second_old(monkeypatch):
    chain = CometChain("http://127.0.0.1:1")
    answers = iter([{"chain_id": "1818", "min_gas_price_wei": "1", "block_gas_limit": "100"},
                    {"chain_id": "1818", "min_gas_price_wei": "3", "block_gas_limit": "200"}])
    monkeypatch.setattr(chain, "_query_json", lambda path, height=0: next(answers))
    clock = [100.0]
    monkeypatch.setattr(chain_module.time, "monotonic", lambda: clock[0])
    assert (chain.params.block_gas_limit, chain.params.min_gas_price_wei) == (100, 1)
    clock[0] += 0.5
    assert chain.params.block_gas_limit == 100            # no second read within the second
    clock[0] += 1.0
    assert (chain.params.block_gas_limit, chain.params.min_gas_price_wei, chain.params.chain_id) == (200, 3, 1818)


class FailingRPC:
    """CometBFT as it fails: unreachable, or refusing a broadcast in its own words."""

    def __init__(self, broadcast_error: str = "") -> None:
        self.broadcast_error = broadcast_error

    def abci_query(self, path, data, height):
        raise RpcError("abci_query: cannot reach CometBFT at http://127.0.0.1:26657: <urlopen error [Errno 111]>")

    def call(self, method, **params):
        raise RpcError(f"{method}: {{'code': -32603, 'message': 'Internal error', 'data': 'json: cannot unmarshal'}}")

    def broadcast_tx_sync(self, raw):
        raise RpcError(f"broadcast_tx_sync: {{'code': -32603, 'data': '{self.broadcast_error}'}}")


@pytest.mark.parametrize(("theirs", "ours"), [
    ("tx already exists in cache", "already known"),
    ("mempool is full: number of txs 5000 (max: 5000)", "txpool is full"),
    ("tx too large. Max size is 1048576, but got 2000000", "oversized data"),
    ("some new failure", "the node did not take the transaction"),
])
def test_a_refused_broadcast_answers_in_geths_words(theirs, ours):
    chain = CometChain("http://127.0.0.1:1")
    chain.rpc = FailingRPC(theirs)
    with pytest.raises(JsonRpcError) as refused:
        chain.broadcast(b"\x01")
    assert (refused.value.code, refused.value.message) == (SERVER_ERROR, ours)


def test_an_unreachable_or_failing_node_answers_no_internal_message():
    chain = CometChain("http://127.0.0.1:1")
    chain.rpc = FailingRPC()
    for ask in (chain.height, lambda: chain.height_of(b"\xab" * 32), chain.peer_count):
        with pytest.raises(JsonRpcError) as failed:
            ask()
        assert (failed.value.code, failed.value.message) == (SERVER_ERROR, "the node is unavailable")
