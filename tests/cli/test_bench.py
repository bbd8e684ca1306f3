"""`miles bench` measures real work: every transaction is accepted and committed, or it raises."""

import json

import pytest

from abci_app.bench import workloads
from abci_app.cli import main as cli_main
from abci_app.cli.bench import measure_app, measure_node
from abci_app.cli.localnode import LocalNode

APP_FIGURES = {"tx_per_s", "exec_tx_per_s", "block_ms_per_1000_txs", "peak_rss_mib", "db_bytes_per_tx"}


def test_app_bench_runs_blocks_of_transfers():
    assert measure_app(block_txs=50, blocks=2) > 0


def test_bench_all_quick_writes_every_figure(tmp_path, capsys):
    path = tmp_path / "bench.json"
    assert cli_main.main(["bench", "all", "--quick", "--json", str(path)]) == 0
    doc = json.loads(path.read_text())
    assert set(doc["workloads"]) == {"cmt", "erc20", "coupons", "mix", "marketplace"}
    for name, result in doc["workloads"].items():
        app = result["app"]
        assert APP_FIGURES <= set(app), name
        assert all(app[f] > 0 for f in APP_FIGURES), (name, app)
        assert app["supply_invariant"] is True, name
        assert result["bare_evm"]["tx_per_s"] > 0
        assert result["ratio_app_over_bare_evm"] > 0
    out = capsys.readouterr().out
    assert "bare py-evm" in out and "mix" in out


@pytest.mark.e2e
def test_node_bench_commits_every_transfer(tmp_path):
    node = LocalNode.create(tmp_path / "node").start()
    try:
        assert measure_node(node, 60) > 0
        assert measure_node(node, 60) > 0  # a second run continues from the committed nonces
    finally:
        node.stop()


NODE_FIGURES = {"tx_per_s", "latency_p50_s", "latency_p99_s", "block_ms_per_1000_txs", "app_peak_rss_mib",
                "cometbft_peak_rss_mib", "db_bytes_per_tx", "tx_bytes"}


@pytest.mark.e2e
def test_bench_all_quick_node_level_has_every_figure_per_workload(tmp_path, capsys):
    """Every workload end to end from its own senders: throughput, latency, block time, RSS of both
    processes, DB growth, the supply and solvency at the end, and the kvstore baseline fed the same txs."""
    path = tmp_path / "bench.json"
    assert cli_main.main(["bench", "all", "--quick", "--node", "--json", str(path)]) == 0
    doc = json.loads(path.read_text())
    assert set(doc["node"]) == set(workloads.NAMES) and doc["supply_ok"] is True and doc["solvent"] is True
    for name, node in doc["node"].items():
        assert NODE_FIGURES <= set(node) and all(node[f] > 0 for f in NODE_FIGURES), (name, node)
        assert node["txs"] == node["presigned"] >= 60, name   # the marketplace signs whole sales: 68
        assert node["latency_p50_s"] <= node["latency_p99_s"], name
        assert node["supply_ok"] is True and node["solvent"] is True, name
        assert node["supply"]["sum_balances"] == node["supply"]["total"], name
        kvstore = node["kvstore"]
        assert kvstore["txs"] == node["txs"] and kvstore["tx_per_s"] > 0, name
        assert 0 < kvstore["latency_p50_s"] <= kvstore["latency_p99_s"], name
        assert node["ratio_over_kvstore"] > 0, name
    assert doc["node"]["coupons"]["tx_bytes"] > doc["node"]["cmt"]["tx_bytes"]  # each workload's own txs
    out = capsys.readouterr().out
    assert "end to end" in out and "ours/kvstore" in out
