"""Contracts on the chain: deployment, calls using Cancun opcodes, logs, reverts with reasons."""

import dataclasses
import hashlib
import json

from eth._utils.address import generate_contract_address
from eth_abi import decode, encode
from eth_hash.auto import keccak

from abci_app.abci import types
from abci_app.app import codes
from abci_app.contracts import load_contract

from ..chain import transfer


def _selector(signature: str) -> bytes:
    return keccak(signature.encode())[:4]


def _receipt(chain, raw: bytes) -> dict:
    response = chain.query("/tx/0x" + keccak(raw).hex())
    assert response.code == 0, response.log
    return json.loads(response.value)


def _deploy(chain, key, nonce: int = 0) -> str:
    raw = transfer(key, nonce, "", 0, gas=2_000_000, data=load_contract("Counter").bytecode)
    (result,) = chain.block([raw])
    assert result.code == 0, result.log
    receipt = _receipt(chain, raw)
    assert receipt["status"] == 1
    return receipt["contract_address"]


def test_deploy_then_call_with_push0_mcopy_and_tstore(chain, keys):
    address = _deploy(chain, keys[0])
    code_hash = chain.account(address)["code_hash"]
    assert code_hash == "0x" + keccak(load_contract("Counter").deployed_bytecode).hex()

    note = b"order #42"
    call = transfer(keys[0], 1, address, 0, gas=200_000,
                    data=_selector("incrementWithNote(bytes)") + encode(["bytes"], [note]))
    (result,) = chain.block([call])
    assert result.code == 0, result.log
    (tagged,) = decode(["bytes"], result.data)
    assert tagged.endswith(note)
    receipt = _receipt(chain, call)
    (log,) = receipt["logs"]
    assert log["topics"][0] == "0x" + keccak(b"Incremented(address,uint256)").hex()
    assert log["topics"][1] == "0x" + keys[0].address.lower()[2:].rjust(64, "0")
    assert int(log["data"], 16) == 1


def test_a_revert_is_included_charged_and_explained(chain, keys):
    address = _deploy(chain, keys[0])
    supply = chain.supply()
    before = chain.balance(keys[0].address)
    raw = transfer(keys[0], 1, address, 0, gas=100_000, data=_selector("add(uint256)") + encode(["uint256"], [0]))
    (result,) = chain.block([raw])
    assert result.code == codes.EXECUTION_FAILED
    assert result.log == "execution reverted: Counter: amount is zero"
    receipt = _receipt(chain, raw)
    assert receipt["status"] == 0 and receipt["logs"] == []
    assert chain.account(keys[0].address)["nonce"] == 2
    assert chain.balance(keys[0].address) == before - receipt["gas_used"] * int(receipt["effective_gas_price"])
    assert chain.supply() == supply


def test_out_of_gas_is_a_failed_receipt(chain, keys):
    raw = transfer(keys[0], 0, "", 0, gas=100_000, data=load_contract("Counter").bytecode)
    (result,) = chain.block([raw])
    assert result.code == codes.EXECUTION_FAILED and result.gas_used == 100_000
    assert "OutOfGas" in result.log
    assert _receipt(chain, raw)["contract_address"] is None


def test_code_storage_and_call_queries_read_committed_state_and_keep_nothing(chain, keys):
    address = _deploy(chain, keys[0])
    code = json.loads(chain.query(f"/code/{address}").value)["code"]
    assert code == "0x" + load_contract("Counter").deployed_bytecode.hex()
    call = {"from": keys[1].address, "to": address, "data": "0x" + _selector("increment()").hex()}
    before = chain.app_hashes[-1]
    for _ in range(2):  # nothing is kept: the same call gives the same answer
        response = chain.app.query(types.RequestQuery(path="/call", data=json.dumps(call).encode()))
        result = json.loads(response.value)
        assert result["success"] and result["gas_used"] > 21_000 and result["error"] == ""
    count = json.loads(chain.app.query(types.RequestQuery(path="/call", data=json.dumps(
        {"to": address, "data": "0x" + _selector("count()").hex()}).encode())).value)
    assert int(count["output"], 16) == 0
    assert json.loads(chain.query(f"/storage/{address}/0").value)["value"] == "0x" + "00" * 32
    reverted = json.loads(chain.app.query(types.RequestQuery(path="/call", data=json.dumps(
        {"to": address, "data": "0x" + (_selector("add(uint256)") + encode(["uint256"], [0])).hex()}).encode())).value)
    assert not reverted["success"] and reverted["error"] == "execution reverted: Counter: amount is zero"
    assert chain.query("/call").code == 0 and chain.query("/storage/nope").code == 41
    chain.block([])
    assert chain.account(keys[1].address)["nonce"] == 0 and chain.app_hashes[-1] != b""
    assert before == chain.app_hashes[-2]


# returns (NUMBER, TIMESTAMP, BLOCKHASH(NUMBER - 1)) as three words
BLOCK_VIEW = bytes.fromhex("435f5242602052" "600143034060405260605ff3")
BLOCKHASH_BACK = bytes.fromhex("5f35430340" "5f5260205ff3")  # BLOCKHASH(NUMBER - calldata word)
LOOP = bytes.fromhex("5b5f56")  # JUMPDEST PUSH0 JUMP: runs until the gas is gone


def _deploy_runtime(chain, key, nonce: int, runtime: bytes) -> str:
    init = bytes([0x60, len(runtime), 0x80, 0x60, 0x0B, 0x5F, 0x39, 0x5F, 0xF3]) + b"\0\0" + runtime
    (deployed,) = chain.block([transfer(key, nonce, "", 0, gas=200_000, data=init)])
    assert deployed.code == 0, deployed.log
    return "0x" + generate_contract_address(bytes.fromhex(key.address[2:]), nonce).hex()


def _call(chain, body: dict) -> dict:
    response = chain.app.query(types.RequestQuery(path="/call", data=json.dumps(body).encode()))
    assert response.code == 0, response.log
    return json.loads(response.value)


def test_a_call_runs_in_the_latest_block(chain, keys):
    """Issue 14: eth_call ran at block 0 and timestamp 0; a wallet expects the latest block."""
    address = _deploy_runtime(chain, keys[0], 0, BLOCK_VIEW)
    chain.block([], seconds=7)
    result = _call(chain, {"to": address})
    number, timestamp, previous_hash = (int(result["output"][2 + 64 * i:2 + 64 * (i + 1)], 16) for i in range(3))
    assert (number, timestamp) == (chain.height, chain.time_s)
    assert previous_hash == int.from_bytes(hashlib.sha256(b"block-%d" % (chain.height - 1)).digest(), "big")


def test_a_call_sees_the_255_block_hashes_before_its_block(chain, keys):
    """BLOCKHASH(NUMBER - 256) once answered block H's own hash: the state after H holds the
    hashes of H-255..H, so a call in block H reaches back 255 blocks (found by review)."""
    address = _deploy_runtime(chain, keys[0], 0, BLOCKHASH_BACK)
    for _ in range(260):
        chain.block([])
    for back in (1, 255, 256):
        result = _call(chain, {"to": address, "data": "0x" + back.to_bytes(32, "big").hex()})
        expected = 0 if back == 256 else int.from_bytes(hashlib.sha256(b"block-%d" % (chain.height - back)).digest(),
                                                       "big")
        assert int(result["output"], 16) == expected, back


def test_a_call_gets_at_most_the_gas_cap(chain, keys):
    """Issue 14: a call without gas ran with the block's 100M; now the node's cap (10M by default)."""
    address = _deploy_runtime(chain, keys[0], 0, LOOP)
    assert _call(chain, {"to": address})["gas_used"] == chain.app.settings.call_gas_cap == 10_000_000
    assert _call(chain, {"to": address, "gas": 10**9})["gas_used"] == 10_000_000
    chain.app.settings = dataclasses.replace(chain.app.settings, call_gas_cap=100_000)
    assert _call(chain, {"to": address})["gas_used"] == 100_000
