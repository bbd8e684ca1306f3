"""The app's Prometheus metrics: every series present and moving, in a registry per application,
and served over HTTP."""

import urllib.request

from abci_app.app.metrics import AppMetrics, serve_metrics
from abci_app.cli.localnode import free_port

from ..chain import CMT, Chain, app_state, transfer

RECIPIENT = "0x" + "cd" * 20

SERIES = (
    "miles_height", "miles_block_execution_seconds_count", "miles_block_txs_sum", "miles_txs_total",
    "miles_block_gas_used_sum", "miles_gas_used_total", "miles_check_tx_total", "miles_mempool_recheck_total",
    "miles_mempool_recheck_seconds_count", "miles_supply_cmt", "miles_validators", "miles_state_size_bytes",
    "miles_worker_queries_total",
)


def value(metrics: AppMetrics, name: str, **labels) -> float:
    found = metrics.registry.get_sample_value(name, labels)
    return 0.0 if found is None else found


def test_blocks_move_height_txs_gas_and_duration(chain, keys):
    metrics = chain.app.metrics
    assert value(metrics, "miles_height") == 0
    chain.block([])
    assert value(metrics, "miles_height") == 1
    assert value(metrics, "miles_block_execution_seconds_count") == 1
    chain.block([transfer(keys[0], 0, RECIPIENT), transfer(keys[1], 0, RECIPIENT)])
    assert value(metrics, "miles_height") == 2
    assert value(metrics, "miles_txs_total") == 2
    assert value(metrics, "miles_block_txs_sum") == 2
    assert value(metrics, "miles_block_txs_count") == 2
    assert value(metrics, "miles_gas_used_total") == 42_000
    assert value(metrics, "miles_block_gas_used_sum") == 42_000
    assert value(metrics, "miles_block_execution_seconds_sum") > 0
    assert value(metrics, "miles_supply_cmt") == chain.supply() / CMT == 4_000_000
    assert value(metrics, "miles_state_size_bytes") > 0
    assert metrics.registry.get_sample_value("miles_validators") is not None


def test_check_tx_counts_accepted_and_rejected_by_code(chain, keys, stranger):
    metrics = chain.app.metrics
    assert chain.check(transfer(keys[0], 0, RECIPIENT)).code == 0
    assert chain.check(transfer(keys[1], 0, RECIPIENT)).code == 0
    poor = chain.check(transfer(stranger, 0, RECIPIENT))
    garbage = chain.check(b"\x01not a transaction")
    assert poor.code != 0 and garbage.code != 0
    assert value(metrics, "miles_check_tx_total", result="accepted", code="0") == 2
    rejected = {str(poor.code), str(garbage.code)}
    total = sum(value(metrics, "miles_check_tx_total", result="rejected", code=c) for c in rejected)
    assert total == 2
    assert chain.check(transfer(keys[2], 0, RECIPIENT), recheck=True).code == 0
    assert value(metrics, "miles_mempool_recheck_total", code="0") == 1
    assert value(metrics, "miles_mempool_recheck_seconds_count") == 1
    assert value(metrics, "miles_check_tx_total", result="accepted", code="0") == 2  # rechecks apart


def test_each_application_has_its_own_registry(tmp_path, keys):
    one = Chain.start(str(tmp_path / "one"), app_state(keys))
    two = Chain.start(str(tmp_path / "two"), app_state(keys))
    try:
        one.block([])
        one.block([])
        two.block([])
        assert value(one.app.metrics, "miles_height") == 2
        assert value(two.app.metrics, "miles_height") == 1
    finally:
        one.app.close()
        two.app.close()


def test_restart_reports_the_committed_height(tmp_path, keys):
    chain = Chain.start(str(tmp_path / "db"), app_state(keys))
    chain.block([])
    chain.app.close()
    from abci_app.app import Application
    app = Application(str(tmp_path / "db"))
    try:
        assert value(app.metrics, "miles_height") == 1
    finally:
        app.close()


def test_the_endpoint_serves_every_series(chain, keys):
    chain.check(transfer(keys[0], 0, RECIPIENT))
    chain.check(transfer(keys[0], 0, RECIPIENT), recheck=True)
    chain.block([transfer(keys[0], 0, RECIPIENT)])
    port = free_port()
    server = serve_metrics(chain.app.metrics, port)
    try:
        text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    finally:
        server.shutdown()
        server.server_close()
    names = {line.split("{")[0].split(" ")[0] for line in text.splitlines() if line and not line.startswith("#")}
    assert set(SERIES) <= names, set(SERIES) - names


def test_cometbft_prometheus_is_enabled_on_a_derived_port(tmp_path):
    import dataclasses
    import json as _json

    from abci_app.cli import cometbft
    from abci_app.cli.home import Home

    config = cometbft.NodeConfig(abci_port=30_002)
    assert config.cometbft_metrics_port == 30_005
    assert cometbft.NodeConfig().cometbft_metrics_port == 26661
    assert cometbft.NodeConfig(prometheus_port=9999).cometbft_metrics_port == 9999
    text = ("proxy_app = \"x\"\nabci = \"x\"\nmoniker = \"x\"\n[rpc]\nladdr = \"x\"\n[p2p]\nladdr = \"x\"\n"
            "addr_book_strict = true\nallow_duplicate_ip = false\n[consensus]\ntimeout_commit = \"1s\"\n"
            "create_empty_blocks_interval = \"0s\"\n[instrumentation]\nprometheus = false\n"
            "prometheus_listen_addr = \":26660\"\n")
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.toml").write_text(text)
    cometbft.configure(tmp_path, config)
    written = (tmp_path / "config" / "config.toml").read_text()
    assert "prometheus = true" in written and 'prometheus_listen_addr = "127.0.0.1:30005"' in written
    # a node.json written before the field existed still loads
    home = Home(tmp_path / "home")
    old = dataclasses.asdict(config)
    del old["prometheus_port"]
    home.path.mkdir(parents=True)
    home.legacy_settings.write_text(_json.dumps(old))
    assert home.load_config() == config
