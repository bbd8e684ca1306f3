"""Reading a compiled Solidity ABI the way the precompile framework writes signatures."""


def abi_type(entry: dict) -> str:
    """'uint256', or a tuple spelled out: '(address,uint256)[]'."""
    if entry["type"].startswith("tuple"):
        return "(" + ",".join(abi_type(c) for c in entry["components"]) + ")" + entry["type"][len("tuple"):]
    return entry["type"]


def abi_signature(entry: dict) -> str:
    """'name(type,...)' of a function or event entry."""
    return f"{entry['name']}({','.join(abi_type(i) for i in entry['inputs'])})"
