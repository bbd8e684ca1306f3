"""Crash: kill -9 the app while transfers stream in, three times; the chain goes on, nothing that
was reported committed is lost, and every app hash equals that of a fresh app replaying the same
blocks. (The kill lands wherever it lands; tests/app covers a crash between FinalizeBlock and
Commit deterministically.)"""

import threading

import pytest
from eth_hash.auto import keccak

from abci_app.cli.localnode import LocalNode, wait_until
from abci_app.cli.wallet import dev_account
from abci_app.rpc import RpcError

from ..chain import transfer
from ..solvency import assert_solvent
from .replay import replay_and_compare

pytestmark = pytest.mark.e2e

RECIPIENT = "0x" + "c7" * 20
CRASHES = 3


class Streamer(threading.Thread):
    """Sends transfers from four accounts until stopped or until the node stops answering."""

    def __init__(self, node: LocalNode) -> None:
        super().__init__(daemon=True)
        self.node = node
        self.senders = [dev_account(i) for i in range(4)]
        self.nonces = [node.rpc.query_json(f"/account/{s.address}")["nonce"] for s in self.senders]
        self.sent: list[str] = []
        self.stopped_by = ""
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            for i, sender in enumerate(self.senders):
                raw = transfer(sender, self.nonces[i], RECIPIENT, 1)
                try:
                    result = self.node.rpc.broadcast_tx_sync(raw)
                except RpcError as exc:
                    self.stopped_by = str(exc)
                    return
                if result["code"] != 0:
                    self.stopped_by = f"code {result['code']}: {result.get('log')}"
                    return
                self.sent.append("0x" + keccak(raw).hex())
                self.nonces[i] += 1


def _committed(node: LocalNode, hashes: list[str]) -> list[str]:
    return [h for h in hashes if node.rpc.abci_query(f"/tx/{h}")[0] == 0]


def _stream_until(node: LocalNode, count: int) -> Streamer:
    streamer = Streamer(node)
    streamer.start()
    wait_until(lambda: len(streamer.sent) >= count or streamer.stopped_by, 60, f"{count} transfers to stream")
    assert not streamer.stopped_by, streamer.stopped_by
    return streamer


def test_kill_9_the_app_mid_stream(tmp_path):
    node = LocalNode.create(tmp_path / "node").start()
    try:
        reported: list[str] = []
        for _ in range(CRASHES):
            streamer = _stream_until(node, 40)
            node.wait_height(node.height() + 2)
            reported += _committed(node, list(streamer.sent))
            crashed_at = node.height()
            node.kill_app()
            streamer.halt.set()
            streamer.join(30)
            node.stop_cometbft(timeout_s=30)  # it stops by itself when the app connection breaks
            node.start_app()
            node.start_cometbft()
            node.wait_height(crashed_at + 2)
            assert _committed(node, reported) == reported, "a committed transfer was lost"

        after = _stream_until(node, 8)
        after.halt.set()
        after.join(30)
        wait_until(lambda: len(_committed(node, after.sent)) == len(after.sent), 60, "post-crash transfers")

        last = node.height()
        assert replay_and_compare(node.rpc, str(tmp_path / "replay"), last) == last - 1
        assert_solvent(node.rpc)
    finally:
        node.stop()
