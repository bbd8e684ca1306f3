"""End to end: a real cometbft and our app over the ABCI socket and over gRPC.

200 transfers from 4 accounts through broadcast_tx_sync, balances and nonces read back with
abci_query; then a contract deployment and a call.
"""

import json

import pytest
from eth_hash.auto import keccak

from abci_app.cli.localnode import LocalNode, wait_until
from abci_app.cli.wallet import dev_account
from abci_app.contracts import load_contract

from ..chain import GWEI, transfer
from ..solvency import assert_solvent

pytestmark = pytest.mark.e2e

TRANSFERS_PER_ACCOUNT = 50
VALUE_WEI = 10**15
RECIPIENT = "0x" + "5e" * 20


@pytest.fixture(params=["socket", "grpc"])
def node(request, tmp_path):
    node = LocalNode.create(tmp_path / "node", abci=request.param)
    try:
        yield node.start()
        assert_solvent(node.rpc)
    finally:
        node.stop()


def _account(node: LocalNode, address: str) -> dict:
    return node.rpc.query_json(f"/account/{address}")


def test_transfers_contract_deploy_and_call(node):
    senders = [dev_account(i) for i in range(4)]
    before = {s.address: int(_account(node, s.address)["balance"]) for s in senders}
    for n in range(TRANSFERS_PER_ACCOUNT):
        for sender in senders:
            result = node.rpc.broadcast_tx_sync(transfer(sender, n, RECIPIENT, VALUE_WEI))
            assert result["code"] == 0, result

    def all_included():
        return all(_account(node, s.address)["nonce"] == TRANSFERS_PER_ACCOUNT for s in senders)

    wait_until(all_included, 120, "200 transfers to be committed", interval_s=0.3)
    assert int(_account(node, RECIPIENT)["balance"]) == 4 * TRANSFERS_PER_ACCOUNT * VALUE_WEI
    for sender in senders:
        # 1 gwei base fee + 1 gwei tip on every transfer (see tests/chain.py: transfer)
        spent = TRANSFERS_PER_ACCOUNT * (VALUE_WEI + 21_000 * 2 * GWEI)
        assert int(_account(node, sender.address)["balance"]) == before[sender.address] - spent

    deployer = senders[0]
    counter = load_contract("Counter")
    deploy = transfer(deployer, TRANSFERS_PER_ACCOUNT, "", 0, gas=3_000_000, data=counter.bytecode)
    receipt = _committed_receipt(node, deploy)
    assert receipt["status"] == 1 and receipt["contract_address"]
    address = receipt["contract_address"]
    assert _account(node, address)["code_hash"] == "0x" + keccak(counter.deployed_bytecode).hex()

    call = transfer(deployer, TRANSFERS_PER_ACCOUNT + 1, address, 0, gas=200_000,
                    data=keccak(b"increment()")[:4])
    receipt = _committed_receipt(node, call)
    assert receipt["status"] == 1
    (log,) = receipt["logs"]
    assert log["address"] == address
    assert int(log["data"], 16) == 1  # Incremented(by, newCount = 1)
    # CometBFT indexes a block's events after the app has committed it: wait for the indexer
    found = wait_until(lambda: int(node.rpc.call("tx_search", query=f"eth.to='{address}'")["total_count"]), 30,
                       "the call to be indexed", interval_s=0.2)
    assert found == 1


def _committed_receipt(node: LocalNode, raw: bytes) -> dict:
    result = node.rpc.broadcast_tx_sync(raw)
    assert result["code"] == 0, result
    tx_hash = "0x" + keccak(raw).hex()

    def receipt():
        code, value, _ = node.rpc.abci_query(f"/tx/{tx_hash}")
        return json.loads(value) if code == 0 else None

    return wait_until(receipt, 60, f"receipt of {tx_hash}", interval_s=0.2)
