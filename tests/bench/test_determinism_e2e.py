"""Determinism under benchmark load: two validators run the mix workload (CMT transfers, ERC-20
transfers, coupon claims, and their setup) sent by the bench generator to node 0, and each app
computes the same app hash at every height, commits every timed tx, and keeps its supply."""

import time

import pytest
from eth_hash.auto import keccak

from abci_app.bench import node_level, workloads
from abci_app.bench.levels import send_and_confirm
from abci_app.cli.localnet import Localnet

from ..solvency import assert_solvent

pytestmark = pytest.mark.e2e

TIMED_TXS = 600
SENDERS = 30  # per part of the mix: 90 senders


def _app_hashes(net: Localnet, final: int) -> list[list[str]]:
    """Per node, the app hash its app recorded after each height 1..final (`/block/<h>`)."""
    return [[node.rpc.query_json(f"/block/{h}")["app_hash"] for h in range(1, final + 1)] for node in net.nodes]


def test_two_validators_agree_at_every_height_under_the_mix_workload(tmp_path):
    workload = workloads.build("mix", TIMED_TXS, SENDERS, start_s=int(time.time()) - node_level.CAMPAIGN_LEAD_S)
    net = Localnet(tmp_path / "net", validators=2, genesis_extra=workload.genesis())
    try:
        net.start()
        node_level.run_setup(net.rpc(0), workload.setup)
        figures = send_and_confirm(net.rpc(0), workload.lanes(node_level.LANES))  # raises if a tx failed
        assert figures["txs"] == TIMED_TXS
        final = max(figures["heights"])
        net.wait_height(final + 1)
        ours, theirs = _app_hashes(net, final)
        assert ours == theirs, [h + 1 for h, (a, b) in enumerate(zip(ours, theirs)) if a != b][:5]
        headers = [net.rpc(0).call("block", height=str(h + 1))["block"]["header"]["app_hash"].lower()
                   for h in range(1, final + 1)]
        assert headers == ours  # what consensus agreed on is what each app computed
        for node in net.nodes:
            for raw in workload.timed:
                assert node.rpc.query_json(f"/tx/0x{keccak(raw).hex()}")["status"] == 1
            supply = node.rpc.query_json("/supply")
            assert int(supply["total"]) == int(supply["genesis"]) + int(supply["minted"]) - int(supply["burned"])
        assert_solvent(net.rpc(0))
    finally:
        net.stop()
