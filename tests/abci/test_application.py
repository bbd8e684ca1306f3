"""The base Application's defaults: what CometBFT needs to keep running on an empty app."""

from abci_app.abci import Application, tx_wire_size, types


def test_tx_wire_size_is_what_cometbft_counts():
    for length in (0, 1, 127, 128, 16383, 16384):
        tx = b"t" * length
        assert tx_wire_size(tx) == len(types.ResponsePrepareProposal(txs=[tx]).SerializeToString())


def test_prepare_proposal_stops_before_the_limit():
    txs = [b"a" * 100, b"b" * 100, b"c" * 100]
    limit = tx_wire_size(txs[0]) * 2
    response = Application().prepare_proposal(types.RequestPrepareProposal(txs=txs, max_tx_bytes=limit))
    assert list(response.txs) == txs[:2]
    raw_limit = sum(len(tx) for tx in txs)
    response = Application().prepare_proposal(types.RequestPrepareProposal(txs=txs, max_tx_bytes=raw_limit))
    assert list(response.txs) == txs[:2], "the raw length undercounts: CometBFT would reject all three"


def test_finalize_block_answers_every_tx():
    response = Application().finalize_block(types.RequestFinalizeBlock(txs=[b"1", b"2"]))
    assert [result.code for result in response.tx_results] == [0, 0]


def test_statuses_are_never_unknown():
    app = Application()
    assert app.process_proposal(types.RequestProcessProposal()).status == types.ResponseProcessProposal.ACCEPT
    verify = app.verify_vote_extension(types.RequestVerifyVoteExtension())
    assert verify.status == types.ResponseVerifyVoteExtension.ACCEPT
    assert app.offer_snapshot(types.RequestOfferSnapshot()).result == types.ResponseOfferSnapshot.REJECT
    applied = app.apply_snapshot_chunk(types.RequestApplySnapshotChunk())
    assert applied.result == types.ResponseApplySnapshotChunk.ABORT


def test_echo_echoes():
    assert Application().echo(types.RequestEcho(message="hi")).message == "hi"
