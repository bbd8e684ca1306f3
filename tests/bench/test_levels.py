"""The socket level and the end-of-run checks: `miles bench all --quick` reports every level's
figures and a supply and a solvency verdict per level, and a broken supply or an insolvent module
fails the command (no thresholds here)."""

import json

import pytest

from abci_app.bench import levels, workloads
from abci_app.bench.socket_level import measure_socket
from abci_app.bench.supply import check_solvency, check_supply, supply_figures
from abci_app.cli import main as cli_main

LEVEL_FIGURES = {"tx_per_s", "exec_tx_per_s", "block_ms_per_1000_txs", "peak_rss_mib", "db_bytes_per_tx"}
SUPPLY = {"total": "100", "genesis": "90", "minted": "15", "burned": "5"}
SOLVENT, INSOLVENT = check_solvency({"solvent": True}), check_solvency({"solvent": False})


def test_supply_check():
    assert check_supply(supply_figures(SUPPLY, 100))["supply_ok"] is True
    assert check_supply(supply_figures(SUPPLY, None))["supply_ok"] is True  # no trie walk: the identity only
    assert check_supply(supply_figures(SUPPLY, 99))["supply_ok"] is False
    assert check_supply(supply_figures({**SUPPLY, "burned": "4"}, 100))["supply_ok"] is False


def test_socket_level_commits_every_tx_and_the_supply_holds():
    figures = measure_socket(workloads.cmt(20, 4), block_txs=10)
    assert figures["txs"] == 20
    assert all(figures[f] > 0 for f in LEVEL_FIGURES), figures
    assert figures["supply_ok"] is True and figures["solvent"] is True
    assert figures["solvency"]["modules"]["staking"]["solvent"] is True  # asked over the socket
    supply = figures["supply"]
    assert supply["sum_balances"] == supply["total"] and supply["minted"] > 0  # two blocks' inflation


def test_bench_all_quick_reports_the_socket_level_and_supply_per_level(tmp_path, capsys):
    path = tmp_path / "bench.json"
    assert cli_main.main(["bench", "all", "--quick", "--json", str(path)]) == 0
    doc = json.loads(path.read_text())
    assert doc["supply_ok"] is True and doc["solvent"] is True
    for name, result in doc["workloads"].items():
        for level in ("app", "socket"):
            assert LEVEL_FIGURES <= set(result[level]), (name, level)
            assert all(result[level][f] > 0 for f in LEVEL_FIGURES), (name, level, result[level])
            assert result[level]["supply_ok"] is True and result[level]["solvent"] is True, (name, level)
            assert result[level]["supply"]["sum_balances"] == result[level]["supply"]["total"]
        assert result["ratio_socket_over_app"] > 0 and result["ratio_socket_block_exec_over_app"] > 0
    out = capsys.readouterr().out
    assert "ABCI socket" in out and "socket/app" in out and "supply invariant" in out and "solvency" in out


@pytest.mark.parametrize("broken, check", [({**check_supply(supply_figures(SUPPLY, 1)), **SOLVENT}, "supply_ok"),
                                           ({**check_supply(supply_figures(SUPPLY, 100)), **INSOLVENT}, "solvent")],
                         ids=["supply", "solvency"])
def test_a_broken_check_fails_the_command(tmp_path, monkeypatch, capsys, broken, check):
    monkeypatch.setattr(levels, "app_supply", lambda app: broken)
    path = tmp_path / "bench.json"
    assert cli_main.main(["bench", "all", "--quick", "--workloads", "cmt", "--json", str(path)]) == 1
    doc = json.loads(path.read_text())
    assert doc[check] is False and doc["workloads"]["cmt"]["app"][check] is False
    assert doc["workloads"]["cmt"]["socket"][check] is True
    assert "BROKEN" in capsys.readouterr().out


@pytest.mark.parametrize("check", ["supply_ok", "solvent"])
@pytest.mark.parametrize("runs, expected", [([True, True, True], True), ([True, False, True], False)])
def test_median_run_keeps_every_runs_verdict(runs, expected, check):
    from abci_app.bench.report import median_run

    chosen = median_run([{"tx_per_s": i, check: ok} for i, ok in enumerate(runs)])
    assert chosen["tx_per_s"] == 1 and chosen[check] is expected
