"""The committed generated code is exactly what scripts/gen_proto.py makes from proto/."""

import subprocess
import sys
from pathlib import Path

from abci_app.abci import types
from abci_app.abci.proto.tendermint.abci import types_pb2

REPO_ROOT = Path(__file__).resolve().parents[2]
COMMITTED = REPO_ROOT / "abci_app" / "abci" / "proto"


def generated_files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_committed_code_matches_a_fresh_generation(tmp_path):
    subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "gen_proto.py"), "--out", str(tmp_path)],
                   check=True, timeout=120)
    fresh, committed = generated_files(tmp_path), generated_files(COMMITTED)
    assert sorted(fresh) == sorted(committed), "run scripts/gen_proto.py and commit the result"
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert not stale, f"stale generated files {stale}: run scripts/gen_proto.py and commit the result"


def test_types_exports_every_abci_message_and_enum():
    names = set(types_pb2.DESCRIPTOR.message_types_by_name) | set(types_pb2.DESCRIPTOR.enum_types_by_name)
    assert names <= set(types.__all__)
    assert all(hasattr(types, name) for name in types.__all__)
