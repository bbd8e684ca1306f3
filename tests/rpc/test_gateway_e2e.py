"""web3.py, unchanged, against the gateway in front of a real single-validator chain."""

import pytest
from web3 import Web3
from web3.exceptions import BlockNotFound

from abci_app.cli.localnode import LocalNode
from abci_app.cli.wallet import dev_account
from abci_app.rpc.gateway import Gateway

pytestmark = pytest.mark.e2e

EVM_CHAIN_ID = 1818
GWEI = 10**9
RECIPIENT = "0x000000000000000000000000000000000000bEEF"


@pytest.fixture(scope="module")
def w3(tmp_path_factory):
    node = LocalNode.create(tmp_path_factory.mktemp("gateway") / "node")
    gateway = None
    try:
        node.start()
        gateway = Gateway(node.config.rpc_url, port=0).start()
        yield Web3(Web3.HTTPProvider(gateway.url, request_kwargs={"timeout": 30}))
    finally:
        if gateway is not None:
            gateway.stop()
        node.stop()


def transfer(w3, sender, nonce, value_wei, to=RECIPIENT):
    signed = sender.sign_transaction({
        "type": 2, "chainId": w3.eth.chain_id, "nonce": nonce, "to": to, "value": value_wei, "gas": 21_000,
        "maxFeePerGas": 2 * w3.eth.gas_price, "maxPriorityFeePerGas": w3.eth.max_priority_fee,
    })
    return w3.eth.send_raw_transaction(signed.raw_transaction)


def test_reads(w3):
    assert w3.is_connected()
    assert w3.eth.chain_id == EVM_CHAIN_ID
    assert w3.net.version == str(EVM_CHAIN_ID)
    assert w3.eth.block_number >= 1
    assert w3.eth.gas_price == GWEI
    assert w3.eth.get_balance(dev_account(0).address) > 10**6 * 10**18
    assert w3.eth.get_code(dev_account(0).address) == b""
    block = w3.eth.get_block("latest")
    assert block["number"] >= 1 and len(block["hash"]) == 32
    parent = w3.eth.get_block(block["number"] - 1) if block["number"] > 1 else None
    if parent is not None:
        assert block["parentHash"] == parent["hash"]
    with pytest.raises(BlockNotFound):  # the gateway answers null
        w3.eth.get_block(block["number"] + 1000)


def test_transfer_and_receipt(w3):
    sender = dev_account(1)
    before = w3.eth.get_balance(RECIPIENT)
    sender_before = w3.eth.get_balance(sender.address)
    tx_hash = transfer(w3, sender, w3.eth.get_transaction_count(sender.address), 25 * 10**17)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=60)
    assert receipt["status"] == 1
    assert receipt["transactionHash"] == tx_hash
    assert receipt["from"] == sender.address and receipt["to"] == RECIPIENT
    assert receipt["gasUsed"] == 21_000 and receipt["contractAddress"] is None
    assert receipt["effectiveGasPrice"] == GWEI
    block = w3.eth.get_block(receipt["blockNumber"])
    assert block["hash"] == receipt["blockHash"]
    assert tx_hash in block["transactions"]
    assert w3.eth.get_balance(RECIPIENT) == before + 25 * 10**17
    assert w3.eth.get_balance(sender.address) == sender_before - 25 * 10**17 - 21_000 * GWEI


def test_unknown_receipt_is_null(w3):
    assert w3.provider.make_request("eth_getTransactionReceipt", ["0x" + "00" * 32])["result"] is None


def test_pending_nonce_burst(w3):
    sender = dev_account(2)
    start = w3.eth.get_transaction_count(sender.address)
    hashes = []
    for _ in range(3):
        nonce = w3.eth.get_transaction_count(sender.address, "pending")
        assert nonce == start + len(hashes)
        hashes.append(transfer(w3, sender, nonce, 1))
    receipts = [w3.eth.wait_for_transaction_receipt(h, timeout=60) for h in hashes]
    assert all(r["status"] == 1 for r in receipts)
    assert w3.eth.get_transaction_count(sender.address) == start + 3
    order = [(r["blockNumber"], r["transactionIndex"]) for r in receipts]
    assert order == sorted(order)


def test_rejected_transaction_is_an_error(w3):
    sender = dev_account(3)
    signed = sender.sign_transaction({
        "type": 2, "chainId": EVM_CHAIN_ID + 1, "nonce": 0, "to": RECIPIENT, "value": 1, "gas": 21_000,
        "maxFeePerGas": 2 * GWEI, "maxPriorityFeePerGas": 0,
    })
    with pytest.raises(Exception) as info:
        w3.eth.send_raw_transaction(signed.raw_transaction)
    assert "chain id" in str(info.value)
    assert w3.eth.chain_id == EVM_CHAIN_ID  # still serving
