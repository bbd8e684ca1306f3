"""Reading a compiled Solidity ABI the way the precompile framework writes signatures."""

from abci_app.contracts import load_contract
from abci_app.precompiles import Event


def abi_type(entry: dict) -> str:
    """'uint256', or a tuple spelled out: '(address,uint256)[]'."""
    if entry["type"].startswith("tuple"):
        return "(" + ",".join(abi_type(c) for c in entry["components"]) + ")" + entry["type"][len("tuple"):]
    return entry["type"]


def abi_signature(entry: dict) -> str:
    """'name(type,...)' of a function or event entry."""
    return f"{entry['name']}({','.join(abi_type(i) for i in entry['inputs'])})"


def interface_events(contract: str) -> dict[str, tuple[int, tuple[str, ...]]]:
    """A compiled interface's events: signature -> (how many indexed arguments, argument names).
    The precompile framework indexes the leading arguments, so the interface must list them first."""
    events = {}
    for entry in load_contract(contract).abi:
        if entry["type"] == "event":
            indexed = [i["indexed"] for i in entry["inputs"]]
            assert indexed == sorted(indexed, reverse=True), entry["name"]     # indexed ones first
            events[abi_signature(entry)] = (sum(indexed), tuple(i["name"] for i in entry["inputs"]))
    return events


def module_events(events) -> dict[str, tuple[int, tuple[str, ...]]]:
    """The same of a module's Event declarations (its EVENTS)."""
    return {e.signature: (e.indexed, e.names) for e in events}


def assert_functions_match(contract: str, precompile) -> None:
    """The compiled interface declares exactly the precompile's functions, with the same return
    types and payable and view flags."""
    declared = {abi_signature(e): e for e in load_contract(contract).abi if e["type"] == "function"}
    served = {f.signature: f for f in precompile.functions.values()}
    assert sorted(declared) == sorted(served)
    for signature, entry in declared.items():
        function = served[signature]
        assert tuple(abi_type(o) for o in entry["outputs"]) == function.outputs, signature
        assert (entry["stateMutability"] == "payable") == function.payable, signature
        assert (entry["stateMutability"] == "view") == function.view, signature


def assert_events_match(contract: str, events, declared_in) -> None:
    """Same signatures, indexed arguments and argument names (the ABCI event attributes' keys), and
    `events` (a module's EVENTS) lists every Event declared in the module `declared_in`."""
    assert module_events(events) == interface_events(contract)
    assert set(events) == {v for v in vars(declared_in).values() if isinstance(v, Event)}
