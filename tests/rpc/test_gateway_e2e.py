"""web3.py, unchanged, against the gateway in front of a real single-validator chain."""

import pytest
from eth_hash.auto import keccak
from web3.exceptions import BlockNotFound, ContractLogicError

from abci_app.cli.stake import STAKING_ADDRESS
from abci_app.contracts import load_contract
from abci_app.cli.wallet import dev_account

pytestmark = pytest.mark.e2e

EVM_CHAIN_ID = 1818
GWEI = 10**9
RECIPIENT = "0x000000000000000000000000000000000000bEEF"
CMT = 10**18


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
    assert w3.eth.gas_price == GWEI + GWEI // 8  # the next base fee (the minimum) with room for a full block's rise
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
    # the state after that block, named by its hash (both forms) or its number
    at_block = before + 25 * 10**17
    assert w3.eth.get_balance(RECIPIENT, receipt["blockHash"]) == at_block
    assert w3.eth.get_balance(RECIPIENT, receipt["blockNumber"] - 1) == before
    by_object = w3.provider.make_request("eth_getBalance", [RECIPIENT, {"blockHash": receipt["blockHash"].to_0x_hex()}])
    assert int(by_object["result"], 16) == at_block
    unknown = w3.provider.make_request("eth_getCode", [RECIPIENT, "0x" + "cd" * 32])
    assert unknown["error"] == {"code": -32000, "message": "header for hash not found"}
    (full,) = [tx for tx in w3.eth.get_block(receipt["blockNumber"], full_transactions=True)["transactions"]
               if tx["hash"] == tx_hash]
    assert int(full["blockTimestamp"], 16) == block["timestamp"]   # web3 does not know the field yet
    raw_receipt = w3.provider.make_request("eth_getTransactionReceipt", [tx_hash.to_0x_hex()])["result"]
    for ref in (hex(receipt["blockNumber"]), receipt["blockHash"].to_0x_hex()):
        receipts = w3.provider.make_request("eth_getBlockReceipts", [ref])["result"]
        assert raw_receipt in receipts and len(receipts) == len(block["transactions"])
    assert w3.provider.make_request("eth_getBlockReceipts", ["0x" + "cd" * 32])["result"] is None


def test_unknown_receipt_is_null(w3):
    assert w3.provider.make_request("eth_getTransactionReceipt", ["0x" + "00" * 32])["result"] is None


def test_pending_nonce_burst(w3):
    """50 transactions from one wallet back to back, each nonce from `pending`: all included, in order."""
    sender = dev_account(2)
    start = w3.eth.get_transaction_count(sender.address)
    hashes = []
    for _ in range(50):
        nonce = w3.eth.get_transaction_count(sender.address, "pending")
        assert nonce == start + len(hashes)
        hashes.append(transfer(w3, sender, nonce, 1))
    receipts = [w3.eth.wait_for_transaction_receipt(h, timeout=60) for h in hashes]
    assert all(r["status"] == 1 for r in receipts)
    assert w3.eth.get_transaction_count(sender.address) == start + 50
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


def send(w3, sender, fields):
    """Sign `fields` (gas, to, data, value) locally, send it, and wait for the receipt."""
    signed = sender.sign_transaction({
        "type": 2, "chainId": w3.eth.chain_id, "nonce": w3.eth.get_transaction_count(sender.address, "pending"),
        "maxFeePerGas": 2 * w3.eth.gas_price, "maxPriorityFeePerGas": 0, "value": 0, **fields,
    })
    return w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(signed.raw_transaction), timeout=60)


@pytest.fixture(scope="module")
def counter(w3):
    """A Counter deployed by dev account 4, with gas from eth_estimateGas."""
    artifact = load_contract("Counter")
    deployer = dev_account(4)
    creation = {"from": deployer.address, "data": "0x" + artifact.bytecode.hex()}
    receipt = send(w3, deployer, {"gas": w3.eth.estimate_gas(creation), "data": creation["data"]})
    assert receipt["status"] == 1 and receipt["contractAddress"]
    return w3.eth.contract(receipt["contractAddress"], abi=artifact.abi)


def test_code_and_storage(w3, counter):
    assert w3.eth.get_code(counter.address) == load_contract("Counter").deployed_bytecode
    assert w3.eth.get_code(RECIPIENT) == b""
    before = counter.functions.count().call()
    assert w3.eth.get_storage_at(counter.address, 0) == before.to_bytes(32, "big")
    assert w3.eth.get_storage_at(counter.address, 12345) == bytes(32)


def test_call_and_revert(w3, counter):
    before = counter.functions.count().call()
    assert counter.functions.isLocked().call() is False
    with pytest.raises(ContractLogicError, match="Counter: amount is zero") as info:
        counter.functions.add(0).call()
    assert info.value.data.startswith("0x08c379a0")  # Error(string), the revert data
    with pytest.raises(ContractLogicError, match="Counter: amount is zero"):
        counter.functions.add(0).estimate_gas({"from": dev_account(4).address})
    assert counter.functions.count().call() == before  # a call keeps nothing


def test_create_access_list_names_the_counters_slot(w3, counter):
    call = {"from": dev_account(4).address, "to": counter.address,
            "data": counter.encode_abi("increment", [])}
    answer = w3.provider.make_request("eth_createAccessList", [call, "latest"])["result"]
    assert answer["accessList"] == [{"address": counter.address, "storageKeys": ["0x" + "00" * 32]}]
    assert int(answer["gasUsed"], 16) > 21_000 and "error" not in answer
    failing = w3.provider.make_request("eth_createAccessList", [
        {**call, "data": counter.encode_abi("add", [0])}])["result"]
    assert failing["error"] == "execution reverted: Counter: amount is zero"


def test_estimates_are_enough_and_tight(w3, counter):
    sender = dev_account(4)
    assert w3.eth.estimate_gas({"from": sender.address, "to": RECIPIENT, "value": 1}) == 21_000
    before = counter.functions.count().call()
    call = counter.functions.increment().build_transaction({"from": sender.address, "gas": 10**6})
    estimate = w3.eth.estimate_gas({"from": sender.address, "to": counter.address, "data": call["data"]})
    tight = {"from": sender.address, "to": counter.address, "data": call["data"], "gas": hex(estimate - 1)}
    assert "error" in w3.provider.make_request("eth_call", [tight, "latest"])  # one less is not enough
    receipt = send(w3, sender, {"to": counter.address, "data": call["data"], "gas": estimate})
    assert receipt["status"] == 1 and receipt["gasUsed"] <= estimate
    assert counter.functions.count().call() == before + 1

    tx = w3.eth.get_transaction(receipt["transactionHash"])
    assert tx["hash"] == receipt["transactionHash"] and tx["from"] == sender.address
    assert tx["to"] == counter.address and tx["input"] == bytes.fromhex(call["data"][2:])
    assert (tx["gas"], tx["type"], tx["chainId"]) == (estimate, 2, EVM_CHAIN_ID)
    assert (tx["blockNumber"], tx["transactionIndex"]) == (receipt["blockNumber"], receipt["transactionIndex"])
    assert tx["blockHash"] == receipt["blockHash"] and tx["value"] == 0
    assert tx["maxFeePerGas"] == 2 * (GWEI + GWEI // 8)  # send() offers twice eth_gasPrice


def test_staking_precompile_estimate_is_enough(w3):
    staking = w3.eth.contract(STAKING_ADDRESS, abi=load_contract("IStaking").abi)
    delegator, validator = dev_account(5), dev_account(0).address
    data = staking.functions.delegate(validator).build_transaction(
        {"from": delegator.address, "value": 2_000 * CMT, "gas": 10**6})["data"]
    estimate = w3.eth.estimate_gas({"from": delegator.address, "to": STAKING_ADDRESS, "data": data,
                                    "value": 2_000 * CMT})
    receipt = send(w3, delegator, {"to": STAKING_ADDRESS, "data": data, "value": 2_000 * CMT, "gas": estimate})
    assert receipt["status"] == 1


def test_transaction_lookups_and_node_info(w3):
    assert w3.provider.make_request("eth_getTransactionByHash", ["0x" + "00" * 32])["result"] is None
    assert w3.provider.make_request("web3_sha3", ["0x68656c6c6f"])["result"] == "0x" + keccak(b"hello").hex()
    assert w3.net.peer_count == 0  # a single node
    assert w3.eth.syncing is False
    history = w3.eth.fee_history(3, "latest", [50])
    assert history["baseFeePerGas"] == [GWEI] * 4 and history["reward"] == [[0]] * 3
    assert len(history["gasUsedRatio"]) == 3 and all(0 <= r <= 1 for r in history["gasUsedRatio"])
