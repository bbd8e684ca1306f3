"""contracts/interfaces/IArbitration.sol says what the precompile does: same functions, return
types, payable/view flags and events (the compiled ABI in contracts/build/IArbitration.json against
the module)."""

from abci_app.contracts import load_contract
from abci_app.middleware import arbitration
from abci_app.middleware.arbitration import events
from abci_app.precompiles import Event

from ..abi import abi_signature, abi_type

def test_functions_match_the_interface():
    declared = {f.signature: f for f in arbitration.PRECOMPILE.functions.values()}
    interface = {abi_signature(e): e for e in load_contract("IArbitration").abi if e["type"] == "function"}
    assert sorted(interface) == sorted(declared)
    for signature, entry in interface.items():
        function = declared[signature]
        assert tuple(abi_type(o) for o in entry["outputs"]) == function.outputs, signature
        assert (entry["stateMutability"] == "payable") == function.payable, signature
        assert (entry["stateMutability"] == "view") == function.view, signature


def test_events_match_the_interface():
    module_events = {e.signature: e.indexed for e in vars(events).values() if isinstance(e, Event)}
    interface = {}
    for entry in load_contract("IArbitration").abi:
        if entry["type"] == "event":
            indexed = [i["indexed"] for i in entry["inputs"]]
            assert indexed == sorted(indexed, reverse=True), entry["name"]   # indexed ones first
            interface[abi_signature(entry)] = sum(indexed)
    assert interface == module_events
    assert len(module_events) == 14
