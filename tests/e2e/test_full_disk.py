"""A full disk under the app's database: the node stops with a clear message, and once space is
back it restarts cleanly with nothing lost.

The database sits on a small tmpfs (this needs the right to mount; where the machine refuses,
tests/app/test_store_failure.py injects the same write failure into the store layer).
"""

import os
import subprocess

import pytest
from eth_hash.auto import keccak

from abci_app.app.application import EXIT_STORE_FAILED
from abci_app.cli.localnode import LocalNode, wait_until
from abci_app.cli.node import DEFAULT_EVM_CHAIN_ID
from abci_app.cli.wallet import dev_account, sign_tx
from abci_app.rpc import RpcError

from ..solvency import assert_solvent

pytestmark = pytest.mark.e2e

SMALL, LARGE = "3m", "64m"
CODE_BYTES = 24_000          # a distinct 24 kB contract per deployment: about 100 kB of writes each


def _mount(path, size: str, remount: bool = False) -> bool:
    options = f"{'remount,' if remount else ''}size={size}"
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True)
    return result.returncode == 0


@pytest.fixture
def small_disk(tmp_path):
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    if os.geteuid() != 0 or not _mount(mount_point, SMALL):
        pytest.skip("cannot mount a tmpfs here; tests/app/test_store_failure.py covers the failure")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def _deployment(nonce: int) -> bytes:
    """Init code that returns the CODE_BYTES after it as the contract's code (distinct per nonce)."""
    body = keccak(nonce.to_bytes(8, "big")) * (CODE_BYTES // 32)
    body = b"\x00" + body[1:]                                 # never 0xEF (EIP-3541)
    size = len(body).to_bytes(2, "big")
    init = b"\x61" + size + b"\x60\x0e\x60\x00\x39" + b"\x61" + size + b"\x60\x00\xf3"
    assert len(init) == 14
    return init + body


def test_a_full_disk_stops_the_node_and_it_restarts_with_nothing_lost(tmp_path, small_disk):
    node = LocalNode.create(tmp_path / "node", app_env={"MILES_PATHS_DATA": str(small_disk / "app")})
    deployer = dev_account(0)
    committed: list[str] = []
    try:
        node.start()
        sent = []
        for nonce in range(200):
            raw = sign_tx(deployer, nonce, "", 0, chain_id=DEFAULT_EVM_CHAIN_ID, gas=6_000_000,
                          data=_deployment(nonce))
            try:
                answer = node.rpc.broadcast_tx_sync(raw)
            except RpcError:
                break                                          # the node went down: the disk is full
            if answer["code"] != 0:
                break
            sent.append("0x" + keccak(raw).hex())
            try:
                committed += [h for h in sent if h not in committed and node.rpc.abci_query(f"/tx/{h}")[0] == 0]
            except RpcError:
                break
        wait_until(lambda: node.app.poll() is not None, 120, "the app to stop on the full disk")
        assert node.app.returncode == EXIT_STORE_FAILED
        log = node.log_text("app")
        assert "store_write_failed" in log and "free disk space" in log
        node.stop_cometbft(timeout_s=30)                        # it stops once the app is gone

        assert _mount(small_disk, LARGE, remount=True), "could not give the disk space back"
        node.start_app()
        node.start_cometbft()
        node.wait_height(2)
        assert committed, "nothing was committed before the disk filled"
        assert all(node.rpc.abci_query(f"/tx/{h}")[0] == 0 for h in committed), "a committed deployment was lost"
        nonce = node.rpc.query_json(f"/account/{deployer.address}")["nonce"]
        assert nonce >= len(committed)
        raw = sign_tx(deployer, nonce, "0x" + "44" * 20, 5, chain_id=DEFAULT_EVM_CHAIN_ID)
        assert node.rpc.broadcast_tx_sync(raw)["code"] == 0     # and the chain goes on
        wait_until(lambda: node.rpc.abci_query("/tx/0x" + keccak(raw).hex())[0] == 0, 60, "a new transfer")
        assert_solvent(node.rpc)
    finally:
        node.stop()
