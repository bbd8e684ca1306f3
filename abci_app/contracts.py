"""Compiled contract artifacts: `load_contract("Token")` reads contracts/build/Token.json.

The JSON files are written by `node contracts/compile.js` (solc pinned in contracts/package.json)
and committed, so Python needs no compiler. Used by the tests and by `miles bench`.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BUILD_DIR = Path(__file__).resolve().parents[1] / "contracts" / "build"

_CONTRACT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True, slots=True)
class ContractArtifact:
    """One compiled contract: its ABI, creation bytecode and runtime (deployed) bytecode."""

    abi: list[dict[str, Any]]
    bytecode: bytes
    deployed_bytecode: bytes


def get_artifact_path(name: str) -> Path:
    """The build file of contract `name` (a Solidity identifier, not a path)."""
    if not _CONTRACT_NAME.fullmatch(name):
        raise ValueError(f"not a contract name: {name!r}")
    return BUILD_DIR / f"{name}.json"


def load_contract(name: str) -> ContractArtifact:
    """Read contracts/build/<name>.json. FileNotFoundError names the command that builds it."""
    path = get_artifact_path(name)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileNotFoundError(
            f"no compiled contract {name!r} at {path}; run `node contracts/compile.js`"
        ) from None
    data = json.loads(text)
    return ContractArtifact(
        abi=data["abi"],
        bytecode=_decode_hex(data["bytecode"]),
        deployed_bytecode=_decode_hex(data["deployedBytecode"]),
    )


def list_contracts() -> list[str]:
    """Names of all compiled contracts, sorted."""
    return sorted(path.stem for path in BUILD_DIR.glob("*.json"))


def _decode_hex(text: str) -> bytes:
    """Decode a 0x-prefixed hex string."""
    if not text.startswith("0x"):
        raise ValueError(f"bytecode is not 0x-hex: {text[:16]!r}")
    return bytes.fromhex(text[2:])
