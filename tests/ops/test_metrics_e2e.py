"""End to end: a real node with the app's metrics endpoint on, CometBFT's own Prometheus metrics
(enabled by `configure`), and the app's JSON log file read line by line."""

import json
import os
import sys
import urllib.request

import pytest

from abci_app.cli.localnode import LocalNode, free_port, wait_until
from abci_app.cli.wallet import dev_account

from ..chain import transfer
from ..solvency import assert_solvent
from .test_metrics import SERIES

pytestmark = pytest.mark.e2e

RECIPIENT = "0x" + "5e" * 20
TRANSFERS = 5


def _scrape(port: int) -> dict[str, float]:
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, number = line.rpartition(" ")
            samples[name] = float(number)
    return samples


def _names(samples: dict[str, float]) -> set[str]:
    return {name.split("{")[0] for name in samples}


@pytest.fixture
def node(tmp_path):
    node = LocalNode.create(tmp_path / "node")
    node.metrics_port = free_port()
    # LocalNode runs `miles app` without a metrics port: start the app the same way, with one.
    node.app = node._spawn("app", [
        sys.executable, "-m", "abci_app.cli.main", "--home", str(node.home.path), "--log-format", "json",
        "app", "--metrics-port", str(node.metrics_port),
    ], env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        node.wait_app()
        node.start_cometbft()
        node.wait_height(1)
        yield node
        assert_solvent(node.rpc)
    finally:
        node.stop()


def test_metrics_endpoints_and_json_block_logs(node):
    sender = dev_account(0)
    for nonce in range(TRANSFERS):
        assert node.rpc.broadcast_tx_sync(transfer(sender, nonce, RECIPIENT))["code"] == 0
    bad = node.rpc.broadcast_tx_sync(transfer(sender, 0, RECIPIENT, 2))  # nonce already used
    assert bad["code"] != 0
    wait_until(lambda: _scrape(node.metrics_port).get("miles_txs_total", 0) >= TRANSFERS, 60, "the transfers")
    height = node.wait_height(node.height() + 1)

    samples = _scrape(node.metrics_port)
    assert set(SERIES) <= _names(samples), set(SERIES) - _names(samples)
    assert samples["miles_height"] >= 2
    assert samples[f'miles_check_tx_total{{code="0",result="accepted"}}'] == TRANSFERS
    assert samples[f'miles_check_tx_total{{code="{bad["code"]}",result="rejected"}}'] == 1
    assert samples["miles_gas_used_total"] == TRANSFERS * 21_000
    assert samples["miles_supply_cmt"] > 0 and samples["miles_validators"] == 1
    assert samples["miles_state_size_bytes"] > 0

    cometbft = _scrape(node.config.cometbft_metrics_port)
    heights_seen = [v for name, v in cometbft.items() if name.split("{")[0] == "cometbft_consensus_height"]
    assert heights_seen and max(heights_seen) >= 2

    blocks = []
    for line in node.log_text("app").splitlines():
        if line.strip():
            record = json.loads(line)  # every line of the app's log is one JSON object
            if record.get("event") == "block_finalized":
                blocks.append(record)
    assert len(blocks) >= 2
    heights = [b["height"] for b in blocks]
    assert heights == sorted(set(heights)), "each block logged once, in order"
    assert {"height", "txs", "gas_used", "duration_ms", "app_hash", "timestamp", "level"} <= set(blocks[-1])
    assert sum(b["txs"] for b in blocks) == TRANSFERS
    assert all(len(b["app_hash"]) == 16 for b in blocks)
    assert height >= max(heights) - 1
