"""Compiled contract artifacts: `load_contract("Token")` reads contracts/build/Token.json.

The JSON files are written by `node contracts/compile.js` (solc pinned in contracts/package.json)
and committed, so Python needs no compiler. Used by the tests and by `miles bench`.
"""

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_abi import encode as abi_encode
from eth_utils.abi import function_abi_to_4byte_selector, get_abi_input_types

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


@functools.cache
def contract_functions(name: str) -> dict[str, dict]:
    """A compiled contract's functions by name, from its ABI (calls by name need no overloads)."""
    functions: dict[str, dict] = {}
    for entry in load_contract(name).abi:
        if entry["type"] == "function":
            if entry["name"] in functions:
                raise ValueError(f"{name}.{entry['name']} is overloaded: encode it by signature")
            functions[entry["name"]] = entry
    return functions


def encode_call(contract: str, function: str, *args) -> bytes:
    """Selector and ABI-encoded arguments of `contract`'s `function`, typed by the compiled ABI."""
    abi = contract_functions(contract)[function]
    return function_abi_to_4byte_selector(abi) + abi_encode(get_abi_input_types(abi), list(args))


def encode_deploy(contract: str, *args) -> bytes:
    """`contract`'s creation code with its constructor's arguments, typed by the compiled ABI."""
    artifact = load_contract(contract)
    constructor = next((e for e in artifact.abi if e["type"] == "constructor"), {"inputs": []})
    return artifact.bytecode + abi_encode(get_abi_input_types(constructor), list(args))


def list_contracts() -> list[str]:
    """Names of all compiled contracts, sorted."""
    return sorted(path.stem for path in BUILD_DIR.glob("*.json"))


def _decode_hex(text: str) -> bytes:
    """Decode a 0x-prefixed hex string."""
    if not text.startswith("0x"):
        raise ValueError(f"bytecode is not 0x-hex: {text[:16]!r}")
    return bytes.fromhex(text[2:])
