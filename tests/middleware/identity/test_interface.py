"""contracts/interfaces/IIdentity.sol and the precompile agree: the same functions (signatures,
return types, payable and view flags) and the same events (signatures and indexed arguments)."""

from abci_app.contracts import load_contract
from abci_app.middleware import identity
from abci_app.middleware.identity import events
from abci_app.precompiles import Event

from ..abi import abi_signature, abi_type, interface_events, module_events


def test_functions_match_the_interface():
    abi = load_contract("IIdentity").abi
    declared = {abi_signature(e): e for e in abi if e["type"] == "function"}
    served = {f.signature: f for f in identity.PRECOMPILE.functions.values()}
    assert sorted(declared) == sorted(served)
    for signature, entry in declared.items():
        function = served[signature]
        assert tuple(abi_type(o) for o in entry["outputs"]) == function.outputs, signature
        assert (entry["stateMutability"] == "payable") == function.payable, signature
        assert (entry["stateMutability"] == "view") == function.view, signature


def test_events_match_the_interface():
    """Same signatures, indexed arguments and argument names (the ABCI event attributes' keys)."""
    assert module_events(identity.EVENTS) == interface_events("IIdentity")
    assert set(identity.EVENTS) == {v for v in vars(events).values() if isinstance(v, Event)}
