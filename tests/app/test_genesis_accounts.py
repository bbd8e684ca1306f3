"""A genesis with an accounts file: the accounts are funded, spendable and counted in the supply;
any file that is not what the genesis says stops InitChain with the reason."""

import json

import pytest
from eth_account import Account
from eth_hash.auto import keccak
from google.protobuf.timestamp_pb2 import Timestamp

from abci_app.abci import types
from abci_app.app import AppSettings, Application
from abci_app.app.driver import GENESIS_TIME_S, InProcessChain
from abci_app.app.genesis_accounts import RECORD, write_accounts_file
from abci_app.errors import GenesisError

from ..chain import CMT, app_state, transfer

SPENDERS = [Account.from_key(keccak(b"file-account-%d" % i)) for i in range(3)]
OTHERS = [(keccak(b"other-%d" % i)[:20], (i + 1) * CMT) for i in range(3000)]


def _start(tmp_path, state: dict, accounts_file: str) -> InProcessChain:
    app = Application(str(tmp_path / "db"), settings=AppSettings(genesis_accounts_file=accounts_file))
    response = app.init_chain(types.RequestInitChain(
        chain_id="miles-file", app_state_bytes=json.dumps(state).encode(), initial_height=1,
        time=Timestamp(seconds=GENESIS_TIME_S)))
    chain = InProcessChain(app)
    chain.app_hashes.append(response.app_hash)
    return chain


def _file_genesis(tmp_path, listed, accounts):
    path = tmp_path / "accounts.bin"
    described = write_accounts_file(path, accounts)
    state = app_state(listed)
    state["accounts_file"] = described.to_json()
    return state, path, described


def test_accounts_in_the_file_are_funded_spendable_and_in_the_supply(tmp_path):
    accounts = [(bytes.fromhex(k.address[2:]), 5 * CMT) for k in SPENDERS] + OTHERS
    state, path, described = _file_genesis(tmp_path, [Account.from_key(b"\x01" * 32)], reversed(accounts))
    assert described.accounts == 3003 and path.stat().st_size == 3003 * RECORD
    chain = _start(tmp_path, state, str(path))
    try:
        chain.block([])  # the solvency check after each block counts the file's total in the supply
        assert chain.balance("0x" + OTHERS[1234][0].hex()) == 1235 * CMT
        assert chain.block([transfer(SPENDERS[0], 0, "0x" + OTHERS[0][0].hex(), CMT)])[0].code == 0
        assert chain.balance("0x" + OTHERS[0][0].hex()) == 2 * CMT
        supply = json.loads(chain.query("/supply").value)
        assert int(supply["genesis"]) == 1_000_000 * CMT + described.balance_wei
    finally:
        chain.app.close()


@pytest.mark.parametrize("damage, reason", [
    ("missing", "set genesis_accounts_file"),
    ("truncated", "not what the genesis says"),
    ("flipped", "not what the genesis says"),
    ("unsorted", "out of order"),
    ("listed twice", "both in the genesis JSON and its accounts file"),
])
def test_a_file_that_is_not_what_the_genesis_says_stops_init_chain(tmp_path, damage, reason):
    listed = SPENDERS[:1]
    state, path, _ = _file_genesis(tmp_path, listed, OTHERS[:50] + (
        [(bytes.fromhex(listed[0].address[2:]), CMT)] if damage == "listed twice" else []))
    data = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(data[:-RECORD])
    elif damage == "flipped":
        path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    elif damage == "unsorted":
        path.write_bytes(data[RECORD:2 * RECORD] + data[:RECORD] + data[2 * RECORD:])
    with pytest.raises(GenesisError, match=reason):
        _start(tmp_path, state, "" if damage == "missing" else str(path))
