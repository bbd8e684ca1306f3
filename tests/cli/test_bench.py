"""`miles bench` measures real work: every transfer is accepted and committed, or it raises."""

import pytest

from abci_app.cli.bench import measure_app, measure_node
from abci_app.cli.localnode import LocalNode


def test_app_bench_runs_blocks_of_transfers():
    assert measure_app(block_txs=50, blocks=2) > 0


@pytest.mark.e2e
def test_node_bench_commits_every_transfer(tmp_path):
    node = LocalNode.create(tmp_path / "node").start()
    try:
        assert measure_node(node, 60) > 0
        assert measure_node(node, 60) > 0  # a second run continues from the committed nonces
    finally:
        node.stop()
