"""History pruning: block records and receipts older than keep_blocks go, a block at a time;
queries below the kept history answer a clear error; app hashes never depend on it."""

import json

from abci_app.abci import types
from abci_app.app import AppSettings, codes
from abci_app.app.history import MAX_BLOCKS_PER_BLOCK, oldest_block
from abci_app.store import keys as store_keys

from ..chain import Chain, app_state, transfer

RECIPIENT = "0x" + "4e" * 20


def _query(chain, path: str, data: bytes = b"") -> types.ResponseQuery:
    return chain.app.query(types.RequestQuery(path=path, data=data))


def _receipts(chain) -> int:
    return sum(1 for _ in chain.app.store.keys(store_keys.RECEIPT))


def test_old_blocks_and_receipts_go_and_queries_below_say_so(tmp_path, keys):
    chain = Chain.start(str(tmp_path / "db"), app_state(keys))
    archive = Chain.start(str(tmp_path / "archive"), app_state(keys))
    chain.app.settings = AppSettings(keep_recent=2, keep_blocks=3)
    archive.app.settings = AppSettings(keep_recent=0, keep_blocks=0)
    tx_hashes = []
    for height in range(1, 11):
        raws = [transfer(keys[0], height - 1, RECIPIENT, 1), transfer(keys[1], height - 1, RECIPIENT, 2)]
        assert [r.code for r in chain.block(raws)] == [0, 0] and [r.code for r in archive.block(raws)] == [0, 0]
        tx_hashes.append(json.loads(_query(chain, f"/block/{height}").value)["txs"])
    assert chain.app_hashes == archive.app_hashes
    assert oldest_block(chain.app.store) == 8
    assert _receipts(chain) == 6 and _receipts(archive) == 20

    pruned = _query(chain, "/block/7")
    assert pruned.code == codes.QUERY_PRUNED and "from height 8" in pruned.log
    assert _query(chain, "/block/8").code == 0 and _query(archive, "/block/1").code == 0
    gone = _query(chain, f"/tx/{tx_hashes[1][0]}")
    assert gone.code == codes.QUERY_NOT_FOUND and "from height 8" in gone.log
    assert _query(chain, f"/tx/{tx_hashes[8][1]}").code == 0 and _query(archive, f"/tx/{tx_hashes[1][0]}").code == 0
    logs = _query(chain, "/logs", json.dumps({"from": 2, "to": 9}).encode())
    assert logs.code == codes.QUERY_PRUNED and "archive" in logs.log
    assert _query(chain, "/logs", json.dumps({"from": 8, "to": 10}).encode()).code == 0
    state = chain.app.query(types.RequestQuery(path=f"/account/{RECIPIENT}", height=9))   # keep_recent 2
    assert json.loads(state.value)["balance"] == str(9 * 3)
    chain.app.close()
    archive.app.close()


def test_a_lowered_keep_blocks_catches_up_a_few_blocks_at_a_time(tmp_path, keys):
    chain = Chain.start(str(tmp_path / "db"), app_state(keys))
    chain.app.settings = AppSettings(keep_blocks=0)
    for nonce in range(30):
        chain.block([transfer(keys[0], nonce, RECIPIENT, 1)])
    chain.app.settings = AppSettings(keep_blocks=5)
    chain.block([])
    assert oldest_block(chain.app.store) == 1 + MAX_BLOCKS_PER_BLOCK      # bounded work per block
    for _ in range(3):
        chain.block([])
    assert oldest_block(chain.app.store) == chain.height - 5 + 1
    assert _receipts(chain) == 1 and _query(chain, f"/block/{chain.height - 4}").code == 0  # block 30, the last tx
    chain.app.close()
