"""Precompiles from plain Python objects: dispatch, gas, reverts, static-call protection, logs.

A module object's methods declared with `@function` become the functions of a precompile at a
fixed address. Only a CALL or STATICCALL addressed to the precompile reaches a function: under
DELEGATECALL or CALLCODE py-evm would run it with the calling contract's storage address, an
inherited sender and a value never received, so those revert. A `CallError` reverts with its
reason (remaining gas is returned) and the EVM's own errors (out of gas) fail the call as in any
contract; any other exception is not a property of the call (a bug, or a node-local fault such as
an I/O error) and leaves as a PrecompileFault, which stops the node before Commit rather than
becoming a failed call on this node only.
"""

from collections.abc import Callable

import structlog
from eth.abc import ComputationAPI
from eth.constants import STACK_DEPTH_LIMIT
from eth.exceptions import Revert, VMError
from eth_abi import decode, encode
from eth_hash.auto import keccak

from ..errors import CallError, PrecompileFault
from .abi import Function, encode_error, functions_of, parse_signature
from .storage import Storage

log = structlog.get_logger(__name__)

GAS_LOG = 375
GAS_LOG_TOPIC = 375
GAS_LOG_BYTE = 8
GAS_VIEW_CALL = 2_600   # what the EVM charges a CALL to a cold account, before the gas it forwards


class CallContext:
    """What a precompile function sees of its call: caller, value, block, its storage."""

    def __init__(self, computation: ComputationAPI, address: bytes, writable: bool) -> None:
        self._computation = computation
        self.address = address
        self.sender: bytes = computation.msg.sender
        self.value_wei: int = computation.msg.value
        self.state = computation.state
        self.storage = Storage(computation.state, address, meter=self.charge, writable=writable)

    @property
    def now_s(self) -> int:
        return self.state.timestamp

    @property
    def height(self) -> int:
        return self.state.block_number

    @property
    def chain_id(self) -> int:
        return self.state.execution_context.chain_id

    def block_hash(self, height: int) -> bytes:
        """An earlier block's hash (agreed data: the CometBFT block hash), for pseudo-randomness;
        32 zero bytes when it is out of reach (older than 256 blocks, or not before this one)."""
        return self.state.get_ancestor_hash(height)

    def charge(self, gas: int) -> None:
        """Consume gas (out of gas fails the call and burns what is left, as in the EVM)."""
        if gas:
            self._computation.consume_gas(gas, reason="precompile")

    def pay(self, to: bytes, amount_wei: int) -> None:
        """Move CMT out of the precompile's balance."""
        self.state.delta_balance(self.address, -amount_wei)
        self.state.delta_balance(to, amount_wei)

    def view_call(self, to: bytes, signature: str, args: tuple, returns: tuple[str, ...], gas: int) -> tuple | None:
        """Ask another contract or precompile, read-only, as a STATICCALL would: how a module reads
        another module (through its Solidity interface, never its storage) or an ERC-20 balance.
        `gas` is charged first and what the callee leaves is given back, so a hostile callee
        costs the caller at most `gas`. The decoded result, or None if the call failed (it
        reverted, ran out of gas, was too deep, or answered something that does not decode)."""
        self.charge(GAS_VIEW_CALL + gas)
        parent = self._computation
        if parent.msg.depth + 1 > STACK_DEPTH_LIMIT:
            parent.return_gas(gas)
            return None
        data = keccak(signature.encode())[:4] + encode(list(parse_signature(signature)[1]), list(args))
        message = parent.prepare_child_message(gas=gas, to=to, value=0, data=data, code=self.state.get_code(to),
                                               is_static=True)
        child = parent.apply_child_computation(message)
        if child.should_return_gas:
            parent.return_gas(child.get_gas_remaining())
        if child.is_error:
            return None
        try:
            return decode(list(returns), child.output)
        except Exception:
            return None

    def emit(self, event: "Event", *values) -> None:
        topics, data = event.encode(values)
        self.charge(GAS_LOG + GAS_LOG_TOPIC * len(topics) + GAS_LOG_BYTE * len(data))
        self._computation.add_log_entry(self.address, topics, data)


class Event:
    """A Solidity event, declared with its parameter names as in the Solidity interface:
    `Event("Delegated(address delegator,address candidate,uint256 amount,uint256 shares)", indexed=2)`
    makes the first two arguments topics and ABI-encodes the rest as data. `signature` is the
    canonical form without names ("Delegated(address,address,uint256,uint256)"), whose keccak is
    topic 0; `names` are the parameter names (ABCI event attributes are keyed by them)."""

    def __init__(self, declaration: str, indexed: int = 0) -> None:
        self.name, params = parse_signature(declaration)
        types, names = [], []
        for param in params:
            type_, _, name = param.strip().rpartition(" ")
            if not type_ or not name.isidentifier():
                raise ValueError(f"event parameter without a name in {declaration!r}: {param!r}")
            types.append(type_.strip())
            names.append(name)
        if len(set(names)) != len(names) or not 0 <= indexed <= min(3, len(types)):
            raise ValueError(f"bad event declaration {declaration!r} (indexed={indexed})")
        self.types: tuple[str, ...] = tuple(types)
        self.names: tuple[str, ...] = tuple(names)
        self.indexed = indexed
        self.signature = f"{self.name}({','.join(types)})"
        self.topic = int.from_bytes(keccak(self.signature.encode()), "big")

    def encode(self, values: tuple) -> tuple[list[int], bytes]:
        if len(values) != len(self.types):
            raise TypeError(f"{self.signature} takes {len(self.types)} values, got {len(values)}")
        topics = [self.topic] + [_topic(v) for v in values[:self.indexed]]
        return topics, encode(list(self.types[self.indexed:]), list(values[self.indexed:]))

    def decode(self, topics: tuple[int, ...], data: bytes) -> tuple:
        """The values back from a log of this event (topics include topic 0). An indexed argument
        of a dynamic type (string, bytes, array) is only its keccak in the log: it comes back as
        those 32 bytes."""
        if len(topics) != 1 + self.indexed or topics[0] != self.topic:
            raise ValueError(f"not a log of {self.signature}")
        values = [
            topic.to_bytes(32, "big") if _dynamic(type_) else decode([type_], topic.to_bytes(32, "big"))[0]
            for type_, topic in zip(self.types, topics[1:])
        ]
        return tuple(values) + tuple(decode(list(self.types[self.indexed:]), data))


def _dynamic(type_: str) -> bool:
    return type_ in ("string", "bytes") or type_.endswith("]") or type_.startswith("(")


def _topic(value) -> int:
    return int.from_bytes(value, "big") if isinstance(value, bytes) else int(value)


class Precompile:
    """A py-evm precompile (callable: computation -> computation) built from a module object."""

    def __init__(self, address: bytes, module: object) -> None:
        self.address = address
        self.module = module
        self.functions: dict[bytes, Function] = functions_of(module)

    def __call__(self, computation: ComputationAPI) -> ComputationAPI:
        try:
            self._dispatch(computation)
        except VMError:
            raise
        except CallError as exc:
            computation.output = encode_error(exc.reason)
            raise Revert(computation.output) from None
        except Exception as exc:
            log.exception("precompile_fault", address="0x" + self.address.hex())
            raise PrecompileFault(f"precompile 0x{self.address.hex()}: {type(exc).__name__}: {exc}") from exc
        return computation

    def _dispatch(self, computation: ComputationAPI) -> None:
        msg = computation.msg
        if msg.code_address != self.address or msg.storage_address != self.address:
            raise CallError("only CALL and STATICCALL reach this precompile, not DELEGATECALL or CALLCODE")
        data = msg.data_as_bytes
        function = self.functions.get(data[:4])
        if function is None:
            raise CallError(f"unknown function selector 0x{data[:4].hex()}")
        if msg.value and not function.payable:
            raise CallError(f"{function.signature.split('(')[0]} does not accept CMT")
        if msg.is_static and not function.view:
            raise CallError(f"{function.signature.split('(')[0]} changes state: not allowed in a static call")
        computation.consume_gas(function.gas, reason=function.signature)
        try:
            args = function.decode_args(data[4:])
        except Exception:
            raise CallError(f"malformed arguments for {function.signature}") from None
        context = CallContext(computation, self.address, writable=not function.view)
        computation.output = function.encode_result(function.handler(self.module, context, *args))


PrecompileMap = dict[bytes, Callable[[ComputationAPI], ComputationAPI]]
