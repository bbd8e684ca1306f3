"""contracts/interfaces/ICoupons.sol says what the precompile does: same functions, same return
types, same events with the same argument names (the compiled ABI in contracts/build/ICoupons.json against the module)."""

from abci_app.contracts import load_contract
from abci_app.middleware import coupons
from abci_app.middleware.coupons import calls
from abci_app.precompiles import Event

from ..abi import abi_signature, abi_type, interface_events, module_events

def test_functions_match_the_interface():
    declared = {f.signature: f for f in coupons.PRECOMPILE.functions.values()}
    interface = {}
    for entry in load_contract("ICoupons").abi:
        if entry["type"] == "function":
            signature = abi_signature(entry)
            interface[signature] = entry
    assert sorted(interface) == sorted(declared)
    for signature, entry in interface.items():
        function = declared[signature]
        assert tuple(abi_type(o) for o in entry["outputs"]) == function.outputs, signature
        assert (entry["stateMutability"] == "payable") == function.payable, signature
        assert (entry["stateMutability"] == "view") == function.view, signature


def test_events_match_the_interface():
    """Same signatures, indexed arguments and argument names (the ABCI event attributes' keys)."""
    assert module_events(coupons.EVENTS) == interface_events("ICoupons")
    assert set(coupons.EVENTS) == {v for v in vars(calls).values() if isinstance(v, Event)}
