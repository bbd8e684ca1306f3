"""The application driven directly: genesis, mempool, blocks, commit, queries, restart."""

import json

from google.protobuf.timestamp_pb2 import Timestamp

from abci_app.abci import types
from abci_app.app import Application
from abci_app.staking import REWARD_POOL

from ..chain import CHAIN_ID, CMT, GWEI, Chain, app_state, transfer

POOL = "0x" + REWARD_POOL.hex()
RECIPIENT = "0x" + "cd" * 20


def test_info_reports_the_last_committed_block(tmp_path, keys):
    app = Application(str(tmp_path / "db"))
    info = app.info(types.RequestInfo())
    assert (info.last_block_height, info.last_block_app_hash) == (0, b"")
    app.close()
    chain = Chain.start(str(tmp_path / "db"), app_state(keys))
    chain.block([])
    info = chain.app.info(types.RequestInfo())
    assert info.last_block_height == 1
    assert info.last_block_app_hash == chain.app_hashes[-1] and len(info.last_block_app_hash) == 32


def test_transfers_pay_value_and_every_wei_of_gas_to_the_pool(chain, keys):
    supply = chain.supply()
    sender = keys[0].address
    before = chain.balance(sender)
    fee_market = transfer(keys[0], 0, RECIPIENT, 5 * CMT, gas_price=3 * GWEI)
    legacy = transfer(keys[0], 1, RECIPIENT, 7, fee_market=False, gas_price=2 * GWEI)
    results = chain.block([fee_market, legacy])
    assert [r.code for r in results] == [0, 0]
    assert [r.gas_used for r in results] == [21_000, 21_000]
    # fee market: base fee (1 gwei minimum) + tip 3 gwei (max fee 6 gwei); legacy pays its gas price
    fees = 21_000 * (1 + 3) * GWEI + 21_000 * 2 * GWEI
    assert chain.balance(RECIPIENT) == 5 * CMT + 7
    assert chain.balance(sender) == before - 5 * CMT - 7 - fees
    assert chain.balance(POOL) == fees
    assert chain.supply() == supply
    assert chain.account(sender)["nonce"] == 2


def test_a_sender_may_queue_consecutive_nonces(chain, keys):
    raws = [transfer(keys[1], n, RECIPIENT) for n in range(5)]
    assert [chain.check(raw).code for raw in raws] == [0] * 5
    assert chain.check(transfer(keys[1], 6, RECIPIENT)).code == 8
    assert [r.code for r in chain.block(raws)] == [0] * 5
    assert chain.account(keys[1].address)["nonce"] == 5


def test_check_tx_reserves_funds_of_pending_transactions(tmp_path, keys):
    cost = 21_000 * 2 * GWEI  # gas limit * max fee
    chain = Chain.start(str(tmp_path / "db"), app_state(keys[:1], balance_wei=cost + 10))
    assert chain.check(transfer(keys[0], 0, RECIPIENT, 10)).code == 0
    assert chain.check(transfer(keys[0], 1, RECIPIENT, 1)).code == 9


def test_recheck_after_commit_drops_what_was_included(chain, keys):
    first, second = transfer(keys[2], 0, RECIPIENT), transfer(keys[2], 1, RECIPIENT)
    assert chain.check(first).code == 0 and chain.check(second).code == 0
    chain.block([first])
    assert chain.check(first, recheck=True).code == 7
    assert chain.check(second, recheck=True).code == 0


def test_tx_query_returns_the_receipt(chain, keys):
    raw = transfer(keys[0], 0, RECIPIENT, 3)
    chain.block([raw])
    tx_hash = "0x" + chain.app._txs.decode(raw).hash.hex()
    response = chain.query(f"/tx/{tx_hash}")
    assert response.code == 0
    receipt = json.loads(response.value)
    assert receipt["status"] == 1 and receipt["height"] == 1 and receipt["index"] == 0
    assert receipt["from"] == keys[0].address.lower() and receipt["to"] == RECIPIENT
    assert receipt["gas_used"] == 21_000 and receipt["value"] == "3"


def test_bad_queries_have_codes(chain):
    assert chain.query("/tx/0x" + "00" * 32).code == 40
    assert chain.query("/tx/zz").code == 41
    assert chain.query("/account/nope").code == 41
    unknown = chain.query("/nothing/here")
    assert unknown.code == 41 and "/account/" in unknown.log
    assert json.loads(chain.query("/chain").value)["chain_id"] == CHAIN_ID


def test_events_let_tx_search_find_transactions(chain, keys):
    (result,) = chain.block([transfer(keys[0], 0, RECIPIENT)])
    (event,) = result.events
    attributes = {a.key: a.value for a in event.attributes}
    assert event.type == "eth" and all(a.index for a in event.attributes)
    assert attributes["from"] == keys[0].address.lower() and attributes["to"] == RECIPIENT


def test_restart_keeps_committed_state(tmp_path, keys):
    path = str(tmp_path / "db")
    chain = Chain.start(path, app_state(keys))
    chain.block([transfer(keys[0], 0, RECIPIENT, 11)])
    balance = chain.balance(RECIPIENT)
    chain.app.close()
    reopened = Application(path)
    info = reopened.info(types.RequestInfo())
    assert (info.last_block_height, info.last_block_app_hash) == (1, chain.app_hashes[-1])
    assert json.loads(reopened.query(types.RequestQuery(path=f"/account/{RECIPIENT}")).value)["balance"] == str(balance)
    reopened.close()


def test_a_finalized_but_uncommitted_block_is_not_on_disk(tmp_path, keys):
    path = str(tmp_path / "db")
    chain = Chain.start(path, app_state(keys))
    chain.block([])
    raw = transfer(keys[0], 0, RECIPIENT, 1)
    request = types.RequestFinalizeBlock(txs=[raw], height=2, time=Timestamp(seconds=chain.time_s + 1),
                                         hash=b"\x02" * 32)
    app_hash = chain.app.finalize_block(request).app_hash
    chain.app.close()  # crash before Commit
    reopened = Application(path)
    assert reopened.info(types.RequestInfo()).last_block_height == 1
    assert reopened.finalize_block(request).app_hash == app_hash  # CometBFT replays it
    reopened.commit(types.RequestCommit())
    assert reopened.info(types.RequestInfo()).last_block_height == 2
    reopened.close()


def test_proposals_keep_within_the_block_gas_limit(tmp_path, keys):
    chain = Chain.start(str(tmp_path / "db"), app_state(keys, block_gas_limit=50_000))
    raws = [transfer(keys[0], n, RECIPIENT) for n in range(3)]
    prepared = chain.app.prepare_proposal(types.RequestPrepareProposal(txs=raws, max_tx_bytes=10**6))
    assert list(prepared.txs) == raws[:2]
    status = types.ResponseProcessProposal.ProposalStatus
    assert chain.app.process_proposal(types.RequestProcessProposal(txs=raws[:2])).status == status.ACCEPT
    assert chain.app.process_proposal(types.RequestProcessProposal(txs=raws)).status == status.REJECT
    assert chain.app.process_proposal(types.RequestProcessProposal(txs=[b"junk"])).status == status.REJECT
