"""Queries at recent heights, stored blocks with their receipts, and log filters (`/logs`)."""

import json

from eth_abi import encode
from eth_hash.auto import keccak

from abci_app.abci import types
from abci_app.app import codes
from abci_app.contracts import load_contract

from ..chain import transfer

TRANSFER_TOPIC = "0x" + keccak(b"Transfer(address,address,uint256)").hex()
RECIPIENT = "0x" + "be" * 20


def _query(chain, path: str, data: bytes = b"", height: int = 0) -> types.ResponseQuery:
    return chain.app.query(types.RequestQuery(path=path, data=data, height=height))


def _json(chain, path: str, data: bytes = b"", height: int = 0):
    answer = _query(chain, path, data, height)
    assert answer.code == 0, answer.log
    return json.loads(answer.value)


def _topic(address: str) -> str:
    return "0x" + address[2:].lower().rjust(64, "0")


def _token(chain, keys) -> str:
    """Deploy the example ERC-20 from keys[0] (block 1) and make three transfers (blocks 2 and 3)."""
    artifact = load_contract("Token")
    code = artifact.bytecode + encode(["string", "string", "uint256"], ["T", "T", 10**24])
    chain.block([transfer(keys[0], 0, "", 0, gas=3_000_000, data=code)])
    token = _json(chain, f"/tx/0x{keccak(transfer(keys[0], 0, '', 0, gas=3_000_000, data=code)).hex()}")
    address = token["contract_address"]

    def send(nonce, to, amount):
        data = keccak(b"transfer(address,uint256)")[:4] + encode(["address", "uint256"], [to, amount])
        return transfer(keys[0], nonce, address, 0, gas=100_000, data=data)

    chain.block([send(1, keys[1].address, 5), transfer(keys[2], 0, RECIPIENT, 7), send(2, keys[2].address, 6)])
    chain.block([send(3, keys[1].address, 9)])
    return address


def test_state_queries_answer_at_a_recent_height(chain, keys):
    chain.block([transfer(keys[0], 0, RECIPIENT, 100)])
    chain.block([transfer(keys[0], 1, RECIPIENT, 200)])
    chain.block([])
    assert int(_json(chain, f"/account/{RECIPIENT}", height=1)["balance"]) == 100
    assert int(_json(chain, f"/account/{RECIPIENT}", height=2)["balance"]) == 300
    assert int(_json(chain, f"/account/{RECIPIENT}")["balance"]) == 300
    assert _json(chain, "/chain", height=1)["height"] == 1
    assert _query(chain, "/account/" + RECIPIENT, height=2).height == 2
    for missing in (4, 99):
        answer = _query(chain, f"/account/{RECIPIENT}", height=missing)
        assert answer.code == codes.QUERY_NOT_FOUND and "last committed block is 3" in answer.log


def test_a_call_at_an_older_height_sees_that_state(chain, keys):
    token = _token(chain, keys)
    balance_of = "0x" + (keccak(b"balanceOf(address)")[:4] + encode(["address"], [keys[1].address])).hex()
    body = json.dumps({"to": token, "data": balance_of}).encode()
    balances = [int(_json(chain, "/call", body, height)["output"], 16) for height in (1, 2, 3)]
    assert balances == [0, 5, 14]


def test_a_stored_block_lists_its_executed_txs_and_receipts(chain, keys):
    _token(chain, keys)
    block = _json(chain, "/block/2")
    assert block["height"] == 2 and len(block["hash"]) == 64
    assert [r["index"] for r in block["receipts"]] == [0, 1, 2]
    assert [r["hash"] for r in block["receipts"]] == block["txs"]
    assert block["gas_used"] == sum(r["gas_used"] for r in block["receipts"])
    assert _query(chain, "/block/9").code == codes.QUERY_NOT_FOUND
    assert _query(chain, "/block/x").code == codes.QUERY_BAD_REQUEST
    for huge in (2**64, 2**63, 10**400):   # past the store's 8-byte heights: a bad request, not an internal error
        assert _query(chain, f"/block/{huge}").code == codes.QUERY_BAD_REQUEST


def test_logs_match_ethereum_filters_and_carry_their_place(chain, keys):
    token = _token(chain, keys)

    def logs(**spec):
        return _json(chain, "/logs", json.dumps(spec).encode())["logs"]

    everything = logs(**{"from": 1, "to": 3})
    assert [(log["block_number"], log["tx_index"], log["log_index"]) for log in everything] == \
        [(1, 0, 0), (2, 0, 0), (2, 2, 1), (3, 0, 0)]
    assert all(log["address"] == token.lower() and log["topics"][0] == TRANSFER_TOPIC for log in everything)
    block_two = _json(chain, "/block/2")
    assert everything[2]["tx_hash"] == block_two["txs"][2] and everything[2]["block_hash"] == "0x" + block_two["hash"]
    assert logs() == everything[3:]                                    # default: the latest block
    to_key1 = logs(**{"from": 1, "to": 3, "topics": [None, None, _topic(keys[1].address)]})
    assert [int(log["data"], 16) for log in to_key1] == [5, 9]
    either = logs(**{"from": 1, "to": 3, "topics": [[TRANSFER_TOPIC], None,
                                                     [_topic(keys[1].address), _topic(keys[2].address)]]})
    assert [int(log["data"], 16) for log in either] == [5, 6, 9]
    assert logs(**{"from": 1, "to": 3, "address": [RECIPIENT]}) == []
    assert logs(**{"from": 1, "to": 3, "topics": [None, None, None, None]}) == []  # Transfer has 3 topics
    assert logs(**{"from": 1, "to": 99, "address": token}) == everything          # clipped to the latest


def test_bad_or_oversized_log_filters_are_refused_with_a_reason(chain, keys):
    _token(chain, keys)
    for spec, words in [
        ({"from": 3, "to": 1}, "from"),
        ({"from": 0, "to": 1}, "from"),
        ({"from": 1, "to": 20_000}, "at most"),
        ({"address": "0x12"}, "address"),
        ({"topics": ["0xzz"]}, "topic"),
        ({"topics": [None] * 5}, "topics"),
        ([1, 2], "object"),
    ]:
        answer = _query(chain, "/logs", json.dumps(spec).encode())
        assert answer.code == codes.QUERY_BAD_REQUEST and words in answer.log, (spec, answer.log)
    assert _query(chain, "/logs", b"{not json").code == codes.QUERY_BAD_REQUEST
    too_many = _query(chain, "/logs", json.dumps({"from": 1, "to": 3, "limit": 2}).encode())
    assert too_many.code == codes.QUERY_TOO_MANY_RESULTS and "narrow" in too_many.log
