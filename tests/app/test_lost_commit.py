"""CometBFT can die between our FinalizeBlock and its Commit and, restarted against the same
running app, replay the block. The replay must start from the committed state, not from the
lost attempt (found by the kill -9 test: a replayed block 55 got another app hash)."""

import hashlib

from google.protobuf.timestamp_pb2 import Timestamp

from abci_app.abci import types

from ..chain import Chain, app_state, transfer

RECIPIENT = "0x" + "3e" * 20


def _finalize(chain, height: int, txs: list[bytes]) -> types.ResponseFinalizeBlock:
    return chain.app.finalize_block(types.RequestFinalizeBlock(
        txs=txs, height=height, time=Timestamp(seconds=chain.time_s + 1),
        hash=hashlib.sha256(b"block-%d" % height).digest(), proposer_address=b"\x01" * 20,
    ))


def test_a_block_finalized_but_never_committed_replays_to_the_same_hash(tmp_path, keys):
    chain = Chain.start(str(tmp_path / "db"), app_state(keys))
    twin = Chain.start(str(tmp_path / "twin"), app_state(keys))
    first = [transfer(keys[0], 0, RECIPIENT, 7)]
    lost = _finalize(chain, 1, first)                       # InitChain's state is not even on disk yet
    info = chain.app.info(types.RequestInfo())
    assert info.last_block_height == 0 and info.last_block_app_hash == chain.app_hashes[0]
    chain.block(first)                                      # the replay after CometBFT restarted
    twin.block(first)
    assert lost.app_hash == chain.app_hashes[-1] == twin.app_hashes[-1]

    second = [transfer(keys[0], 1, RECIPIENT, 7), transfer(keys[1], 0, RECIPIENT, 1)]
    _finalize(chain, 2, second[:1])                          # a different proposal, then lost
    assert chain.app.info(types.RequestInfo()).last_block_app_hash == chain.app_hashes[-1]
    chain.block(second)
    twin.block(second)
    assert chain.app_hashes[-1] == twin.app_hashes[-1]
    assert chain.balance(RECIPIENT) == twin.balance(RECIPIENT) == 15
    assert chain.account(keys[0].address)["nonce"] == 2
    chain.app.close()
    twin.app.close()
