"""Blocks, txs, receipts and logs below the history a node keeps (keep_blocks, or where it was
state-synced) answer the specification's error group 4444 "pruned history unavailable", as geth
answers for expired history (issue 19); they answered -32000 with the app's log line."""

import json

import pytest

from abci_app.app import AppSettings
from abci_app.rpc.gateway.chain import CometChain
from abci_app.rpc.gateway.server import dispatch

from ..chain import Chain, app_state, transfer
from .test_get_proof import AppRPC

RECIPIENT = "0x" + "4e" * 20


@pytest.fixture(scope="module")
def gateway(tmp_path_factory, keys):
    """A gateway over an in-process app that keeps its last 3 blocks of 10."""
    chain = Chain.start(str(tmp_path_factory.mktemp("pruned") / "db"), app_state(keys))
    chain.app.settings = AppSettings(keep_recent=2, keep_blocks=3)
    for height in range(1, 11):
        assert [r.code for r in chain.block([transfer(keys[0], height - 1, RECIPIENT, 1)])] == [0]
    served = CometChain("http://127.0.0.1:9")
    served.rpc = AppRPC(chain.app)
    yield served
    chain.app.close()


@pytest.mark.parametrize(("method", "params"), [
    ("eth_getBlockByNumber", ["0x2", False]),
    ("eth_getBlockByNumber", ["earliest", True]),
    ("eth_getBlockTransactionCountByNumber", ["0x5"]),
    ("eth_getTransactionByBlockNumberAndIndex", ["0x5", "0x0"]),
    ("eth_getBlockReceipts", ["0x5"]),
    ("eth_feeHistory", ["0x8", "0x9", []]),
    ("eth_getLogs", [{"fromBlock": "0x2", "toBlock": "0x9"}]),
])
def test_history_below_what_the_node_keeps_answers_4444(gateway, method, params):
    answer = json.loads(dispatch(gateway, json.dumps({"jsonrpc": "2.0", "id": 1, "method": method,
                                                      "params": params}).encode()))
    assert answer["error"] == {"code": 4444, "message": "pruned history unavailable"}, answer


def test_capabilities_say_what_history_the_node_keeps(gateway):
    answer = json.loads(dispatch(gateway, b'{"jsonrpc": "2.0", "id": 1, "method": "eth_capabilities"}'))["result"]
    assert answer["head"]["number"] == "0xa" and len(answer["head"]["hash"]) == 66
    assert {kind: answer[kind]["oldestBlock"] for kind in ("blocks", "tx", "receipts", "logs")} == dict.fromkeys(
        ("blocks", "tx", "receipts", "logs"), "0x8")                           # keep_blocks 3 of 10
    assert answer["state"] == answer["stateproofs"] == {"disabled": False, "oldestBlock": "0x9"}   # keep_recent 2
    answer_of_block_8 = json.loads(dispatch(gateway, json.dumps(
        {"jsonrpc": "2.0", "id": 1, "method": "eth_getBalance", "params": [RECIPIENT, "0x8"]}).encode()))
    assert answer_of_block_8["error"]["code"] == -32000   # no state there: what it said
