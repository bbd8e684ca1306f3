"""contracts/interfaces/IArbitration.sol says what the precompile does: same functions, return
types, payable/view flags and events (the compiled ABI in contracts/build/IArbitration.json against
the module)."""

import json
from pathlib import Path

from abci_app.middleware import arbitration
from abci_app.middleware.arbitration import events
from abci_app.precompiles import Event

BUILD = Path(__file__).resolve().parents[3] / "contracts" / "build" / "IArbitration.json"


def _type(entry: dict) -> str:
    if entry["type"].startswith("tuple"):
        return "(" + ",".join(_type(c) for c in entry["components"]) + ")" + entry["type"][len("tuple"):]
    return entry["type"]


def _abi() -> list[dict]:
    return json.loads(BUILD.read_text())["abi"]


def _signature(entry: dict) -> str:
    return f"{entry['name']}({','.join(_type(i) for i in entry['inputs'])})"


def test_functions_match_the_interface():
    declared = {f.signature: f for f in arbitration.PRECOMPILE.functions.values()}
    interface = {_signature(e): e for e in _abi() if e["type"] == "function"}
    assert sorted(interface) == sorted(declared)
    for signature, entry in interface.items():
        function = declared[signature]
        assert tuple(_type(o) for o in entry["outputs"]) == function.outputs, signature
        assert (entry["stateMutability"] == "payable") == function.payable, signature
        assert (entry["stateMutability"] == "view") == function.view, signature


def test_events_match_the_interface():
    module_events = {e.signature: e.indexed for e in vars(events).values() if isinstance(e, Event)}
    interface = {}
    for entry in _abi():
        if entry["type"] == "event":
            indexed = [i["indexed"] for i in entry["inputs"]]
            assert indexed == sorted(indexed, reverse=True), entry["name"]   # indexed ones first
            interface[_signature(entry)] = sum(indexed)
    assert interface == module_events
    assert len(module_events) == 14
