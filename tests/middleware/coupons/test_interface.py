"""contracts/interfaces/ICoupons.sol says what the precompile does: same functions, same return
types, same events (the compiled ABI in contracts/build/ICoupons.json against the module)."""

from abci_app.contracts import load_contract
from abci_app.middleware import coupons
from abci_app.middleware.coupons import calls

from ..abi import abi_signature, abi_type

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
    module_events = {e.signature: e.indexed for e in (calls.CAMPAIGN_CREATED, calls.COUPON_CLAIMED,
                                                      calls.COUPON_TRANSFERRED, calls.COUPON_REDEEMED,
                                                      calls.CAMPAIGN_RECLAIMED)}
    interface = {}
    for entry in load_contract("ICoupons").abi:
        if entry["type"] == "event":
            signature = abi_signature(entry)
            indexed = [i["indexed"] for i in entry["inputs"]]
            assert indexed == sorted(indexed, reverse=True), signature     # indexed ones first
            interface[signature] = sum(indexed)
    assert interface == module_events
