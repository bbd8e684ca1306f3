"""A fifth node joins a 4-validator localnet by state sync: it fetches a snapshot the validators
took, verifies it against the light client's app hash, then follows the chain and serves the
same balances as the others."""

import json

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

        trust_height = rpc.height() - 1
        trust_hash = rpc.call("block", height=str(trust_height))["block_id"]["hash"]
        servers = ",".join(node.config.rpc_url for node in net.nodes[:2])
        joined = net.add_node(timeout_s=120, cometbft_options=[
            ("statesync", "enable", True), ("statesync", "rpc_servers", servers),
            ("statesync", "trust_height", trust_height), ("statesync", "trust_hash", trust_hash),
            ("statesync", "trust_period", "168h0m0s"), ("statesync", "discovery_time", "5s"),
        ])
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
