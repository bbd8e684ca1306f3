"""`miles bench scale`, the quick variant the suite runs: 100,000 accounts beside the 10,000
baseline, every figure measured and given as a ratio, the snapshot restored by a second app."""

import json
import pstats

from abci_app.bench import scale
from abci_app.cli.main import main


def test_the_scale_bench_measures_a_100k_state_beside_the_baseline(tmp_path, capsys):
    out, profiles = tmp_path / "scale.json", tmp_path / "profiles"
    assert main(["bench", "scale", "--accounts", "100000", "--blocks", "4", "--json", str(out),
                 "--profile", str(profiles)]) == 0
    results = json.loads(out.read_text())
    base, scaled = results["baseline"], results["scaled"]
    assert (base["accounts"], scaled["accounts"]) == (scale.BASELINE_ACCOUNTS, 100_000)
    for key, _, _ in scale.FIGURES:
        assert base[key] > 0 and scaled[key] > 0, key
        assert abs(results["ratio"][key] - scaled[key] / base[key]) < 1e-9
    assert scaled["snapshot_bytes"] > 100_000 * 70 > base["snapshot_bytes"]  # the snapshot holds every account
    assert scaled["rss_mib"] < 1024 and scaled["rocksdb_mib"] < scaled["rss_mib"]
    for name in ("baseline", "scaled"):  # one more CMT block, profiled at each size
        profiled = {function for _, _, function in pstats.Stats(str(profiles / f"{name}.pstats")).stats}
        assert "finalize_block" in profiled and "commit" in profiled
    printed = capsys.readouterr().out
    assert "100,000" in printed and "ratio" in printed and "Commit p99" in printed
