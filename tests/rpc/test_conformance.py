"""The gateway against Ethereum's JSON-RPC specification (issue 19).

A real chain holds a transfer of each tx type (legacy, EIP-2930, EIP-1559), an ERC-20 with storage
and Transfer logs, and a call to the staking precompile. Every method the gateway serves is then
asked in every parameter form the spec allows (block tag, number and hash, where it takes them;
the EIP-1898 object besides), and each param sent and each answer is validated with jsonschema
against the spec in ../shared/execution-apis/ (tests/rpc/spec.py). Methods that cannot exist here
answer as geth does; errors keep to JSON-RPC 2.0 and the spec's error groups."""

import hashlib
import json
import urllib.request
import zlib
from dataclasses import dataclass

import pytest
import rlp
from eth_hash.auto import keccak

from abci_app.cli.localnode import wait_until
from abci_app.cli.stake import STAKING_ADDRESS
from abci_app.cli.wallet import dev_account
from abci_app.contracts import load_contract
from abci_app.rpc.gateway.errors import EXECUTION_REVERTED, INVALID_PARAMS, METHOD_NOT_FOUND, SERVER_ERROR
from abci_app.rpc.gateway.methods import METHODS

from . import spec as execution_apis
from .conftest import gateway_on_new_chain, web3_for

pytestmark = pytest.mark.e2e

GWEI = 10**9
CMT = 10**18
RECIPIENT = "0x000000000000000000000000000000000000c0DE"   # checksummed
SENDER = dev_account(3)
TRANSFER_TOPIC = "0x" + keccak(b"Transfer(address,address,uint256)").hex()

# Methods of the spec that cannot exist on this chain (reference.md), each with geth's answer.
NOT_ON_THIS_CHAIN = {
    "eth_coinbase": (METHOD_NOT_FOUND, "the method eth_coinbase does not exist/is not available"),
    "eth_getBlockAccessList": (METHOD_NOT_FOUND, "the method eth_getBlockAccessList does not exist/is not available"),
    "eth_sign": (SERVER_ERROR, "unknown account"),
    "eth_signTransaction": (SERVER_ERROR, "unknown account"),
    "eth_sendTransaction": (SERVER_ERROR, "unknown account"),
}
ECRECOVER, MOVED_ECRECOVER = "0x" + "00" * 19 + "01", "0x" + "00" * 19 + "99"
BALANCE_OF = "0x5f35315f5260205ff3"   # code that returns BALANCE(calldata[0:32])


@pytest.fixture(scope="module")
def spec():
    return execution_apis.load()


def call(url: str, method: str, params: list) -> dict:
    """One JSON-RPC 2.0 request; the whole answer (result or error)."""
    body = json.dumps({"jsonrpc": "2.0", "id": 7, "method": method, "params": params}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = json.loads(response.read())
    assert answer["jsonrpc"] == "2.0" and answer["id"] == 7, answer
    return answer


def result(url: str, method: str, params: list):
    answer = call(url, method, params)
    assert "error" not in answer, (method, params, answer)
    return answer["result"]


@dataclass
class World:
    """What the chain holds, by the names the cases use."""

    url: str
    txs: dict[str, str]          # kind -> tx hash: legacy, access_list, dynamic_fee, deploy, token, precompile
    blocks: dict[str, dict]      # kind -> the raw receipt (its blockNumber and blockHash)
    token: str
    token_slot: str              # a storage slot of the token that holds a value
    sent: list[tuple[list, dict]]  # eth_sendRawTransaction params and answers


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A chain of its own: the tips paid here stay out of the fee data the other tests read."""
    with gateway_on_new_chain(tmp_path_factory.mktemp("conformance") / "node") as gateway:
        yield gateway


@pytest.fixture(scope="module")
def world(served) -> World:
    w3 = web3_for(served)
    url, chain_id = served.url, w3.eth.chain_id
    sent, txs, blocks = [], {}, {}
    nonce = int(result(url, "eth_getTransactionCount", [SENDER.address, "pending"]), 16)

    def send(kind: str, fields: dict) -> dict:
        nonlocal nonce
        signed = SENDER.sign_transaction({"chainId": chain_id, "nonce": nonce, "value": 0, **fields})
        params = ["0x" + signed.raw_transaction.hex()]
        answer = call(url, "eth_sendRawTransaction", params)
        sent.append((params, answer))
        nonce += 1
        txs[kind] = answer["result"]
        receipt = w3.eth.wait_for_transaction_receipt(answer["result"], timeout=60)
        assert receipt["status"] == 1, receipt
        blocks[kind] = result(url, "eth_getTransactionReceipt", [answer["result"]])
        return receipt

    send("legacy", {"to": RECIPIENT, "value": 5, "gas": 21_000, "gasPrice": 3 * GWEI})
    send("access_list", {"type": 1, "to": RECIPIENT, "value": 6, "gas": 30_000, "gasPrice": 3 * GWEI,
                         "accessList": [{"address": RECIPIENT, "storageKeys": ["0x" + "00" * 32]}]})
    send("dynamic_fee", {"type": 2, "to": RECIPIENT, "value": 7, "gas": 21_000, "maxFeePerGas": 4 * GWEI,
                         "maxPriorityFeePerGas": 2 * GWEI})
    artifact = load_contract("Token")
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    creation = factory.constructor("Conformance", "CNF", 10**24).build_transaction(
        {"from": SENDER.address, "gas": 5 * 10**6})["data"]
    fees = {"type": 2, "maxFeePerGas": 4 * GWEI, "maxPriorityFeePerGas": GWEI}
    token = send("deploy", {**fees, "data": creation, "gas": 3 * 10**6})["contractAddress"]
    contract = w3.eth.contract(token, abi=artifact.abi)
    transfer = contract.functions.transfer(RECIPIENT, 1234).build_transaction({"from": SENDER.address})["data"]
    send("token", {**fees, "to": token, "data": transfer, "gas": 200_000})
    staking = w3.eth.contract(STAKING_ADDRESS, abi=load_contract("IStaking").abi)
    delegate = staking.functions.delegate(dev_account(0).address).build_transaction(
        {"from": SENDER.address, "value": 2_000 * CMT})["data"]
    send("precompile", {**fees, "to": STAKING_ADDRESS, "data": delegate, "value": 2_000 * CMT, "gas": 500_000})
    slot = next(s for s in range(8) if int(result(url, "eth_getStorageAt", [token, hex(s), "latest"]), 16))
    return World(url, txs, blocks, token, hex(slot), sent)


# ---- the cases: (method, params) in every form the spec allows ------------------------------

BLOCK_TAGS = ("latest", "earliest", "pending", "safe", "finalized")


def _number(w: World, kind: str = "token") -> str:
    return w.blocks[kind]["blockNumber"]


def _hash(w: World, kind: str = "token") -> str:
    return w.blocks[kind]["blockHash"]


def _state_forms(w: World) -> dict[str, list]:
    """BlockNumberOrTagOrHash: absent (its default), each tag, a number, a hash."""
    return {"default": [], **{tag: [tag] for tag in BLOCK_TAGS}, "number": [_number(w)], "hash": [_hash(w)]}


def _tag_forms(w: World) -> dict[str, list]:
    """BlockNumberOrTag: each tag and a number."""
    return {**{tag: [tag] for tag in BLOCK_TAGS}, "number": [_number(w)]}


def _call_object(w: World) -> dict:
    data = "0x70a08231" + SENDER.address[2:].lower().rjust(64, "0")   # balanceOf(SENDER)
    return {"from": SENDER.address, "to": w.token, "input": data}


def _fill_asks(w: World) -> dict[str, dict]:
    """eth_fillTransaction requests, one per type it picks: EIP-1559 (nothing said), legacy (a
    gas price), EIP-2930 (a gas price and an access list), and a contract call whose gas it
    estimates."""
    transfer = "0xa9059cbb" + RECIPIENT[2:].lower().rjust(64, "0") + "1".rjust(64, "0")   # transfer(RECIPIENT, 1)
    return {"dynamic fee": {"from": SENDER.address, "to": RECIPIENT, "value": "0x9"},
            "legacy": {"from": SENDER.address, "to": RECIPIENT, "gasPrice": hex(3 * GWEI)},
            "access list": {"from": SENDER.address, "to": w.token, "input": transfer, "gasPrice": hex(3 * GWEI),
                            "accessList": [{"address": w.token, "storageKeys": ["0x" + "00" * 32]}]},
            "contract call": {"from": SENDER.address, "to": w.token, "input": transfer}}


def _simulations(w: World) -> dict[str, dict]:
    """eth_simulateV1 payloads: plain calls (a transfer, a token transfer with its log, a read),
    each tx type with full transactions and traced transfers, validation with fees, every block
    and state override, failures (a revert, out of gas) and a precompile call."""
    transfer = "0xa9059cbb" + RECIPIENT[2:].lower().rjust(64, "0") + "1".rjust(64, "0")
    too_much = "0xa9059cbb" + RECIPIENT[2:].lower().rjust(64, "0") + "ff" * 32
    pay = {"from": SENDER.address, "to": RECIPIENT, "value": "0x1"}
    token_transfer = {"from": SENDER.address, "to": w.token, "input": transfer}
    fee = {"maxFeePerGas": hex(4 * GWEI), "maxPriorityFeePerGas": hex(GWEI)}
    staking = STAKING_ADDRESS.lower()
    delegate = "0x5c19a95c" + dev_account(0).address[2:].lower().rjust(64, "0")   # delegate(address)
    return {
        "calls": {"blockStateCalls": [{"calls": [pay, token_transfer, _call_object(w)]}]},
        "every type, full and traced": {"blockStateCalls": [{"calls": [
            {**pay, "type": "0x0", "gasPrice": hex(3 * GWEI)},
            {**pay, "type": "0x1", "gasPrice": hex(3 * GWEI),
             "accessList": [{"address": RECIPIENT, "storageKeys": ["0x" + "00" * 32]}]},
            {**pay, **fee}, token_transfer]}, {"calls": [pay]}],
            "returnFullTransactions": True, "traceTransfers": True},
        "validation": {"blockStateCalls": [{"calls": [{**pay, **fee, "gas": hex(21_000)},
                                                      {**token_transfer, **fee, "gas": hex(200_000)}]}],
                       "validation": True},
        "overrides": {"blockStateCalls": [
            {"blockOverrides": {"number": hex(int(result(w.url, "eth_blockNumber", []), 16) + 100), "time": hex(2**32),
                                "gasLimit": hex(40_000_000), "feeRecipient": RECIPIENT, "baseFeePerGas": hex(GWEI),
                                "prevRandao": "0x" + "77" * 32, "blobBaseFee": "0x1"},
             "stateOverrides": {RECIPIENT: {"balance": hex(10**20), "nonce": "0x9", "code": BALANCE_OF},
                                w.token: {"stateDiff": {"0x" + "00" * 32: "0x" + "00" * 31 + "01"}},
                                ECRECOVER: {"movePrecompileToAddress": MOVED_ECRECOVER}},
             "calls": [{"to": RECIPIENT, "input": "0x" + RECIPIENT[2:].lower().rjust(64, "0")},
                       {"to": MOVED_ECRECOVER, "input": "0x" + "00" * 128}]},
            {"stateOverrides": {SENDER.address: {"balance": "0x5"}, w.token: {"state": {}}}, "calls": [pay]}]},
        "failures": {"blockStateCalls": [{"calls": [{**token_transfer, "input": too_much},
                                                    {**token_transfer, "gas": hex(30_000)}]}]},
        "precompile": {"blockStateCalls": [{"calls": [
            {"from": SENDER.address, "to": staking, "input": delegate, "value": hex(10 * CMT)}]}],
            "traceTransfers": True},
    }


def cases(w: World) -> list[tuple[str, str, list]]:
    """(case id, method, params) for every method the gateway serves."""
    found = [(m, m, []) for m in ("eth_accounts", "eth_blockNumber", "eth_chainId", "eth_gasPrice", "eth_baseFee",
                                  "eth_blobBaseFee",
                                  "eth_maxPriorityFeePerGas", "eth_syncing", "net_version", "eth_newBlockFilter",
                                  "eth_newPendingTransactionFilter", "eth_capabilities", "eth_config")]
    state = {
        "eth_getBalance": [SENDER.address],
        "eth_getTransactionCount": [SENDER.address],
        "eth_getCode": [w.token],
        "eth_getStorageAt": [w.token, w.token_slot],
        "eth_getProof": [w.token, [w.token_slot, "0x" + "00" * 32]],
        "eth_getStorageValues": [{w.token: [w.token_slot, "0x0"], SENDER.address: []}],
        "eth_call": [_call_object(w)],
    }
    for method, params in state.items():
        found += [(f"{method} {form}", method, params + block) for form, block in _state_forms(w).items()]
    simulations = _simulations(w)
    found += [(f"eth_simulateV1 {form}", "eth_simulateV1", [simulations["calls"]] + block)
              for form, block in _state_forms(w).items()]
    found += [(f"eth_simulateV1 {name}", "eth_simulateV1", [payload]) for name, payload in simulations.items()]
    found += [(f"eth_getBlockReceipts {form}", "eth_getBlockReceipts", block)
              for form, block in _state_forms(w).items() if block]
    for form, block in _tag_forms(w).items():
        found += [
            (f"eth_estimateGas {form}", "eth_estimateGas", [_call_object(w)] + block),
            (f"eth_createAccessList {form}", "eth_createAccessList", [_call_object(w)] + block),
            (f"eth_getBlockByNumber {form} full", "eth_getBlockByNumber", block + [True]),
            (f"eth_getBlockByNumber {form} hashes", "eth_getBlockByNumber", block + [False]),
            (f"eth_getBlockTransactionCountByNumber {form}", "eth_getBlockTransactionCountByNumber", block),
            (f"eth_feeHistory {form}", "eth_feeHistory", ["0x5"] + block + [[10, 50, 90]]),
        ]
    found += [(f"eth_fillTransaction {name}", "eth_fillTransaction", [ask]) for name, ask in _fill_asks(w).items()]
    with_list = {**_call_object(w), "accessList": [{"address": w.token, "storageKeys": ["0x" + "00" * 32]}]}
    found += [(f"{method} with an access list", method, [with_list])
              for method in ("eth_call", "eth_estimateGas", "eth_createAccessList")]
    found += [("eth_estimateGas default", "eth_estimateGas", [_call_object(w)]),
              ("eth_createAccessList default", "eth_createAccessList", [_call_object(w)]),
              ("eth_getBlockByNumber not found", "eth_getBlockByNumber", [hex(10**9), False]),
              ("eth_getBlockByHash not found", "eth_getBlockByHash", ["0x" + "ee" * 32, False]),
              ("eth_getTransactionByHash not found", "eth_getTransactionByHash", ["0x" + "ee" * 32]),
              ("eth_getTransactionReceipt not found", "eth_getTransactionReceipt", ["0x" + "ee" * 32])]
    for kind, tx_hash in w.txs.items():
        block_hash, number = w.blocks[kind]["blockHash"], w.blocks[kind]["blockNumber"]
        index = w.blocks[kind]["transactionIndex"]
        found += [
            (f"eth_getTransactionByHash {kind}", "eth_getTransactionByHash", [tx_hash]),
            (f"eth_getTransactionReceipt {kind}", "eth_getTransactionReceipt", [tx_hash]),
            (f"eth_getBlockByHash {kind} full", "eth_getBlockByHash", [block_hash, True]),
            (f"eth_getBlockByHash {kind} hashes", "eth_getBlockByHash", [block_hash, False]),
            (f"eth_getBlockTransactionCountByHash {kind}", "eth_getBlockTransactionCountByHash", [block_hash]),
            (f"eth_getTransactionByBlockHashAndIndex {kind}", "eth_getTransactionByBlockHashAndIndex",
             [block_hash, index]),
            (f"eth_getTransactionByBlockNumberAndIndex {kind}", "eth_getTransactionByBlockNumberAndIndex",
             [number, index]),
        ]
    token_block = _number(w)
    for form, log_filter in {
        "range": {"fromBlock": _number(w, "legacy"), "toBlock": "latest"},
        "tags": {"fromBlock": "earliest", "toBlock": "latest", "address": w.token},
        "block hash": {"blockHash": _hash(w), "topics": [TRANSFER_TOPIC]},
        "addresses and topics": {"fromBlock": token_block, "toBlock": token_block, "address": [w.token, RECIPIENT],
                                 "topics": [[TRANSFER_TOPIC], None, None]},
        "any": {"fromBlock": token_block, "toBlock": token_block, "address": None, "topics": None},
    }.items():
        found += [(f"eth_getLogs {form}", "eth_getLogs", [log_filter]),
                  (f"eth_newFilter {form}", "eth_newFilter", [log_filter])]
    return found


OBJECT_FORMS = ("eth_getBalance", "eth_getCode", "eth_getStorageAt", "eth_call", "eth_getBlockReceipts")


def object_cases(w: World) -> list[tuple[str, str, list]]:
    """EIP-1898's block object, which geth takes where the spec says BlockNumberOrTagOrHash (the
    spec's schema does not list it, so only the answers are validated)."""
    params = {"eth_getBalance": [SENDER.address], "eth_getCode": [w.token], "eth_getStorageAt": [w.token, w.token_slot],
              "eth_call": [_call_object(w)], "eth_getBlockReceipts": []}
    return [(f"{method} {name}", method, params[method] + [block]) for method in OBJECT_FORMS
            for name, block in (("blockHash object", {"blockHash": _hash(w), "requireCanonical": True}),
                                ("blockNumber object", {"blockNumber": _number(w)}))]


def test_every_param_sent_and_every_answer_conform(spec, world):
    problems = []
    for case, method, params in cases(world):
        problems += [f"{case}: {p}" for p in spec.param_problems(method, params)]
        answer = call(world.url, method, params)
        if "error" in answer:
            problems.append(f"{case}: error {answer['error']}")
            continue
        problems += [f"{case}: {p}" for p in spec.result_problems(method, answer["result"])]
    for case, method, params in object_cases(world):
        answer = call(world.url, method, params)
        problems += [f"{case}: {p}" for p in spec.result_problems(method, answer.get("result", answer))]
    for params, answer in world.sent:
        problems += spec.param_problems("eth_sendRawTransaction", params)
        problems += spec.result_problems("eth_sendRawTransaction", answer.get("result", answer))
    assert not problems, "\n".join(problems)


def test_the_cases_cover_every_method_served_and_the_forms_answer_alike(spec, world):
    """Each served method of the spec is asked; the number, hash and object forms of one block
    give one answer."""
    asked = {method for _, method, _ in cases(world)} | {"eth_sendRawTransaction", "eth_getFilterChanges",
                                                        "eth_getFilterLogs", "eth_uninstallFilter"}
    served = set(spec.methods) & set(METHODS) - set(NOT_ON_THIS_CHAIN)
    assert served - asked == set()
    assert set(spec.methods) - served == set(NOT_ON_THIS_CHAIN)
    for method, params in (("eth_getBalance", [SENDER.address]), ("eth_getStorageAt", [world.token, world.token_slot]),
                           ("eth_getBlockReceipts", [])):
        answers = [result(world.url, method, params + [block]) for block in (
            _number(world), _hash(world), {"blockHash": _hash(world)}, {"blockNumber": _number(world)})]
        assert all(a == answers[0] for a in answers), (method, answers)
    capabilities = result(world.url, "eth_capabilities", [])
    assert {capabilities[kind]["oldestBlock"] for kind in ("state", "tx", "logs", "receipts", "blocks", "stateproofs")} \
        == {"0x1"}   # a new chain's node holds it all
    many = result(world.url, "eth_getStorageValues", [{world.token: [world.token_slot, "0x0"], SENDER.address: []}])
    one = [result(world.url, "eth_getStorageAt", [world.token, slot]) for slot in (world.token_slot, "0x0")]
    assert many == {world.token: one, SENDER.address: []} and int(one[0], 16) > 0


def _transfer_again(world: World) -> str:
    """The token transfer once more; its hash."""
    url = world.url
    data = result(url, "eth_getTransactionByHash", [world.txs["token"]])["input"]
    nonce = int(result(url, "eth_getTransactionCount", [SENDER.address, "pending"]), 16)
    signed = SENDER.sign_transaction({"chainId": int(result(url, "eth_chainId", []), 16), "nonce": nonce, "type": 2,
                                      "to": world.token, "data": data, "value": 0, "gas": 200_000,
                                      "maxFeePerGas": 4 * GWEI, "maxPriorityFeePerGas": GWEI})
    return result(url, "eth_sendRawTransaction", ["0x" + signed.raw_transaction.hex()])


def test_filters_answer_in_the_spec_shapes(spec, world):
    url = world.url
    logs = result(url, "eth_newFilter", [{"fromBlock": result(url, "eth_blockNumber", []), "address": world.token}])
    filters = {"logs": logs, "blocks": result(url, "eth_newBlockFilter", []),
               "pending": result(url, "eth_newPendingTransactionFilter", [])}
    tx_hash = _transfer_again(world)
    changes = {name: [] for name in filters}

    def polled():
        for name, filter_id in filters.items():
            changes[name] += result(url, "eth_getFilterChanges", [filter_id])
        return changes["logs"] and changes["blocks"]

    wait_until(polled, 60, "the filters to see the transfer")
    assert [log["transactionHash"] for log in changes["logs"]] == [tx_hash]
    for name, found in changes.items():
        if found:   # the spec's oneOf (hashes or logs) takes no empty array: both of its branches match one
            assert not spec.result_problems("eth_getFilterChanges", found), (name, found)
    every_log = result(url, "eth_getFilterLogs", [logs])
    assert every_log and not spec.result_problems("eth_getFilterLogs", every_log)
    for filter_id in filters.values():
        assert not spec.param_problems("eth_uninstallFilter", [filter_id])
        assert result(url, "eth_uninstallFilter", [filter_id]) is True
        assert result(url, "eth_uninstallFilter", [filter_id]) is False


def test_fee_data_comes_from_the_tips_paid(world):
    """eth_feeHistory's rewards are the tips the block's txs paid; eth_maxPriorityFeePerGas is
    geth's oracle over the last 20 blocks' receipts (recomputed here); eth_gasPrice pays the next
    block's base fee, the rise one full block can add, and that tip."""
    url = world.url
    for kind, tip in (("legacy", 2 * GWEI), ("access_list", 2 * GWEI), ("dynamic_fee", 2 * GWEI)):
        receipt = world.blocks[kind]
        history = result(url, "eth_feeHistory", ["0x1", receipt["blockNumber"], [50, 100]])
        base = int(history["baseFeePerGas"][0], 16)
        assert base == GWEI and int(receipt["effectiveGasPrice"], 16) == base + tip, (kind, receipt)
        assert history["reward"] == [[hex(tip), hex(tip)]], (kind, history)
    for _ in range(20):   # one block's view: asked again if a block was committed meanwhile
        latest = result(url, "eth_blockNumber", [])
        suggested = int(result(url, "eth_maxPriorityFeePerGas", []), 16)
        price, next_base = int(result(url, "eth_gasPrice", []), 16), int(result(url, "eth_baseFee", []), 16)
        tips = []
        for height in range(max(1, int(latest, 16) - 19), int(latest, 16) + 1):
            base = int(result(url, "eth_getBlockByNumber", [hex(height), False])["baseFeePerGas"], 16)
            paid = sorted(int(r["effectiveGasPrice"], 16) - base for r in result(url, "eth_getBlockReceipts", [hex(height)]))
            tips += paid[:3]
        if result(url, "eth_blockNumber", []) == latest:
            break
    else:
        pytest.fail("a block was committed during every one of 20 reads")
    assert suggested == (sorted(tips)[(len(tips) - 1) * 60 // 100] if tips else 0)
    assert price == next_base + -(-next_base // 8) + suggested
    blob_base_fee = "0x4a60005260206000f3"   # code that returns BLOBBASEFEE
    assert int(result(url, "eth_call", [{"input": blob_base_fee}]), 16) == int(result(url, "eth_blobBaseFee", []), 16)


def test_errors_keep_to_json_rpc_and_the_spec(spec, world):
    url = world.url
    too_much = "0xa9059cbb" + RECIPIENT[2:].rjust(64, "0") + "ff" * 32   # transfer(RECIPIENT, 2**256 - 1)
    for method in ("eth_call", "eth_estimateGas"):
        error = call(url, method, [{"from": SENDER.address, "to": world.token, "input": too_much}])["error"]
        assert error["code"] == EXECUTION_REVERTED and error["message"] == "execution reverted: Token: insufficient balance"
        assert not spec.problems(spec.error_schema(method, EXECUTION_REVERTED), error["data"])
        assert error["data"].startswith("0x08c379a0")   # Error(string)
    transfer = "0xa9059cbb" + RECIPIENT[2:].rjust(64, "0") + "1".rjust(64, "0")
    for method in ("eth_call", "eth_estimateGas"):   # a failure other than a revert: geth's words, not py-evm's
        starved = {"from": SENDER.address, "to": world.token, "input": transfer, "gas": hex(30_000)}
        assert call(url, method, [starved])["error"] == {"code": SERVER_ERROR, "message": "out of gas"}
    tx = {"from": SENDER.address, "to": RECIPIENT, "value": "0x1"}
    params = {"eth_coinbase": [], "eth_getBlockAccessList": [_number(world)], "eth_sign": [SENDER.address, "0x6869"],
              "eth_signTransaction": [tx], "eth_sendTransaction": [tx]}
    for method, (code, message) in NOT_ON_THIS_CHAIN.items():
        assert not spec.param_problems(method, params[method])
        assert call(url, method, params[method])["error"] == {"code": code, "message": message}
    unknown_hash = "0x" + "cd" * 32
    assert call(url, "eth_getBalance", [SENDER.address, unknown_hash])["error"] == {
        "code": SERVER_ERROR, "message": "header for hash not found"}
    for method, bad in (("eth_getBalance", ["0x12", "latest"]), ("eth_getBlockByNumber", ["0xnope", False]),
                        ("eth_getStorageValues", [{"0x12": ["0x0"]}]),
                        ("eth_getStorageValues", [{world.token: ["0x" + "00" * 33]}]),
                        ("eth_getStorageValues", [{world.token: ["0x0"] * 1025}]),
                        ("eth_getStorageValues", [{"0x" + f"{i:040x}": [] for i in range(1025)}]),
                        ("eth_getProof", [world.token, "0x0"]), ("eth_feeHistory", ["0x1", "latest", [90, 10]]),
                        ("eth_getLogs", [{"fromBlock": "0x1", "blockHash": unknown_hash}])):
        error = call(url, method, bad)["error"]
        assert set(error) == {"code", "message"} and error["code"] == INVALID_PARAMS, (method, bad, error)
        assert not any(word in error["message"] for word in ("Traceback", "Error:", "cometbft", "unmarshal")), error


def _signable(tx: dict) -> dict:
    """eth-account's fields for a filled transaction object."""
    kind = int(tx["type"], 16)
    fields = {key: int(tx[key], 16) for key in ("nonce", "gas", "value", "chainId")}
    fields |= {"to": tx["to"], "data": tx["input"]}
    if kind == 2:
        return {**fields, "type": 2, "accessList": tx["accessList"],
                **{key: int(tx[key], 16) for key in ("maxFeePerGas", "maxPriorityFeePerGas")}}
    fields["gasPrice"] = int(tx["gasPrice"], 16)
    return {**fields, "type": 1, "accessList": tx["accessList"]} if kind == 1 else fields


def test_a_filled_transaction_signs_as_it_is_and_commits(world):
    """Each filled transaction's `raw` holds the fields a wallet signs, as eth-account encodes
    them (with zero signature fields), and once signed it is taken and committed."""
    url = world.url
    for name, ask in _fill_asks(world).items():
        filled = result(url, "eth_fillTransaction", [ask])
        tx = filled["tx"]
        assert tx["type"] == {"dynamic fee": "0x2", "legacy": "0x0", "access list": "0x1", "contract call": "0x2"}[name]
        signed = SENDER.sign_transaction(_signable(tx)).raw_transaction
        typed = tx["type"] != "0x0"
        ours = rlp.decode(bytes.fromhex(filled["raw"][2:])[typed:])
        theirs = rlp.decode(bytes(signed)[typed:])
        chain_id = b"" if typed else int(tx["chainId"], 16).to_bytes(2, "big")   # legacy: EIP-155's signing form
        assert ours[:-3] == theirs[:-3] and ours[-3:] == [chain_id, b"", b""], name
        tx_hash = result(url, "eth_sendRawTransaction", ["0x" + bytes(signed).hex()])
        receipt = wait_until(lambda h=tx_hash: result(url, "eth_getTransactionReceipt", [h]), 60, f"{name} committed")
        assert receipt["status"] == "0x1", (name, receipt)
    wrong_chain = call(url, "eth_fillTransaction", [{"from": SENDER.address, "to": RECIPIENT, "chainId": "0x1"}])
    assert wrong_chain["error"]["code"] == INVALID_PARAMS
    for refused in ({"from": SENDER.address, "to": RECIPIENT, "type": "0x3"},        # blobs: not taken here
                    {"from": SENDER.address, "to": RECIPIENT, "gasPrice": "0x1", "maxFeePerGas": "0x2"},
                    {"from": SENDER.address},                                        # a creation without code
                    {"from": SENDER.address, "to": RECIPIENT, "value": hex(2**256)},
                    {"from": SENDER.address, "to": RECIPIENT, "accessList": [{"address": RECIPIENT,
                                                                              "storageKeys": ["0x" + "00" * 32] * 4096}]}):
        assert call(url, "eth_fillTransaction", [refused])["error"]["code"] == INVALID_PARAMS, refused
    listed = result(url, "eth_fillTransaction", [{"from": SENDER.address, "to": RECIPIENT, "gasPrice": "0x1",
                                                  "accessList": []}])
    assert listed["tx"]["type"] == "0x1"   # an access list, even empty, asks for EIP-2930 (as geth)


def _header_rlp(block: dict) -> bytes:
    """The Prague header a simulated block object describes, RLP-encoded."""
    def raw(name: str) -> bytes:
        return bytes.fromhex(block[name][2:])

    def number(name: str) -> int:
        return int(block[name], 16)
    return rlp.encode([raw("parentHash"), raw("sha3Uncles"), raw("miner"), raw("stateRoot"), raw("transactionsRoot"),
                       raw("receiptsRoot"), raw("logsBloom"), number("difficulty"), number("number"),
                       number("gasLimit"), number("gasUsed"), number("timestamp"), raw("extraData"), raw("mixHash"),
                       raw("nonce"), number("baseFeePerGas"), raw("withdrawalsRoot"), number("blobGasUsed"),
                       number("excessBlobGas"), raw("parentBeaconBlockRoot"), raw("requestsHash")])


def test_simulated_blocks_are_ethereum_blocks_and_failures_answer_the_spec_codes(world):
    url, simulations = world.url, _simulations(world)
    hashes_only = result(url, "eth_simulateV1", [{**simulations["every type, full and traced"],
                                                  "returnFullTransactions": False}])
    full = result(url, "eth_simulateV1", [simulations["every type, full and traced"]])
    for block, with_txs in zip(hashes_only, full):
        assert block["hash"] == "0x" + keccak(_header_rlp(block)).hex()
        assert [tx["hash"] for tx in with_txs["transactions"]] == block["transactions"]
        for index, call_result in enumerate(block["calls"]):
            assert call_result["status"] == "0x1"
            for log in call_result["logs"]:
                assert (log["transactionHash"], log["transactionIndex"], log["blockHash"]) == \
                    (block["transactions"][index], hex(index), block["hash"])
    assert [tx["type"] for tx in full[0]["transactions"]] == ["0x0", "0x1", "0x2", "0x2"]
    assert hashes_only[1]["parentHash"] == hashes_only[0]["hash"]
    transfers = [log for log in hashes_only[0]["calls"][0]["logs"]]
    assert [log["address"] for log in transfers] == ["0xEeeeeEeeeEeEeeEeEeEeeEEEeeeeEeeeeeeeEEeE"]   # traced
    token_logs = hashes_only[0]["calls"][3]["logs"]
    assert [log["topics"][0] for log in token_logs] == [TRANSFER_TOPIC] and token_logs[0]["address"] == world.token
    reverted, out_of_gas = result(url, "eth_simulateV1", [simulations["failures"]])[0]["calls"]
    assert reverted["status"] == "0x0" and reverted["error"]["code"] == EXECUTION_REVERTED
    assert reverted["error"]["message"] == "execution reverted: Token: insufficient balance"
    assert reverted["returnData"].startswith("0x08c379a0")
    assert out_of_gas["status"] == "0x0" and out_of_gas["error"]["code"] == -32015
    assert out_of_gas["gasUsed"] == hex(30_000)
    overridden = result(url, "eth_simulateV1", [simulations["overrides"]])
    assert int(overridden[-2]["calls"][0]["returnData"], 16) == 10**20
    assert overridden[-2]["miner"] == RECIPIENT and overridden[-2]["mixHash"] == "0x" + "77" * 32
    nonce = int(result(url, "eth_getTransactionCount", [SENDER.address, "latest"]), 16)
    pay = {"from": SENDER.address, "to": RECIPIENT, "maxFeePerGas": hex(4 * GWEI), "gas": hex(21_000)}
    for code, payload in ((-38011, {"blockStateCalls": [{"calls": [{**pay, "nonce": hex(nonce + 1)}]}],
                                    "validation": True}),
                          (-38020, {"blockStateCalls": [{"blockOverrides": {"number": "0x1"}}]}),
                          (INVALID_PARAMS, {"blockStateCalls": [{"calls": [{"to": "0x12"}]}]}),
                          (INVALID_PARAMS, {"blockStateCalls": {}})):
        error = call(url, "eth_simulateV1", [payload])["error"]
        assert error["code"] == code and "Traceback" not in error["message"], (payload, error)


def test_eth_config_names_this_chains_rules(world):
    """EIP-7910: one configuration in force since the first block, none scheduled; its fork id is
    the CRC32 of the genesis hash the state records (slot 256 of the chain records account), and
    each precompile it names answers there."""
    url = world.url
    config = result(url, "eth_config", [])
    assert config["next"] is None and config["last"] is None
    current = config["current"]
    assert current["chainId"] == result(url, "eth_chainId", []) and current["activationTime"] == 0
    genesis_hash = result(url, "eth_getStorageAt", [current["systemContracts"]["CHAIN_RECORDS"], hex(256), "latest"])
    assert int(genesis_hash, 16) != 0
    assert current["forkId"] == f"0x{zlib.crc32(bytes.fromhex(genesis_hash[2:])):08x}"
    precompiles = current["precompiles"]
    assert precompiles["STAKING"] == STAKING_ADDRESS.lower() and len(precompiles) == 17 + 7   # Prague's and ours
    digest = result(url, "eth_call", [{"to": precompiles["SHA256"], "input": "0x616263"}])
    assert digest == "0x" + hashlib.sha256(b"abc").hexdigest()
    assert result(url, "eth_call", [{"to": precompiles["ID"], "input": "0x0102"}]) == "0x0102"
    assert current["blobSchedule"]["max"] == 0 and result(url, "eth_blobBaseFee", []) == "0x1"
