"""web3.py against a real node through the gateway: an ERC-20, its Transfer logs through
eth_getLogs, filters and a WebSocket subscription; blocks by hash and with full transactions;
state at a recent block; log limits; bad input."""

import json
import socket
import time
import urllib.request

import pytest
from eth_hash.auto import keccak
from web3 import Web3
from websockets.sync.client import connect

from abci_app.cli.wallet import dev_account
from abci_app.contracts import load_contract
from abci_app.rpc.gateway import Gateway
from abci_app.rpc.gateway.errors import (INVALID_PARAMS, INVALID_REQUEST, LIMIT_EXCEEDED, METHOD_NOT_FOUND,
                                         PARSE_ERROR, SERVER_ERROR)
from abci_app.rpc.gateway.filters import LogLimits
from abci_app.rpc.gateway.server import MAX_BODY_BYTES

pytestmark = pytest.mark.e2e

TRANSFER_TOPIC = "0x" + keccak(b"Transfer(address,address,uint256)").hex()
EMPTY_ROOT = "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421"
SUPPLY = 10**24
OWNER = dev_account(6)
HOLDERS = [dev_account(7).address, dev_account(8).address]


def sign_and_send(w3, sender, fields) -> bytes:
    signed = sender.sign_transaction({
        "type": 2, "chainId": w3.eth.chain_id, "nonce": w3.eth.get_transaction_count(sender.address, "pending"),
        "maxFeePerGas": 2 * w3.eth.gas_price, "maxPriorityFeePerGas": 0, "value": 0, **fields,
    })
    return w3.eth.send_raw_transaction(signed.raw_transaction)


def transact(w3, sender, call) -> dict:
    """Sign a contract function call locally with estimated gas; wait for the receipt."""
    built = call.build_transaction({"from": sender.address, "gas": 10**6})
    gas = w3.eth.estimate_gas({"from": sender.address, "to": built.get("to"), "data": built["data"]})
    receipt = w3.eth.wait_for_transaction_receipt(
        sign_and_send(w3, sender, {"to": built.get("to"), "data": built["data"], "gas": gas}), timeout=60)
    assert receipt["status"] == 1
    return receipt


@pytest.fixture(scope="module")
def token(w3):
    """The example ERC-20, deployed by OWNER through web3's contract API, then two transfers."""
    artifact = load_contract("Token")
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    data = factory.constructor("Miles Test Token", "MTT", SUPPLY).build_transaction(
        {"from": OWNER.address, "gas": 5 * 10**6})["data"]
    gas = w3.eth.estimate_gas({"from": OWNER.address, "data": data})
    receipt = w3.eth.wait_for_transaction_receipt(sign_and_send(w3, OWNER, {"data": data, "gas": gas}), timeout=60)
    assert receipt["status"] == 1 and receipt["gasUsed"] <= gas
    contract = w3.eth.contract(receipt["contractAddress"], abi=artifact.abi)
    receipts = [receipt] + [transact(w3, OWNER, contract.functions.transfer(holder, 1000 * (i + 1)))
                            for i, holder in enumerate(HOLDERS)]
    return contract, receipts


def topic(address: str) -> str:
    return "0x" + address[2:].lower().rjust(64, "0")


def test_erc20_balances_and_transfer_logs(w3, token):
    contract, receipts = token
    assert contract.functions.balanceOf(HOLDERS[0]).call() == 1000
    assert contract.functions.balanceOf(HOLDERS[1]).call() == 2000
    assert contract.functions.balanceOf(OWNER.address).call() == SUPPLY - 3000
    first = receipts[0]["blockNumber"]
    events = contract.events.Transfer().get_logs(from_block=first)
    assert [(e["args"]["to"], e["args"]["value"]) for e in events] == \
        [(OWNER.address, SUPPLY), (HOLDERS[0], 1000), (HOLDERS[1], 2000)]
    assert [e["transactionHash"] for e in events] == [r["transactionHash"] for r in receipts]
    assert all(e["logIndex"] == r["logs"][0]["logIndex"] and e["blockHash"] == r["blockHash"]
               for e, r in zip(events, receipts))
    to_second = w3.eth.get_logs({"fromBlock": first, "toBlock": "latest", "address": contract.address,
                                 "topics": [TRANSFER_TOPIC, None, topic(HOLDERS[1])]})
    assert [log["transactionHash"] for log in to_second] == [receipts[2]["transactionHash"]]
    assert w3.eth.get_logs({"blockHash": receipts[1]["blockHash"], "address": contract.address}) == \
        [receipts[1]["logs"][0]]
    assert w3.eth.get_logs({"fromBlock": first, "address": dev_account(9).address}) == []


def test_filters_see_what_is_new(w3, token):
    contract, receipts = token
    every = w3.eth.filter({"fromBlock": receipts[0]["blockNumber"], "address": contract.address})
    heads = w3.eth.filter("latest")
    assert [log["transactionHash"] for log in every.get_all_entries()] == [r["transactionHash"] for r in receipts]
    assert every.get_new_entries() == []                  # nothing committed since it was installed
    receipt = transact(w3, OWNER, contract.functions.transfer(HOLDERS[0], 5))
    (new,) = every.get_new_entries()
    assert new["transactionHash"] == receipt["transactionHash"] and new["data"] == (5).to_bytes(32, "big")
    assert every.get_new_entries() == []
    hashes = heads.get_new_entries()
    assert receipt["blockHash"] in hashes
    assert [w3.eth.get_block(h)["number"] for h in hashes] == \
        list(range(w3.eth.get_block(hashes[0])["number"], w3.eth.get_block(hashes[-1])["number"] + 1))
    assert w3.eth.uninstall_filter(every.filter_id) is True
    assert w3.eth.uninstall_filter(every.filter_id) is False
    answer = w3.provider.make_request("eth_getFilterChanges", [every.filter_id])
    assert answer["error"]["code"] == SERVER_ERROR and "filter not found" in answer["error"]["message"]


def test_blocks_by_hash_with_full_transactions_and_by_index(w3, token):
    _, receipts = token
    receipt = receipts[1]
    by_number = w3.eth.get_block(receipt["blockNumber"], full_transactions=True)
    by_hash = w3.eth.get_block(receipt["blockHash"], full_transactions=True)
    assert by_number == by_hash and by_hash["hash"] == receipt["blockHash"]
    tx = by_hash["transactions"][receipt["transactionIndex"]]
    assert tx["hash"] == receipt["transactionHash"] and tx["from"] == OWNER.address
    assert w3.eth.get_transaction_by_block(receipt["blockNumber"], receipt["transactionIndex"]) == tx
    assert w3.eth.get_transaction_by_block(receipt["blockHash"], receipt["transactionIndex"]) == tx
    assert w3.eth.get_block_transaction_count(receipt["blockNumber"]) == len(by_hash["transactions"])
    assert w3.eth.get_block_transaction_count(receipt["blockHash"]) == len(by_hash["transactions"])
    assert w3.provider.make_request("eth_getTransactionByBlockNumberAndIndex",
                                    [hex(receipt["blockNumber"]), "0x3e8"])["result"] is None
    assert w3.provider.make_request("eth_getBlockByHash", ["0x" + "00" * 32, False])["result"] is None
    # the header commits to its transactions, receipts and logs
    assert by_hash["transactionsRoot"].hex() != EMPTY_ROOT[2:] and by_hash["receiptsRoot"].hex() != EMPTY_ROOT[2:]
    assert int.from_bytes(by_hash["logsBloom"], "big") != 0
    assert by_hash["gasUsed"] == sum(w3.eth.get_transaction_receipt(t["hash"])["gasUsed"]
                                     for t in by_hash["transactions"])
    assert w3.eth.get_block(receipt["blockNumber"] - 1)["hash"] == by_hash["parentHash"]
    empty = w3.eth.get_block(1)
    assert empty["transactionsRoot"].hex() == EMPTY_ROOT[2:] and int.from_bytes(empty["logsBloom"], "big") == 0


def test_state_at_a_recent_block(w3, token):
    contract, receipts = token
    before = receipts[1]["blockNumber"] - 1
    assert contract.functions.balanceOf(HOLDERS[0]).call(block_identifier=before) == 0
    assert contract.functions.balanceOf(HOLDERS[0]).call(block_identifier=receipts[1]["blockNumber"]) == 1000
    assert w3.eth.get_code(contract.address, receipts[0]["blockNumber"] - 1) == b""
    assert w3.eth.get_code(contract.address, receipts[0]["blockNumber"]) == load_contract("Token").deployed_bytecode
    owner_nonce = w3.eth.get_transaction_count(OWNER.address, before)
    assert w3.eth.get_transaction_count(OWNER.address, receipts[1]["blockNumber"]) == owner_nonce + 1
    answer = w3.provider.make_request("eth_getBalance", [OWNER.address, hex(w3.eth.block_number + 1000)])
    assert answer["error"]["code"] == SERVER_ERROR and "no state at height" in answer["error"]["message"]


def test_log_queries_have_limits(node_gateway, token):
    contract, receipts = token
    narrow = Gateway(node_gateway.chain.rpc.url, port=0, limits=LogLimits(max_blocks=2, max_results=2)).start()
    try:
        limited = Web3(Web3.HTTPProvider(narrow.url))
        first, last = receipts[0]["blockNumber"], receipts[-1]["blockNumber"]
        wide = limited.provider.make_request("eth_getLogs", [{"fromBlock": hex(first), "toBlock": hex(first + 2)}])
        assert wide["error"]["code"] == LIMIT_EXCEEDED and "at most 2 blocks" in wide["error"]["message"]
        if last - first <= 1:  # three logs within two blocks: more than two results
            many = limited.provider.make_request("eth_getLogs", [{"fromBlock": hex(first), "toBlock": hex(last),
                                                                  "address": contract.address}])
            assert many["error"]["code"] == LIMIT_EXCEEDED and "narrow" in many["error"]["message"]
        backwards = limited.provider.make_request("eth_getLogs", [{"fromBlock": hex(last), "toBlock": hex(first - 1)}])
        assert backwards["error"]["code"] == INVALID_PARAMS
    finally:
        narrow.stop()


def test_websocket_subscriptions_push_heads_and_logs(w3, node_gateway, token):
    contract, _ = token
    with connect(node_gateway.ws_url, open_timeout=10) as ws:
        def request(method, params, request_id):
            ws.send(json.dumps({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}))

        request("eth_subscribe", ["newHeads"], 1)
        heads = json.loads(ws.recv(10))["result"]
        request("eth_subscribe", ["logs", {"address": contract.address, "topics": [TRANSFER_TOPIC]}], 2)
        logs = json.loads(ws.recv(10))["result"]
        request("eth_blockNumber", [], 3)          # ordinary calls share the connection
        assert int(json.loads(ws.recv(10))["result"], 16) >= 1
        receipt = transact(w3, OWNER, contract.functions.transfer(HOLDERS[1], 7))
        seen_heads, seen_logs = [], []
        deadline = time.monotonic() + 30
        while not seen_logs or not any(int(h["number"], 16) >= receipt["blockNumber"] for h in seen_heads):
            assert time.monotonic() < deadline, (seen_heads, seen_logs)
            message = json.loads(ws.recv(15))
            assert message["method"] == "eth_subscription"
            kind = message["params"]["subscription"]
            (seen_heads if kind == heads else seen_logs).append(message["params"]["result"])
        numbers = [int(h["number"], 16) for h in seen_heads]
        assert numbers == list(range(numbers[0], numbers[-1] + 1))   # every block, in order
        head = next(h for h in seen_heads if int(h["number"], 16) == receipt["blockNumber"])
        assert head["hash"] == "0x" + receipt["blockHash"].hex()
        (log,) = seen_logs
        assert log["transactionHash"] == "0x" + receipt["transactionHash"].hex() and int(log["data"], 16) == 7
        request("eth_unsubscribe", [logs], 4)
        while (answer := json.loads(ws.recv(15))).get("id") != 4:
            pass
        assert answer["result"] is True


def _raw_post(url: str, body: bytes) -> dict | list:
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_bad_input_gets_the_right_error_and_the_gateway_keeps_serving(w3, node_gateway):
    url = node_gateway.url
    assert _raw_post(url, b"{broken")["error"]["code"] == PARSE_ERROR
    assert _raw_post(url, b"[]")["error"]["code"] == INVALID_REQUEST
    batch = _raw_post(url, json.dumps([
        {"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber"},
        {"jsonrpc": "2.0", "id": 2, "method": "eth_nope"},
        {"jsonrpc": "2.0", "id": 3, "method": "eth_getBalance", "params": [42, "latest"]},
        {"jsonrpc": "2.0", "id": 4, "method": "eth_getBlockByNumber", "params": ["0x1", "yes"]},
        {"jsonrpc": "2.0", "id": 5, "method": "eth_getLogs", "params": [{"topics": ["0x1234"]}]},
        {"id": 6, "method": "eth_chainId"},
    ]).encode())
    assert int(batch[0]["result"], 16) >= 1
    assert [answer["error"]["code"] for answer in batch[1:]] == \
        [METHOD_NOT_FOUND, INVALID_PARAMS, INVALID_PARAMS, INVALID_PARAMS, INVALID_REQUEST]
    with socket.create_connection(("127.0.0.1", node_gateway.port), timeout=10) as sock:  # oversized
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     + f"Content-Length: {MAX_BODY_BYTES + 1}\r\n\r\n".encode())
        assert b" 413 " in sock.recv(4096).split(b"\r\n")[0] + b" "
    other_chain = OWNER.sign_transaction({"type": 2, "chainId": 1, "nonce": 0, "to": HOLDERS[0], "value": 1,
                                          "gas": 21_000, "maxFeePerGas": 2 * 10**9, "maxPriorityFeePerGas": 0})
    answer = w3.provider.make_request("eth_sendRawTransaction", ["0x" + other_chain.raw_transaction.hex()])
    assert answer["error"]["code"] == SERVER_ERROR and "chain id" in answer["error"]["message"]
    garbage = w3.provider.make_request("eth_sendRawTransaction", ["0xdeadbeef"])
    assert garbage["error"]["code"] == SERVER_ERROR
    assert w3.eth.chain_id == 1818 and w3.eth.block_number >= 1   # still serving
