"""The query bodies the gateway sends for eth_call, eth_estimateGas, eth_createAccessList and
eth_getStorageValues: an access list is part of a call (it runs as an EIP-2930 tx, paying for
it), and a malformed body is a bad request (41), never a worker's internal error (1)."""

import json

import pytest

from abci_app.abci import types
from abci_app.app import codes
from abci_app.app.query import MAX_PROOF_KEYS

from .test_proofs import SLOTS, _deploy_storage

NOBODY = "0x" + "ab" * 20


def _query(chain, path: str, body) -> types.ResponseQuery:
    return chain.app.query(types.RequestQuery(path=path, data=json.dumps(body).encode()))


def _answer(chain, path: str, body) -> dict:
    answer = _query(chain, path, body)
    assert answer.code == 0, answer.log
    return json.loads(answer.value)


def test_a_calls_access_list_is_paid_for(chain, keys):
    chain.block([])
    plain = {"from": keys[0].address, "to": NOBODY, "gas": 100_000}
    listed = {**plain, "access_list": [{"address": NOBODY, "storage_keys": ["0x0", "0x1"]}]}
    assert _answer(chain, "/call", plain)["gas_used"] == 21_000
    assert _answer(chain, "/call", listed)["gas_used"] == 21_000 + 2_400 + 2 * 1_900   # EIP-2930's prices
    assert _answer(chain, "/estimate", listed)["gas"] == 21_000 + 2_400 + 2 * 1_900
    short = _answer(chain, "/call", {**listed, "gas": 25_000})
    assert short["success"] is False and short["error"] == "intrinsic gas too low: have 25000, want 27200"


@pytest.mark.parametrize("access_list", [
    [{"storage_keys": ["0x0"]}],                               # no address
    [{"address": NOBODY}],                                     # no keys
    [{"address": NOBODY, "storage_keys": {"0x0": 1}}],
    [{"address": NOBODY, "storage_keys": ["-0x1"]}],
    [{"address": NOBODY, "storage_keys": [hex(2**256)]}],
    [{"address": NOBODY, "storage_keys": [7]}],
    [{"address": "0x12", "storage_keys": []}],
    {"address": NOBODY},
    ["0x00"],
])
def test_a_malformed_access_list_is_a_bad_request(chain, keys, access_list):
    chain.block([])
    body = {"from": keys[0].address, "to": NOBODY, "access_list": access_list}
    for path in ("/call", "/estimate", "/accesslist"):
        answer = _query(chain, path, body)
        assert answer.code == codes.QUERY_BAD_REQUEST, (path, answer.code, answer.log)


def test_storages_answers_many_words_of_many_accounts_in_one_query(chain, keys):
    contract = _deploy_storage(chain, keys)
    slots = sorted(SLOTS)
    answer = _answer(chain, "/storages", {contract: [hex(s) for s in slots] + ["0x999"], NOBODY: []})
    assert answer == {contract.lower(): ["0x" + SLOTS[s].to_bytes(32, "big").hex() for s in slots] + ["0x" + "00" * 32],
                      NOBODY: []}
    assert _query(chain, "/storages", {NOBODY: ["0x1"] * MAX_PROOF_KEYS}).code == 0
    assert _query(chain, "/storages", {NOBODY: ["0x1"] * (MAX_PROOF_KEYS + 1)}).code == codes.QUERY_TOO_MANY_RESULTS
    accounts = {"0x" + f"{i:040x}": [] for i in range(MAX_PROOF_KEYS + 1)}
    assert _query(chain, "/storages", accounts).code == codes.QUERY_TOO_MANY_RESULTS
    for body in ({"0x12": []}, {NOBODY: [hex(2**256)]}, {NOBODY: ["zz"]}, {NOBODY: [1]}, [NOBODY], {}, {NOBODY: "0x1"}):
        assert _query(chain, "/storages", body).code == codes.QUERY_BAD_REQUEST, body
