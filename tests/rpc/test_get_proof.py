"""Issue 19: eth_getProof through the gateway. In process, the gateway's CometChain reads an
in-process app (its abci_query answered by the app itself); end to end, web3.py against a real
node. Every proof is checked by tests/app/test_proofs.py's own verifier, the account proof
against the block's stateRoot."""

import json
import re

import pytest
import rlp
from eth_hash.auto import keccak
from eth_utils import to_checksum_address

from abci_app.abci import types
from abci_app.cli.wallet import dev_account
from abci_app.rpc.gateway import dispatch
from abci_app.rpc.gateway.chain import CometChain
from abci_app.rpc.gateway.errors import INVALID_PARAMS, SERVER_ERROR
from abci_app.rpc.gateway.methods import MAX_PROOF_KEYS

from ..app.test_proofs import EMPTY_CODE, EMPTY_ROOT, NOBODY, _deploy_storage, proven
from .test_gateway_e2e import counter, send  # noqa: F401 (counter is a fixture)

# the execution-apis schemas' patterns of the answer's fields
UINT = re.compile(r"^0x(0|[1-9a-f][0-9a-f]{0,63})$")
HASH32 = re.compile(r"^0x[0-9a-f]{64}$")
BYTES = re.compile(r"^0x[0-9a-f]*$")
ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


def check_answer(answer: dict, state_root: bytes) -> None:
    """`answer` has the AccountProof schema's fields and patterns, and every proof in it holds
    (the account's under `state_root`, each slot's under its storageHash) and proves its values."""
    assert set(answer) == {"address", "accountProof", "balance", "codeHash", "nonce", "storageHash", "storageProof"}
    assert ADDRESS.match(answer["address"]) and UINT.match(answer["balance"]) and UINT.match(answer["nonce"])
    assert HASH32.match(answer["codeHash"]) and HASH32.match(answer["storageHash"])
    assert all(BYTES.match(node) for node in answer["accountProof"])
    account = proven(state_root, keccak(bytes.fromhex(answer["address"][2:])), answer["accountProof"])
    nonce, balance, storage_root, code_hash = rlp.decode(account) if account else (b"", b"", EMPTY_ROOT, EMPTY_CODE)
    assert [hex(int.from_bytes(field, "big")) for field in (nonce, balance)] == [answer["nonce"], answer["balance"]]
    assert ("0x" + storage_root.hex(), "0x" + code_hash.hex()) == (answer["storageHash"], answer["codeHash"])
    for entry in answer["storageProof"]:
        assert set(entry) == {"key", "value", "proof"} and UINT.match(entry["value"])
        assert all(BYTES.match(node) for node in entry["proof"])
        slot = int(entry["key"][2:] or "0", 16).to_bytes(32, "big")
        value = proven(bytes.fromhex(answer["storageHash"][2:]), keccak(slot), entry["proof"])
        assert hex(int.from_bytes(rlp.decode(value) if value else b"", "big")) == entry["value"]


class AppRPC:
    """CometBFT's abci_query, answered by an in-process app."""

    def __init__(self, app) -> None:
        self.app = app

    def abci_query(self, path: str, data: bytes = b"", height: int = 0) -> tuple[int, bytes, str]:
        answer = self.app.query(types.RequestQuery(path=path, data=data, height=height))
        return answer.code, answer.value, answer.log


def _get_proof(gateway: CometChain, *params) -> dict:
    """The whole JSON-RPC answer (result or error), as the gateway's dispatch gives it."""
    return json.loads(dispatch(gateway, json.dumps(
        {"jsonrpc": "2.0", "id": 1, "method": "eth_getProof", "params": list(params)}).encode()))


def test_get_proof_in_process(chain, keys):
    contract = _deploy_storage(chain, keys)
    chain.block([])
    gateway = CometChain("http://127.0.0.1:9")
    gateway.rpc = AppRPC(chain.app)
    asked = ["0x0", "0x" + "00" * 31 + "01", "0x", "0x02", "0x3", "0x" + "ff" * 32]  # echoed as written
    for tag, root in [("latest", chain.app_hashes[2]), ("0x1", chain.app_hashes[1])]:
        answer = _get_proof(gateway, contract, asked, tag)["result"]
        check_answer(answer, root)
        assert answer["address"] == to_checksum_address(contract)
        assert (answer["balance"], answer["nonce"], answer["codeHash"]) == ("0x0", "0x1", "0x" + keccak(b"\0").hex())
        assert [(e["key"], e["value"]) for e in answer["storageProof"]] == list(zip(asked, [
            "0x1", hex(2**256 - 1), "0x1", "0xdead", "0x0", "0x0"]))

    funded = _get_proof(gateway, keys[0].address.lower(), [])["result"]  # the block defaults to latest
    check_answer(funded, chain.app_hashes[2])
    assert funded["nonce"] == "0x1" and funded["storageProof"] == [] and funded["address"] == keys[0].address

    nobody = _get_proof(gateway, NOBODY, ["0x1"], "latest")["result"]
    check_answer(nobody, chain.app_hashes[2])
    assert nobody["accountProof"] and (nobody["balance"], nobody["nonce"]) == ("0x0", "0x0")
    assert nobody["storageProof"] == [{"key": "0x1", "value": "0x0", "proof": []}]


def test_get_proof_errors(chain):
    chain.block([])
    gateway = CometChain("http://127.0.0.1:9")
    gateway.rpc = AppRPC(chain.app)
    assert "result" in _get_proof(gateway, NOBODY, ["0x1"] * MAX_PROOF_KEYS)
    for params in ([NOBODY, ["0x1"] * (MAX_PROOF_KEYS + 1)], [NOBODY, ["0x" + "00" * 33]], [NOBODY, ["0xzz"]],
                   [NOBODY, [1]], [NOBODY, "0x1"], [NOBODY], ["0x12", []]):
        assert _get_proof(gateway, *params)["error"]["code"] == INVALID_PARAMS, params
    missing = _get_proof(gateway, NOBODY, [], "0x63")["error"]
    assert missing == {"code": SERVER_ERROR, "message": "no state at height 99: the last committed block is 1"}


@pytest.mark.e2e
def test_get_proof_against_the_blocks_state_root(w3, counter):  # noqa: F811 (the imported fixture)
    """Through web3.py and a real node (where /proof runs in a query worker): the proofs hold
    under the stateRoot eth_getBlockByNumber answers for the asked block, named by number or hash."""
    data = counter.functions.increment().build_transaction({"from": dev_account(4).address, "gas": 10**6})["data"]
    receipt = send(w3, dev_account(4), {"to": counter.address, "data": data, "gas": 200_000})
    number = receipt["blockNumber"]
    block = w3.eth.get_block(number)
    count = counter.functions.count().call(block_identifier=number)
    for ref in (hex(number), block["hash"].to_0x_hex(), {"blockHash": block["hash"].to_0x_hex()}):
        answer = w3.provider.make_request("eth_getProof", [counter.address, ["0x0", "0x1"], ref])["result"]
        check_answer(answer, bytes(block["stateRoot"]))
        assert [e["value"] for e in answer["storageProof"]] == [hex(count), "0x0"] and count >= 1
    for address in (dev_account(0).address, NOBODY):
        check_answer(w3.provider.make_request("eth_getProof", [address, [], hex(number)])["result"],
                     bytes(block["stateRoot"]))
    parsed = w3.eth.get_proof(counter.address, [0], number)  # web3.py reads the answer as its own
    assert int.from_bytes(parsed["storageProof"][0]["value"], "big") == count and parsed["nonce"] == 1
