"""A fifth node joins a 4-validator localnet by state sync: it fetches a snapshot the validators
took, verifies it against the light client's app hash, then follows the chain and serves the
same balances as the others. And nodes killed right after their restore, before or after
CometBFT recorded it, restart into sync by themselves."""

import json
import os

import pytest
from eth_hash.auto import keccak

from abci_app.cli.localnet import EVM_CHAIN_ID, Localnet
from abci_app.cli.localnode import wait_until
from abci_app.cli.wallet import dev_account, sign_tx
from abci_app.rpc import RpcError

from ..solvency import assert_solvent

pytestmark = pytest.mark.e2e

VALIDATORS = 4
INTERVAL = 10
RECIPIENT = "0x" + "5c" * 20


def _committed(rpc, tx_hash: str) -> bool:
    try:
        return rpc.abci_query(f"/tx/{tx_hash}")[0] == 0
    except RpcError:
        return False


def test_a_node_joins_by_state_sync_and_serves_the_same_balances(tmp_path):
    net = Localnet(tmp_path / "net", validators=VALIDATORS, app_settings={"snapshot_interval": INTERVAL})
    try:
        net.start()
        rpc = net.rpc(0)
        sender = dev_account(6)
        sent = []
        for nonce in range(5):
            raw = sign_tx(sender, nonce, RECIPIENT, 10**18, chain_id=EVM_CHAIN_ID)
            answer = rpc.broadcast_tx_sync(raw)
            assert answer["code"] == 0, answer
            sent.append("0x" + keccak(raw).hex())
        wait_until(lambda: all(_committed(rpc, h) for h in sent), 60, "the transfers to commit")
        snapshot_height = (net.wait_height(2 * INTERVAL + 2) // INTERVAL) * INTERVAL
        assert {s["height"] for s in _snapshots(net)} >= {INTERVAL, 2 * INTERVAL}

        joined = net.add_node(timeout_s=120, cometbft_options=_state_sync_options(net))
        log = joined.log_text("app")
        assert "snapshot_restored" in log and "init_chain" not in log    # restored, never replayed
        restored_at = _restored_height(log)
        assert restored_at >= snapshot_height

        common = net.wait_height(max(node.height() for node in net.nodes) + 1, timeout_s=60)
        hashes = {node.rpc.call("block", height=str(common))["block"]["header"]["app_hash"] for node in net.nodes}
        assert len(hashes) == 1, "the joined node's app hash differs"
        for address in (RECIPIENT, sender.address, dev_account(0).address):
            balances = {node.rpc.query_json(f"/account/{address}")["balance"] for node in (net.nodes[0], joined)}
            assert len(balances) == 1, address
        assert joined.rpc.query_json(f"/account/{RECIPIENT}")["balance"] == str(5 * 10**18)
        code, _, message = joined.rpc.abci_query(f"/account/{RECIPIENT}", height=restored_at - 1)
        assert code != 0 and "first state" in message                     # it never had older state
        assert_solvent(joined.rpc)  # every state it has, from the restored one
    finally:
        net.stop()


def test_nodes_killed_right_after_their_restore_restart_into_sync(tmp_path):
    """Two joining apps exit (as kill -9 would end them) right after their restore: one after the
    final write, before it answers the last chunk (CometBFT never records the restore); one just
    after answering the Info that checks the restore (CometBFT has recorded it and not yet saved
    the next block, where CometBFT v0.38 alone cannot start again). CometBFT stops with each app.
    Both restart with nothing cleaned up by hand, restore again and follow the chain."""
    net = Localnet(tmp_path / "net", validators=VALIDATORS, app_settings={"snapshot_interval": INTERVAL})
    try:
        net.start()
        net.wait_height(INTERVAL + 2)
        options = _state_sync_options(net)
        joined = {name: net.add_node(cometbft_options=options, app_env=_hooked(tmp_path / name, hook), wait=False)
                  for name, hook in HOOKS.items()}
        first = {}
        for name, node in joined.items():
            wait_until(lambda: node.app.poll() is not None, 120, f"the {name} app to exit after its restore")
            assert node.app.returncode == HOOK_EXIT, node.log_text("app")[-2000:]
            node.stop_cometbft(timeout_s=30)                 # it stops by itself: the app is gone
            first[name] = int(node.log_text("app").split("test hook: exiting at height ")[1].split()[0])
        assert "Snapshot restored" not in joined["final_write"].log_text("cometbft")
        assert "Snapshot restored" in joined["info"].log_text("cometbft")      # recorded by CometBFT

        for node in joined.values():
            node.app_env = {}
            net.start_node(net.nodes.index(node))
        tip = max(node.height() for node in net.nodes[:VALIDATORS])
        for name, node in joined.items():
            node.wait_height(tip, timeout_s=120)
            log = node.log_text("app")
            accepted = [json.loads(line) for line in log.splitlines() if '"snapshot_accepted"' in line]
            assert accepted[-1].get("over_unconfirmed_restore") == first[name], name
            assert "init_chain" not in log and "snapshot_offer_aborted" not in log, name
        common = net.wait_height(max(node.height() for node in net.nodes) + 1, timeout_s=60)
        hashes = {node.rpc.call("block", height=str(common))["block"]["header"]["app_hash"] for node in net.nodes}
        assert len(hashes) == 1, "a restarted node's app hash differs"
    finally:
        net.stop()


HOOK_EXIT = 9
# Test faults, put on a joining app's PYTHONPATH as sitecustomize.py: Python imports it at start-up.
HOOKS = {
    "final_write": f"""
import os
from abci_app.app import snapshots

_commit = snapshots.Restore._commit


def _commit_then_exit(self, store, *counts):
    _commit(self, store, *counts)
    print("test hook: exiting at height", self.height, flush=True)
    os._exit({HOOK_EXIT})


snapshots.Restore._commit = _commit_then_exit
""",
    "info": f"""
import os
import threading
from abci_app.app import application

_info = application.Application.info


def _info_then_exit(self, req):
    answer = _info(self, req)
    if self.height:
        print("test hook: exiting at height", self.height, flush=True)
        threading.Timer(0.05, os._exit, ({HOOK_EXIT},)).start()
    return answer


application.Application.info = _info_then_exit
""",
}


def _hooked(folder, hook: str) -> dict[str, str]:
    """An app environment whose Python runs `hook` at start-up."""
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(hook)
    return {"PYTHONPATH": os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")]))}


def _state_sync_options(net: Localnet) -> list[tuple[str, str, object]]:
    """CometBFT settings to join by state sync, trusting the block before node 0's latest."""
    rpc = net.rpc(0)
    trust_height = rpc.height() - 1
    trust_hash = rpc.call("block", height=str(trust_height))["block_id"]["hash"]
    servers = ",".join(node.config.rpc_url for node in net.nodes[:2])
    return [("statesync", "enable", True), ("statesync", "rpc_servers", servers),
            ("statesync", "trust_height", trust_height), ("statesync", "trust_hash", trust_hash),
            ("statesync", "trust_period", "168h0m0s"), ("statesync", "discovery_time", "5s")]


def _snapshots(net: Localnet) -> list[dict]:
    """The snapshots node0's app took, as its log reports them."""
    taken = []
    for line in net.nodes[0].log_text("app").splitlines():
        if '"snapshot_taken"' in line:
            taken.append(json.loads(line))
    return taken


def _restored_height(log: str) -> int:
    for line in log.splitlines():
        if '"snapshot_restored"' in line:
            return int(json.loads(line)["height"])
    raise AssertionError("no snapshot_restored line")
