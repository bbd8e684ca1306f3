"""contracts/interfaces/ICoupons.sol says what the precompile does: same functions, same return
types, same events (the compiled ABI in contracts/build/ICoupons.json against the module)."""

import json
from pathlib import Path

from abci_app.middleware import coupons
from abci_app.middleware.coupons import calls

BUILD = Path(__file__).resolve().parents[3] / "contracts" / "build" / "ICoupons.json"


def _type(entry: dict) -> str:
    if entry["type"].startswith("tuple"):
        return "(" + ",".join(_type(c) for c in entry["components"]) + ")" + entry["type"][len("tuple"):]
    return entry["type"]


def _abi() -> list[dict]:
    return json.loads(BUILD.read_text())["abi"]


def test_functions_match_the_interface():
    declared = {f.signature: f for f in coupons.PRECOMPILE.functions.values()}
    interface = {}
    for entry in _abi():
        if entry["type"] == "function":
            signature = f"{entry['name']}({','.join(_type(i) for i in entry['inputs'])})"
            interface[signature] = entry
    assert sorted(interface) == sorted(declared)
    for signature, entry in interface.items():
        function = declared[signature]
        assert tuple(_type(o) for o in entry["outputs"]) == function.outputs, signature
        assert (entry["stateMutability"] == "payable") == function.payable, signature
        assert (entry["stateMutability"] == "view") == function.view, signature


def test_events_match_the_interface():
    module_events = {e.signature: e.indexed for e in (calls.CAMPAIGN_CREATED, calls.COUPON_CLAIMED,
                                                      calls.COUPON_TRANSFERRED, calls.COUPON_REDEEMED,
                                                      calls.CAMPAIGN_RECLAIMED)}
    interface = {}
    for entry in _abi():
        if entry["type"] == "event":
            signature = f"{entry['name']}({','.join(_type(i) for i in entry['inputs'])})"
            indexed = [i["indexed"] for i in entry["inputs"]]
            assert indexed == sorted(indexed, reverse=True), signature     # indexed ones first
            interface[signature] = sum(indexed)
    assert interface == module_events
