"""A fault that is not a property of a transaction (an I/O error, MemoryError, a missing trie
node, a bug in our code) stops the node before Commit (issue 13): it never becomes a failed
receipt on this node only. After a restart CometBFT replays the block, which then ends where a
node that never failed ends."""

import pytest
from trie.exceptions import MissingTrieNode

from abci_app import staking
from abci_app.app import Application
from abci_app.app.application import EXIT_NODE_FAULT
from abci_app.precompiles.storage import Storage

from ..chain import CMT, Chain, app_state, transfer
from ..staking.harness import STAKING, call_data

RECIPIENT = "0x" + "d2" * 20


class DeviceError(OSError):
    pass


def _stake_call(key, nonce: int) -> bytes:
    """A call that reaches the staking precompile's storage (a view: no candidate needed)."""
    return transfer(key, nonce, STAKING, 0, gas=200_000, data=call_data("candidates()"))


def _fail_storage_reads(monkeypatch, error: BaseException) -> None:
    monkeypatch.setattr(Storage, "word", lambda self, slot: (_ for _ in ()).throw(error))


def _fail_end_block(monkeypatch, error: BaseException) -> None:
    monkeypatch.setattr(staking, "end_block", lambda *args, **kwargs: (_ for _ in ()).throw(error))


FAULTS = {
    "I/O error inside a precompile call": lambda mp: _fail_storage_reads(mp, DeviceError(5, "IO error: read")),
    "MemoryError inside a precompile call": lambda mp: _fail_storage_reads(mp, MemoryError()),
    "missing trie node inside a precompile call": lambda mp: _fail_storage_reads(mp, MissingTrieNode(
        b"\x01" * 32, b"\x02" * 32, b"\x03" * 32)),
    "a bug at the end of the block": lambda mp: _fail_end_block(mp, ZeroDivisionError("integer division by zero")),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_node_local_fault_stops_the_node_before_commit(tmp_path, keys, monkeypatch, fault):
    chain = Chain.start(str(tmp_path / "db"), app_state(keys))
    twin = Chain.start(str(tmp_path / "twin"), app_state(keys))
    try:
        first = [transfer(keys[0], 0, RECIPIENT, CMT), _stake_call(keys[1], 0)]
        chain.block(first)
        twin.block(first)
        stopped = []
        chain.app.on_fatal = stopped.append
        block = [transfer(keys[0], 1, RECIPIENT, CMT), _stake_call(keys[1], 1)]
        with monkeypatch.context() as patch:
            FAULTS[fault](patch)
            with pytest.raises(BaseException):
                chain.block(block)
        assert stopped == [EXIT_NODE_FAULT]
        chain.app.close()

        restarted = Application(str(tmp_path / "db"))
        assert restarted.height == 1 and restarted.app_hash == twin.app_hashes[-1]
        chain.app = restarted
        chain.height, chain.time_s = 1, twin.time_s
        results = chain.block(block)
        twin_results = twin.block(block)
        assert [r.code for r in results] == [r.code for r in twin_results] == [0, 0]
        assert chain.app_hashes[-1] == twin.app_hashes[-1]
        assert chain.balance(RECIPIENT) == 2 * CMT
    finally:
        chain.app.close()
        twin.app.close()


def test_a_fault_after_the_commit_write_stops_the_node(tmp_path, keys, monkeypatch):
    """The block is on disk, this process's view of it is not: stop, and the restart reloads it."""
    chain = Chain.start(str(tmp_path / "db"), app_state(keys))
    try:
        stopped = []
        chain.app.on_fatal = stopped.append
        monkeypatch.setattr(chain.app, "_reset_views", lambda *args: (_ for _ in ()).throw(MemoryError()))
        with pytest.raises(MemoryError):
            chain.block([transfer(keys[0], 0, RECIPIENT, CMT)])
        assert stopped == [EXIT_NODE_FAULT]
    finally:
        chain.app.close()
    restarted = Application(str(tmp_path / "db"))
    try:
        assert restarted.height == 1
    finally:
        restarted.close()
