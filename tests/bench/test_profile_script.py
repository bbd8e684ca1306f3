"""scripts/profile_block.py gives the per-step split of docs/performance.md."""

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "profile_block.py"


def test_it_times_every_step_of_a_workload():
    out = subprocess.run([sys.executable, str(SCRIPT), "erc20", "40", "--accounts", "5"],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    lines = out.splitlines()
    assert lines[0].startswith("erc20, 40 txs from 5 senders: ")
    steps = {line[:26].strip(): float(line[26:]) for line in lines[1:]}
    assert set(steps) == {"CheckTx", "FinalizeBlock", "applying the txs", "state root + persist", "Commit", "total"}
    assert 0 < steps["applying the txs"] < steps["FinalizeBlock"] < steps["total"]
    assert steps["CheckTx"] > 0 and steps["Commit"] > 0
