"""The committed contracts/build/*.json must equal a fresh compile with the pinned solc."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS_DIR = ROOT / "contracts"
BUILD_DIR = CONTRACTS_DIR / "build"


def compile_into(out_dir: Path) -> None:
    """Run `node contracts/compile.js --out out_dir`; fail (never skip) if the tools are missing."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed; install Node.js, then run scripts/bootstrap.sh")
    if not (CONTRACTS_DIR / "node_modules" / "solc").is_dir():
        pytest.fail("contracts/node_modules/solc is missing: run scripts/bootstrap.sh")
    result = subprocess.run(
        [node, str(CONTRACTS_DIR / "compile.js"), "--out", str(out_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"compile.js failed:\n{result.stdout}\n{result.stderr}"


def test_committed_build_matches_fresh_compile(tmp_path):
    compile_into(tmp_path)
    fresh = sorted(path.name for path in tmp_path.glob("*.json"))
    committed = sorted(path.name for path in BUILD_DIR.glob("*.json"))
    assert fresh, "compile.js wrote no artifact"
    assert fresh == committed, "contracts/build is stale: run `node contracts/compile.js`"
    for name in fresh:
        assert (tmp_path / name).read_bytes() == (BUILD_DIR / name).read_bytes(), (
            f"contracts/build/{name} differs from a fresh compile: run `node contracts/compile.js`"
        )


def test_compile_is_deterministic(tmp_path):
    compile_into(tmp_path / "a")
    compile_into(tmp_path / "b")
    for path in sorted((tmp_path / "a").glob("*.json")):
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes()
        assert str(ROOT) not in path.read_text(), f"{path.name} contains an absolute path"
