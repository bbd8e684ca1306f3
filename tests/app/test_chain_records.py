"""Chain records: the app hash proves the genesis and the hashes of the last 256 blocks, which
execution reads besides accounts (params, chain id, BLOCKHASH, the arbiter draw)."""

import hashlib

import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from abci_app.abci import types
from abci_app.app import Application, chain_records
from abci_app.app.driver import GENESIS_TIME_S

from ..chain import Chain, app_state, transfer

RECORDS = "0x" + chain_records.ADDRESS.hex()


def _block_hash(height: int) -> bytes:
    return hashlib.sha256(b"block-%d" % height).digest()   # what the in-process driver sends


def test_the_state_after_a_block_holds_the_last_256_block_hashes(tmp_path, keys):
    chain = Chain.start(str(tmp_path / "db"), app_state(keys))
    try:
        chain.block([transfer(keys[0], 0, RECORDS, 0)])     # touched: nonce 1 keeps it from EIP-161
        for _ in range(299):
            chain.block([])
        expected = [_block_hash(h) for h in range(45, 301)]
        assert chain_records.recent_hashes(chain.app.reader.state, 300) == expected
        assert list(chain.app._recent_hashes) == expected
        assert chain.account(RECORDS)["nonce"] == 1
        chain.app.close()
        chain.app = Application(str(tmp_path / "db"))        # a restart reads them from the state
        assert list(chain.app._recent_hashes) == expected
    finally:
        chain.app.close()


def test_a_young_chain_has_only_its_own_block_hashes(chain):
    for _ in range(3):
        chain.block([])
    assert chain_records.recent_hashes(chain.app.reader.state, 3) == [_block_hash(h) for h in (1, 2, 3)]


def test_the_app_hash_covers_the_block_hash(tmp_path, keys):
    app_hashes = set()
    for name in ("a", "b"):
        chain = Chain.start(str(tmp_path / name), app_state(keys))
        try:
            response = chain.app.finalize_block(types.RequestFinalizeBlock(
                height=1, time=Timestamp(seconds=GENESIS_TIME_S + 1), hash=name.encode() * 32,
                proposer_address=b"\x01" * 20))
            app_hashes.add(response.app_hash)
        finally:
            chain.app.close()
    assert len(app_hashes) == 2


@pytest.mark.parametrize("params", [{"chain_id": 7}, {"min_gas_price_wei": 2}, {"block_gas_limit": 10**6},
                                    {"max_tx_bytes": 1000}])
def test_the_app_hash_covers_the_genesis(tmp_path, keys, params):
    default = Chain.start(str(tmp_path / "default"), app_state(keys))
    state = app_state(keys, **{k: v for k, v in params.items() if k != "chain_id"})
    state["chain_id"] = params.get("chain_id", state["chain_id"])
    other = Chain.start(str(tmp_path / "other"), state)
    try:
        assert default.app_hashes[0] != other.app_hashes[0]
        assert chain_records.genesis_matches(other.app.reader.state, other.app.genesis.to_json())
        assert not chain_records.genesis_matches(other.app.reader.state, default.app.genesis.to_json())
    finally:
        default.app.close()
        other.app.close()
