"""The shared precompile framework: Solidity-ABI dispatch, gas, reverts, events, typed storage."""

from .abi import Function, encode_error, function
from .call import CallContext, Event, Precompile, PrecompileMap
from .module_state import ModuleState
from .storage import AddressSet, Queue, Storage, WordSet, address_int, int_address, slot_of

__all__ = [
    "AddressSet",
    "CallContext",
    "Event",
    "Function",
    "ModuleState",
    "Precompile",
    "PrecompileMap",
    "Queue",
    "Storage",
    "WordSet",
    "address_int",
    "int_address",
    "encode_error",
    "function",
    "slot_of",
]
