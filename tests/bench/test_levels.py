"""The socket level and the supply check: `miles bench all --quick` reports every level's figures
and a supply verdict per level, and a broken supply fails the command (no thresholds here)."""

import json

import pytest

from abci_app.bench import levels, workloads
from abci_app.bench.socket_level import measure_socket
from abci_app.bench.supply import check_supply, supply_figures
from abci_app.cli import main as cli_main

LEVEL_FIGURES = {"tx_per_s", "exec_tx_per_s", "block_ms_per_1000_txs", "peak_rss_mib", "db_bytes_per_tx"}
SUPPLY = {"total": "100", "genesis": "90", "minted": "15", "burned": "5"}


def test_supply_check():
    assert check_supply(supply_figures(SUPPLY, 100))["supply_ok"] is True
    assert check_supply(supply_figures(SUPPLY, None))["supply_ok"] is True  # no trie walk: the identity only
    assert check_supply(supply_figures(SUPPLY, 99))["supply_ok"] is False
    assert check_supply(supply_figures({**SUPPLY, "burned": "4"}, 100))["supply_ok"] is False


def test_socket_level_commits_every_tx_and_the_supply_holds():
    figures = measure_socket(workloads.cmt(20, 4), block_txs=10)
    assert figures["txs"] == 20
    assert all(figures[f] > 0 for f in LEVEL_FIGURES), figures
    assert figures["supply_ok"] is True
    supply = figures["supply"]
    assert supply["sum_balances"] == supply["total"] and supply["minted"] > 0  # two blocks' inflation


def test_bench_all_quick_reports_the_socket_level_and_supply_per_level(tmp_path, capsys):
    path = tmp_path / "bench.json"
    assert cli_main.main(["bench", "all", "--quick", "--json", str(path)]) == 0
    doc = json.loads(path.read_text())
    assert doc["supply_ok"] is True
    for name, result in doc["workloads"].items():
        for level in ("app", "socket"):
            assert LEVEL_FIGURES <= set(result[level]), (name, level)
            assert all(result[level][f] > 0 for f in LEVEL_FIGURES), (name, level, result[level])
            assert result[level]["supply_ok"] is True, (name, level)
            assert result[level]["supply"]["sum_balances"] == result[level]["supply"]["total"]
        assert result["ratio_socket_over_app"] > 0 and result["ratio_socket_block_exec_over_app"] > 0
    out = capsys.readouterr().out
    assert "ABCI socket" in out and "socket/app" in out and "supply invariant" in out


def test_a_broken_supply_fails_the_command(tmp_path, monkeypatch, capsys):
    def broken(app):
        return check_supply(supply_figures(SUPPLY, 1))

    monkeypatch.setattr(levels, "app_supply", broken)
    path = tmp_path / "bench.json"
    assert cli_main.main(["bench", "all", "--quick", "--workloads", "cmt", "--json", str(path)]) == 1
    doc = json.loads(path.read_text())
    assert doc["supply_ok"] is False and doc["workloads"]["cmt"]["app"]["supply_ok"] is False
    assert doc["workloads"]["cmt"]["socket"]["supply_ok"] is True
    assert "BROKEN" in capsys.readouterr().out


@pytest.mark.parametrize("runs, expected", [([True, True, True], True), ([True, False, True], False)])
def test_median_run_keeps_every_runs_supply_verdict(runs, expected):
    from abci_app.bench.report import median_run

    chosen = median_run([{"tx_per_s": i, "supply_ok": ok} for i, ok in enumerate(runs)])
    assert chosen["tx_per_s"] == 1 and chosen["supply_ok"] is expected

