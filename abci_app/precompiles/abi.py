"""Solidity-ABI functions for precompiles: signatures, selectors, argument decoding, results.

A precompile's Python method is declared with `@function("name(type,...)", returns=(...), gas=N)`;
the framework dispatches on the 4-byte selector, decodes the arguments with eth-abi and encodes
what the method returns.
"""

from collections.abc import Callable
from dataclasses import dataclass

from eth_abi import decode, encode
from eth_hash.auto import keccak

ERROR_SELECTOR = keccak(b"Error(string)")[:4]


def split_types(types: str) -> tuple[str, ...]:
    """'uint256,(address,bytes32)[],string' -> ('uint256', '(address,bytes32)[]', 'string'); a
    stray comma leaves an empty part ('uint256,' -> ('uint256', '')) for the caller to refuse."""
    parts, depth, current = [], 0, ""
    for char in types:
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        current += char
    if current or parts:
        parts.append(current)
    return tuple(parts)


def parse_signature(signature: str) -> tuple[str, tuple[str, ...]]:
    name, _, rest = signature.partition("(")
    if not name or not rest.endswith(")"):
        raise ValueError(f"not a function signature: {signature!r}")
    return name, split_types(rest[:-1])


@dataclass(frozen=True, slots=True)
class Function:
    """One Solidity function of a precompile."""

    signature: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    gas: int
    payable: bool
    view: bool
    handler: Callable

    @property
    def selector(self) -> bytes:
        return keccak(self.signature.encode())[:4]

    def decode_args(self, data: bytes) -> tuple:
        return decode(list(self.inputs), data)

    def encode_result(self, result) -> bytes:
        if not self.outputs:
            return b""
        values = result if len(self.outputs) > 1 else (result,)
        return encode(list(self.outputs), list(values))


def function(signature: str, *, gas: int, returns: tuple[str, ...] = (), payable: bool = False,
             view: bool = False) -> Callable:
    """Declare a method as the Solidity function `signature` (gas: the fixed cost of a call)."""
    _, inputs = parse_signature(signature)

    def declare(handler: Callable) -> Callable:
        handler.abi_function = Function(signature, inputs, tuple(returns), gas, payable, view, handler)
        return handler

    return declare


def functions_of(obj) -> dict[bytes, Function]:
    """Selector -> Function for every method of `obj` declared with @function."""
    table = {}
    for name in sorted(dir(type(obj))):
        declared = getattr(getattr(type(obj), name), "abi_function", None)
        if declared is not None:
            if declared.selector in table:
                raise ValueError(f"selector clash: {declared.signature} and {table[declared.selector].signature}")
            table[declared.selector] = declared
    return table


def encode_error(reason: str) -> bytes:
    """Solidity's revert data for `revert(reason)`: Error(string)."""
    return ERROR_SELECTOR + encode(["string"], [reason])
