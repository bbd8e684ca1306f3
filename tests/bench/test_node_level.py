"""The end-to-end level's pieces: the block time read from the app's log, how many txs a sustained
run signs, and a short sustained run through a real node that stops posting when its time is up."""

import json

import pytest

from abci_app.bench import node_level, workloads


def _line(height: int, txs: int, ms: float) -> str:
    return json.dumps({"event": "block_finalized", "height": height, "txs": txs, "duration_ms": ms})


def test_block_exec_ms_sums_the_blocks_holding_the_timed_txs():
    log = "\n".join([_line(1, 0, 1.0), "not json: a console line", _line(2, 10, 20.5), _line(3, 5, 9.5)])
    assert node_level.block_exec_ms(log, [2, 3]) == 30.0
    with pytest.raises(RuntimeError, match="no block_finalized"):
        node_level.block_exec_ms(log, [2, 4])


def test_a_sustained_run_signs_the_application_rate_with_a_margin():
    assert node_level.presign_count(2000, None, 1234.5) == 2000          # a fixed count: --node-txs
    assert node_level.presign_count(2000, 60, 1000.0) == 78_000 + 2_000  # 1,000/s x 60 s x 1.3 + the window


@pytest.mark.e2e
def test_a_sustained_run_through_a_node_stops_posting_and_confirms_what_it_sent():
    workload = workloads.build("cmt", 10_000, 20)
    figures = node_level.measure_end_to_end(workload, seconds=1.0)
    assert 0 < figures["txs"] < figures["presigned"] == 10_000           # stopped before the end
    assert figures["tx_per_s"] > 0 and figures["block_ms_per_1000_txs"] > 0
    assert figures["supply_ok"] is True and figures["solvent"] is True
