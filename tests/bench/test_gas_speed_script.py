"""scripts/gas_speed.py gives the gas-speed table of docs/performance.md (issue 14)."""

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "gas_speed.py"


def test_it_measures_each_kind_of_work_until_its_gas_runs_out():
    out = subprocess.run([sys.executable, str(SCRIPT), "--gas", "300000", "--only", "jump,sha256,staking params()"],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    lines = [line for line in out.splitlines() if line.startswith("| ") and not line.startswith("| work")]
    rows = {cells[0]: cells[1:] for cells in ([c.strip() for c in line.strip("|").split("|")] for line in lines)}
    assert set(rows) == {"jump", "sha256", "staking params()"}
    for gas_used, ms, mgas_per_s in rows.values():
        assert gas_used == "300,000"  # every case runs until its gas is gone
        assert float(ms.replace(",", "")) >= 0 and float(mgas_per_s) > 0
