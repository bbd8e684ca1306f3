"""Reading a compiled Solidity ABI the way the precompile framework writes signatures."""

from abci_app.contracts import load_contract


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
