"""A Commit that cannot reach the disk stops the node and loses nothing: the block is replayed."""

import json

import pytest

from abci_app.abci import types
from abci_app.app import Application
from abci_app.app.application import EXIT_STORE_FAILED

from ..chain import Chain, app_state, transfer

RECIPIENT = "0x" + "d1" * 20


class DiskFull(OSError):
    pass


def test_a_failed_commit_write_stops_the_node_and_the_block_replays(tmp_path, keys):
    chain = Chain.start(str(tmp_path / "db"), app_state(keys))
    twin = Chain.start(str(tmp_path / "twin"), app_state(keys))
    for nonce in range(3):
        raw = transfer(keys[0], nonce, RECIPIENT, 10)
        chain.block([raw])
        twin.block([raw])
    stopped = []
    chain.app.on_fatal = stopped.append

    def full(*args, **kwargs):
        raise DiskFull(28, "IO error: No space left on device")

    chain.app.store.write = full
    raw = transfer(keys[0], 3, RECIPIENT, 10)
    with pytest.raises(DiskFull):
        chain.block([raw])
    assert stopped == [EXIT_STORE_FAILED]
    chain.app.close()

    # space is back: the restarted app is at the last committed block, and CometBFT's replay of
    # the failed block ends where a node that never failed is
    restarted = Application(str(tmp_path / "db"))
    try:
        assert restarted.height == 3 and restarted.app_hash == twin.app_hashes[-1]
        assert json.loads(restarted.query(types.RequestQuery(path=f"/account/{RECIPIENT}")).value)["balance"] == "30"
        chain.app, chain.height, chain.time_s = restarted, 3, twin.time_s
        chain.block([raw])
        twin.block([raw])
        assert chain.app_hashes[-1] == twin.app_hashes[-1]
        assert chain.balance(RECIPIENT) == 40
    finally:
        restarted.close()
        twin.app.close()
