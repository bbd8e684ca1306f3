"""`/simulate` (eth_simulateV1, issue 19) on an in-process chain: calls build on each other in
and across simulated blocks, overrides of block fields and state apply, blocks are real
Ethereum headers, the specification's error codes come back for what it refuses, the cost of a
request is bounded, and nothing is kept."""

import json

import pytest
import rlp
from eth_hash.auto import keccak
from trie import HexaryTrie

from abci_app.abci import types
from abci_app.app import simulation
from abci_app.evm.simulated_blocks import MAX_BLOCKS, TRANSFER_EMITTER, TRANSFER_TOPIC

from ..chain import CMT, GWEI, Chain, app_state, transfer

NOBODY = "0x" + "ab" * 20
CONTRACT = "0x" + "c0" * 20
MOVED = "0x" + "00" * 19 + "99"
ECRECOVER = "0x" + "00" * 19 + "01"
STAKING = "0x" + "00" * 18 + "cc01"
# Code for the overrides (no deploy needed):
BALANCE_OF = "0x5f35315f5260205ff3"          # return BALANCE(calldata[0:32])
SLOAD = "0x5f35545f5260205ff3"               # return SLOAD(calldata[0:32])
PARENT_HASH = "0x436001900340" + "5f5260205ff3"   # return BLOCKHASH(NUMBER - 1)
LOG_AA = "0x60aa5f5fa100"                    # LOG1(topic 0xaa), stop
FORWARD = "0x5f5f5f5f345f355af100"           # CALL(calldata[0:32], value = CALLVALUE), stop
FORWARD_THEN_REVERT = "0x5f5f5f5f345f355af15f5ffd"
REVERT = "0x5f5ffd"
INVALID = "0xfe"


def simulate(chain, payload, height: int = 0) -> dict:
    answer = chain.app.query(types.RequestQuery(path="/simulate", data=json.dumps(payload).encode(), height=height))
    assert answer.code == 0, answer.log
    return json.loads(answer.value)


def blocks(chain, block_state_calls, **flags) -> list[dict]:
    answer = simulate(chain, {"blockStateCalls": block_state_calls, **flags})
    assert "error" not in answer, answer
    return answer["blocks"]


def refused(chain, block_state_calls, **flags) -> tuple[int, str]:
    answer = simulate(chain, {"blockStateCalls": block_state_calls, **flags})
    assert "blocks" not in answer, answer
    return answer["error"]["code"], answer["error"]["message"]


def word(value: int) -> str:
    return "0x" + value.to_bytes(32, "big").hex()


def balance_call(address: str) -> dict:
    return {"to": CONTRACT, "input": "0x" + address[2:].lower().rjust(64, "0")}


def with_code(code: str, **extra) -> dict:
    return {CONTRACT: {"code": code, **extra}}


def test_calls_build_on_each_other_in_and_across_blocks_and_nothing_is_kept(chain, keys, tmp_path):
    chain.block([])
    sender = keys[0].address
    before = chain.app.query(types.RequestQuery(path=f"/account/{NOBODY}")).value
    found = blocks(chain, [
        {"stateOverrides": with_code(BALANCE_OF),
         "calls": [{"from": sender, "to": NOBODY, "value": hex(3 * CMT)}, balance_call(NOBODY)]},
        {"calls": [{"from": sender, "to": NOBODY, "value": hex(CMT)}, balance_call(NOBODY)]},
    ])
    assert [int(block["calls"][1]["output"], 16) for block in found] == [3 * CMT, 4 * CMT]
    assert all(call["status"] == 1 and call["error"] == "" for block in found for call in block["calls"])
    assert chain.app.query(types.RequestQuery(path=f"/account/{NOBODY}")).value == before
    twin = Chain.start(str(tmp_path / "twin"), app_state(keys))   # the same blocks, never simulated on
    try:
        twin.block([])
        for node in (chain, twin):
            node.block([transfer(keys[1], 0, NOBODY, 2)])
        assert chain.last.app_hash == twin.last.app_hash
    finally:
        twin.app.close()


def test_blocks_are_numbered_timed_and_hashed_as_ethereum_headers(chain, keys):
    chain.block([])
    head = json.loads(chain.app.query(types.RequestQuery(path="/history")).value)
    found = blocks(chain, [
        {"calls": [{"to": CONTRACT}]},
        {"blockOverrides": {"number": hex(head["height"] + 4), "time": hex(1_800_000_000)},
         "stateOverrides": with_code(PARENT_HASH), "calls": [{"to": CONTRACT}]},
    ])
    numbers = [block["number"] for block in found]
    assert numbers == list(range(head["height"] + 1, head["height"] + 5))   # the gap is filled with empty blocks
    assert [block["time_s"] for block in found][-1] == 1_800_000_000
    times = [block["time_s"] for block in found[:-1]]
    assert times == list(range(times[0], times[0] + 3))
    assert found[0]["parent_hash"] == "0x" + head["hash"].lower().removeprefix("0x")
    for parent, child in zip(found, found[1:]):
        assert child["parent_hash"] == parent["hash"]
    assert found[-1]["calls"][0]["output"] == found[-2]["hash"]   # BLOCKHASH sees the simulated parent
    for block in found:
        assert block["hash"] == "0x" + keccak(rlp.encode(header_fields(block))).hex()
    assert found[1]["calls"] == [] and found[1]["transactions_root"] == "0x" + keccak(rlp.encode(b"")).hex()


def header_fields(block: dict) -> list:
    """A Prague header from a `/simulate` block, field by field (EIP-1559, 4895, 4844, 4788, 7685)."""
    def raw(hex_text: str) -> bytes:
        return bytes.fromhex(hex_text[2:])
    return [raw(block["parent_hash"]), keccak(rlp.encode([])), raw(block["miner"]), raw(block["state_root"]),
            raw(block["transactions_root"]), raw(block["receipts_root"]), raw(block["logs_bloom"]), 0, block["number"],
            block["gas_limit"], block["gas_used"], block["time_s"], b"", raw(block["mix_hash"]), b"\0" * 8,
            int(block["base_fee_wei"]), keccak(rlp.encode(b"")), 0, 0, b"\0" * 32,
            bytes.fromhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]


def test_state_overrides_replace_or_patch_storage_and_set_balance_nonce_code(chain, keys):
    chain.block([])
    storage = {word(1): word(11), word(2): word(22)}
    found = blocks(chain, [
        {"stateOverrides": {CONTRACT: {"code": SLOAD, "state": storage}},
         "calls": [{"to": CONTRACT, "input": word(1)}, {"to": CONTRACT, "input": word(2)}]},
        {"stateOverrides": {CONTRACT: {"stateDiff": {word(1): word(99)}}},
         "calls": [{"to": CONTRACT, "input": word(1)}, {"to": CONTRACT, "input": word(2)}]},
        {"stateOverrides": {CONTRACT: {"state": {word(3): word(33)}}},
         "calls": [{"to": CONTRACT, "input": word(2)}, {"to": CONTRACT, "input": word(3)}]},
        {"stateOverrides": {NOBODY: {"balance": hex(5 * CMT), "nonce": "0x7"}, **with_code(BALANCE_OF)},
         "calls": [balance_call(NOBODY), {"from": NOBODY, "to": keys[1].address, "value": hex(CMT)},
                   balance_call(NOBODY)]},
    ])
    outputs = [[int(call["output"] if call["output"] != "0x" else "0x0", 16) for call in block["calls"]]
               for block in found]
    assert outputs[:3] == [[11, 22], [99, 22], [0, 33]]   # `state` replaces the whole storage
    assert outputs[3][0] == 5 * CMT and outputs[3][2] == 4 * CMT
    assert found[3]["calls"][1]["raw"].startswith("0x02") and rlp.decode(bytes.fromhex(
        found[3]["calls"][1]["raw"][4:]))[1] == b"\x07"   # the overridden nonce is the tx's


def test_a_precompile_moves_and_only_ethereums_do(chain, keys):
    chain.block([])
    message = keccak(b"simulate")
    signed = keys[0].unsafe_sign_hash(message)
    ecrecover_input = "0x" + message.hex() + word(signed.v)[2:] + word(signed.r)[2:] + word(signed.s)[2:]
    both = [{"to": MOVED, "input": ecrecover_input}, {"to": ECRECOVER, "input": ecrecover_input}]
    found = blocks(chain, [{"stateOverrides": {ECRECOVER: {"movePrecompileToAddress": MOVED}}, "calls": both},
                           {"calls": both}])
    recovered = "0x" + keys[0].address[2:].lower().rjust(64, "0")
    assert [call["output"] for call in found[0]["calls"]] == [recovered, "0x"]   # nothing answers at 0x01 then
    assert [call["output"] for call in found[1]["calls"]] == ["0x", recovered]   # each block starts from home
    assert refused(chain, [{"stateOverrides": {ECRECOVER: {"movePrecompileToAddress": ECRECOVER}}}])[0] == -38022
    two = {ECRECOVER: {"movePrecompileToAddress": MOVED}, "0x" + "00" * 19 + "02": {"movePrecompileToAddress": MOVED}}
    assert refused(chain, [{"stateOverrides": two}])[0] == -38023
    onto_one = {ECRECOVER: {"movePrecompileToAddress": "0x" + "00" * 19 + "02"}}
    assert refused(chain, [{"stateOverrides": onto_one}])[0] == -38023
    for address in (STAKING, NOBODY):   # the chain's own precompiles stay where contracts find them
        assert refused(chain, [{"stateOverrides": {address: {"movePrecompileToAddress": MOVED}}}])[0] == -32602


def test_failed_calls_answer_their_reason_and_keep_nothing_of_theirs(chain, keys):
    chain.block([])
    found = blocks(chain, [{"stateOverrides": {CONTRACT: {"code": REVERT}, NOBODY: {"code": INVALID}},
                            "calls": [{"to": CONTRACT}, {"to": NOBODY, "gas": hex(50_000)}]}])
    reverted, invalid = found[0]["calls"]
    assert (reverted["status"], reverted["reverted"], reverted["error"]) == (0, True, "execution reverted")
    assert (invalid["status"], invalid["reverted"], invalid["gas_used"]) == (0, False, 50_000)
    assert invalid["error"] == "invalid opcode"   # geth's words, not py-evm's


def test_trace_transfers_logs_each_kept_value_transfer_in_order(chain, keys):
    chain.block([])
    sender = keys[0].address
    overrides = {CONTRACT: {"code": FORWARD}, NOBODY: {"code": LOG_AA},
                 keys[2].address: {"code": FORWARD_THEN_REVERT}}
    to_nobody = "0x" + NOBODY[2:].rjust(64, "0")
    calls = [{"from": sender, "to": CONTRACT, "value": "0x5", "input": to_nobody},
             {"from": sender, "to": keys[2].address, "value": "0x6", "input": to_nobody}]
    traced = blocks(chain, [{"stateOverrides": overrides, "calls": calls}], traceTransfers=True)[0]["calls"]
    emitter, topic = "0x" + TRANSFER_EMITTER.hex(), word(TRANSFER_TOPIC)

    def transfer_log(source: str, target: str, value: int) -> dict:
        return {"address": emitter, "topics": [topic, "0x" + source[2:].lower().rjust(64, "0"),
                                               "0x" + target[2:].lower().rjust(64, "0")], "data": word(value)}
    assert traced[0]["logs"] == [transfer_log(sender, CONTRACT, 5), transfer_log(CONTRACT, NOBODY, 5),
                                 {"address": NOBODY, "topics": [word(0xAA)], "data": "0x"}]
    assert traced[1]["status"] == 0 and traced[1]["logs"] == []
    plain = blocks(chain, [{"stateOverrides": overrides, "calls": calls}])[0]["calls"]
    assert plain[0]["logs"] == [{"address": NOBODY, "topics": [word(0xAA)], "data": "0x"}]


def test_validation_checks_as_a_block_would_and_charges_fees(chain, keys):
    chain.block([])
    sender, fee = keys[0].address, {"maxFeePerGas": hex(10 * GWEI), "maxPriorityFeePerGas": hex(GWEI)}
    pay = {"from": sender, "to": NOBODY, "value": "0x1", "gas": hex(21_000), **fee}
    look = {**balance_call(sender), "from": keys[1].address, "gas": hex(100_000), **fee}
    found = blocks(chain, [{"stateOverrides": with_code(BALANCE_OF), "calls": [look, pay, look]}], validation=True)
    block = found[0]
    base_fee = int(block["base_fee_wei"])
    assert base_fee == GWEI   # the chain's next base fee
    charged = int(block["calls"][0]["output"], 16) - int(block["calls"][2]["output"], 16)
    assert block["calls"][1]["gas_used"] == 21_000 and charged == 1 + 21_000 * (base_fee + GWEI)
    nonce = json.loads(chain.app.query(types.RequestQuery(path=f"/account/{sender}")).value)["nonce"]
    cases = {
        -38010: {**pay, "nonce": hex(nonce - 1)} if nonce else None,
        -38011: {**pay, "nonce": hex(nonce + 1)},
        -38012: {**pay, "maxFeePerGas": hex(base_fee - 1), "maxPriorityFeePerGas": "0x0"},
        -38013: {**pay, "gas": hex(20_999)},
        -38014: {**pay, "value": hex(10**30)},
        -38024: {**pay, "from": CONTRACT},
        -38015: {**pay, "gas": hex(10**9)},
        -38025: {**fee, "from": sender, "input": "0x" + "00" * 49_153, "gas": hex(9_000_000)},
    }
    for code, call in cases.items():
        if call is not None:
            state = with_code(BALANCE_OF) if code == -38024 else {}
            assert refused(chain, [{"stateOverrides": state, "calls": [call]}], validation=True)[0] == code, code
    unchecked = blocks(chain, [{"calls": [{**pay, "nonce": hex(nonce + 5), "maxFeePerGas": "0x0"}]}])
    assert unchecked[0]["calls"][0]["status"] == 1 and unchecked[0]["base_fee_wei"] == "0"


def test_block_numbers_and_times_keep_their_order(chain, keys):
    chain.block([])
    height = json.loads(chain.app.query(types.RequestQuery(path="/history")).value)["height"]
    assert refused(chain, [{"blockOverrides": {"number": hex(height)}}])[0] == -38020
    assert refused(chain, [{"blockOverrides": {"number": hex(height + 3)}},
                           {"blockOverrides": {"number": hex(height + 2)}}])[0] == -38020
    assert refused(chain, [{"blockOverrides": {"time": "0x10"}}])[0] == -38021
    assert len(blocks(chain, [{"blockOverrides": {"number": hex(height + MAX_BLOCKS)}}])) == MAX_BLOCKS


def test_what_a_request_may_cost_is_bounded(chain, keys):
    chain.block([])
    height = json.loads(chain.app.query(types.RequestQuery(path="/history")).value)["height"]
    assert refused(chain, [{}] * (MAX_BLOCKS + 1))[0] == -38026
    assert refused(chain, [{"blockOverrides": {"number": hex(height + MAX_BLOCKS + 1)}}])[0] == -38026
    many_slots = {word(slot): word(1) for slot in range(simulation.MAX_OVERRIDE_ITEMS)}
    assert refused(chain, [{"stateOverrides": {CONTRACT: {"stateDiff": many_slots}}}])[0] == -38026
    spin = "0x5b5f56"   # JUMPDEST PUSH0 JUMP: runs until its gas is gone
    burn = [{"to": CONTRACT}] * 3   # each call takes what is left of the node's 10M call_gas_cap
    found = blocks(chain, [{"stateOverrides": with_code(spin), "calls": burn[:1]}])
    assert found[0]["calls"][0]["gas_used"] == 10_000_000
    assert refused(chain, [{"stateOverrides": with_code(spin), "calls": [{"to": CONTRACT, "gas": hex(10_000_001)}]}]) \
        [0] == -38026
    assert refused(chain, [{"stateOverrides": with_code(spin), "calls": burn}])[0] == -38026


MAX = "0x" + "f" * 64


@pytest.mark.parametrize("block_state_call, flags, code", [
    ({"stateOverrides": {NOBODY: {"nonce": "0xffffffffffffffff"}}, "calls": [{"from": NOBODY}]}, {}, -32000),
    ({"stateOverrides": {NOBODY: {"balance": MAX}}, "calls": [{"to": NOBODY, "value": "0x1"}]}, {}, -32000),
    ({"blockOverrides": {"feeRecipient": NOBODY}, "stateOverrides": {NOBODY: {"balance": MAX}},
      "calls": [{"to": CONTRACT, "gas": hex(21_000), "maxFeePerGas": hex(10 * GWEI)}]}, {"validation": True}, -32000),
    ({"blockOverrides": {"time": "0xffffffffffffffff"}}, {}, -38021),
])
def test_overrides_at_the_edge_of_their_range_are_refused_cleanly(chain, keys, block_state_call, flags, code):
    """A balance or nonce pushed past its range by a call refuses the request (py-evm's words
    stay inside), never an internal error."""
    chain.block([])
    for call in block_state_call.get("calls", []):
        call.setdefault("from", keys[0].address)
    error = refused(chain, [block_state_call, {}], **flags)
    assert error[0] == code and "uint" not in error[1], error


@pytest.mark.parametrize("payload", [
    None, [], {}, {"blockStateCalls": {}}, {"blockStateCalls": [1]},
    {"blockStateCalls": [{"calls": {}}]}, {"blockStateCalls": [{"calls": [1]}]},
    {"blockStateCalls": [{"calls": [{"to": "0x12"}]}]},
    {"blockStateCalls": [{"calls": [{"value": 5}]}]},
    {"blockStateCalls": [{"calls": [{"value": "0x" + "f" * 65}]}]},
    {"blockStateCalls": [{"calls": [{"gas": hex(2**64)}]}]},
    {"blockStateCalls": [{"calls": [{"type": "0x3"}]}]},
    {"blockStateCalls": [{"calls": [{"gasPrice": "0x1", "maxFeePerGas": "0x1"}]}]},
    {"blockStateCalls": [{"calls": [{"type": "0x0", "accessList": [{"address": NOBODY, "storageKeys": []}]}]}]},
    {"blockStateCalls": [{"calls": [{"accessList": [{"address": NOBODY, "storageKeys": ["0x1"]}]}]}]},
    {"blockStateCalls": [{"calls": [{"input": "0xzz"}]}]},
    {"blockStateCalls": [{"blockOverrides": {"number": "12"}}]},
    {"blockStateCalls": [{"blockOverrides": {"prevRandao": "0x01"}}]},
    {"blockStateCalls": [{"blockOverrides": {"withdrawals": [{"index": "0x0"}]}}]},
    {"blockStateCalls": [{"stateOverrides": {"0x12": {}}}]},
    {"blockStateCalls": [{"stateOverrides": {NOBODY: {"state": {}, "stateDiff": {}}}}]},
    {"blockStateCalls": [{"stateOverrides": {NOBODY: {"state": {"0x1": word(1)}}}}]},
    {"blockStateCalls": [{"stateOverrides": {NOBODY: {"balance": hex(2**256)}}}]},
    {"blockStateCalls": [{"stateOverrides": {NOBODY: {"balance": "0x1"}, NOBODY.upper().replace("X", "x"): {}}}]},
    {"blockStateCalls": [{"stateOverrides": {NOBODY: {"stateDiff": {word(0xAB): word(1), word(0xAB).upper().replace("X", "x"): word(2)}}}}]},
    {"blockStateCalls": [{"calls": [{"accessList": [{}]}]}]},
    {"blockStateCalls": [{"calls": [{"input": "0x 00 11"}]}]},
    {"blockStateCalls": [{"calls": [{"input": "0x001"}]}]},
    {"blockStateCalls": []},
    {"blockStateCalls": [], "validation": "yes"},
    {"blockStateCalls": [], "traceTransfers": 1},
])
def test_a_malformed_payload_is_invalid_params_never_an_internal_error(chain, payload):
    chain.block([])
    answer = simulate(chain, payload)
    if payload == {"blockStateCalls": []}:
        assert answer == {"blocks": []}
    else:
        assert answer["error"]["code"] == -32602, answer


def test_an_older_block_is_simulated_on_its_own_state(chain, keys):
    chain.block([transfer(keys[0], 0, NOBODY, 7)])
    first = chain.height
    chain.block([transfer(keys[0], 1, NOBODY, 8)])
    for height, expected in ((first, 7), (0, 15)):
        found = simulate(chain, {"blockStateCalls": [{"stateOverrides": with_code(BALANCE_OF),
                                                      "calls": [balance_call(NOBODY)]}]}, height)["blocks"]
        assert int(found[0]["calls"][0]["output"], 16) == expected
        assert found[0]["number"] == (height or chain.height) + 1


def test_the_chains_own_accounts_and_oversized_code_are_not_overridden(chain, keys):
    """A module's records are only what consensus wrote (overridden, a module could read garbage
    without gas: found by review), and override code stays within EIP-170 (longer code is
    analysed afresh in every frame)."""
    chain.block([])
    for address in (STAKING, "0x" + "00" * 18 + "cc07", "0x" + "00" * 18 + "cc00", "0x" + "00" * 18 + "cc10"):
        for override in ({"stateDiff": {word(0): word(1)}}, {"balance": "0x1"}, {"code": "0x00"}):
            assert refused(chain, [{"stateOverrides": {address: override}}])[0] == -32602, (address, override)
    assert refused(chain, [{"stateOverrides": with_code("0x" + "5b" * 24_577)}])[0] == -32602
    assert blocks(chain, [{"stateOverrides": with_code("0x" + "5b" * 24_576), "calls": [{"to": CONTRACT}]}])


def test_the_answer_is_bounded_in_bytes(chain, keys):
    """Return data and logs of all calls together stay within MAX_ANSWER_BYTES (-38026 past it):
    cheap memory let 7 Mgas answer 29 MB (found by review)."""
    chain.block([])
    revert_96k = "0x62017700" + "5ffd"   # REVERT(0, 96000)
    calls = [{"to": CONTRACT, "gas": hex(100_000)}]
    assert len(blocks(chain, [{"stateOverrides": with_code(revert_96k), "calls": calls * 20}])[0]["calls"]) == 20
    assert refused(chain, [{"stateOverrides": with_code(revert_96k), "calls": calls * 30}])[0] == -38026


def test_a_simulation_leaves_no_trie_in_process_caches(chain, keys):
    """Simulated roots are built in a throwaway dict: py-trie's process-wide node cache does not
    grow (py-evm's own helper kept every block's receipts there: +3.6 MB a query, found by review)."""
    chain.block([])
    logs_300k = "0x620493e05f" + "a0"   # LOG0(0, 300000)
    payload = [{"stateOverrides": with_code(logs_300k), "calls": [{"to": CONTRACT, "gas": hex(5_000_000)}]}]
    assert blocks(chain, payload)[0]["calls"][0]["logs"][0]["data"] == "0x" + "00" * 300_000
    blocks(chain, payload)
    cached = HexaryTrie._cached_create_node_to_db_mapping.cache_info().currsize
    for _ in range(3):
        blocks(chain, payload)
    assert HexaryTrie._cached_create_node_to_db_mapping.cache_info().currsize == cached


def test_before_the_first_commit_a_simulation_is_refused(tmp_path, keys):
    chain = Chain.start(str(tmp_path / "fresh"), app_state(keys))
    try:
        answer = simulate(chain, {"blockStateCalls": [{"calls": [{"to": NOBODY}]}]})
        assert answer == {"error": {"code": -32000, "message": "no committed block yet"}}
    finally:
        chain.app.close()
