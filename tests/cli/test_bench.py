"""`miles bench` measures real work: every transaction is accepted and committed, or it raises."""

import json

import pytest

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
    assert set(doc["workloads"]) == {"cmt", "erc20", "coupons", "mix"}
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


@pytest.mark.e2e
def test_bench_all_quick_node_level_has_latency_and_kvstore_baseline(tmp_path):
    path = tmp_path / "bench.json"
    assert cli_main.main(["bench", "all", "--quick", "--node", "--workloads", "cmt", "--json", str(path)]) == 0
    node = json.loads(path.read_text())["node"]
    for level in ("cmt", "kvstore"):
        assert node[level]["txs"] == 60
        assert 0 < node[level]["latency_p50_s"] <= node[level]["latency_p99_s"]
        assert node[level]["tx_per_s"] > 0
    assert node["ratio_over_kvstore"] > 0
