"""contracts/interfaces/IArbitration.sol says what the precompile does: same functions, return
types, payable/view flags and events (the compiled ABI in contracts/build/IArbitration.json against
the module)."""

from abci_app.contracts import load_contract
from abci_app.middleware import arbitration
from abci_app.middleware.arbitration import events
from abci_app.precompiles import Event

from ..abi import abi_signature, abi_type, interface_events, module_events

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
    """Same signatures, indexed arguments and argument names (the ABCI event attributes' keys)."""
    assert module_events(arbitration.EVENTS) == interface_events("IArbitration")
    assert set(arbitration.EVENTS) == {v for v in vars(events).values() if isinstance(v, Event)}
    assert len(arbitration.EVENTS) == 14
