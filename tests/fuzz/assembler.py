"""EVM bytecode for the fuzz harness's hostile contracts, assembled from a plan.

A hostile contract runs a list of calls (CALL, CALLCODE, DELEGATECALL or STATICCALL to a
precompile, an Ethereum precompile, another contract or itself), each with its own call data,
value and gas, then ends by stopping, reverting, hitting an invalid opcode or looping until it
runs out of gas. Nothing here is Solidity: the plans are random, so the code is too.
"""

from dataclasses import dataclass

KINDS = {"CALL": 0xF1, "CALLCODE": 0xF2, "DELEGATECALL": 0xF4, "STATICCALL": 0xFA}
ENDINGS = ("stop", "revert", "invalid", "loop")
SELF = b""  # a call's target: the contract itself (ADDRESS)

PUSH1, PUSH32, MSTORE, POP, GAS, ADDRESS = 0x60, 0x7F, 0x52, 0x50, 0x5A, 0x30
JUMP, JUMPDEST, STOP, REVERT, INVALID, ISZERO, JUMPI = 0x56, 0x5B, 0x00, 0xFD, 0xFE, 0x15, 0x57
CODECOPY, RETURN = 0x39, 0xF3


@dataclass(frozen=True)
class Call:
    kind: str            # a key of KINDS
    target: bytes        # 20 bytes, or SELF
    data: bytes          # call data (copied to memory at 0)
    value: int = 0       # CALL and CALLCODE only
    gas: int | None = None  # None: all it may forward (GAS)
    must_succeed: bool = False  # revert the whole frame if this call fails


def push(value: int) -> bytes:
    """The shortest PUSHn of a non-negative integer below 2**256."""
    size = max(1, (value.bit_length() + 7) // 8)
    return bytes([PUSH1 + size - 1]) + value.to_bytes(size, "big")


def _store(data: bytes) -> bytes:
    """MSTORE `data` at memory 0, 32 bytes at a time (the tail padded with zeros)."""
    code = b""
    for offset in range(0, len(data), 32):
        word = data[offset:offset + 32].ljust(32, b"\0")
        code += bytes([PUSH32]) + word + push(offset) + bytes([MSTORE])
    return code


def _call(call: Call, revert_at: int) -> bytes:
    code = _store(call.data)
    code += push(32) + push(0) + push(len(call.data)) + push(0)  # retLen, retOffset, argsLen, argsOffset
    if call.kind in ("CALL", "CALLCODE"):
        code += push(call.value)
    code += bytes([ADDRESS]) if call.target == SELF else push(int.from_bytes(call.target, "big"))
    code += bytes([GAS]) if call.gas is None else push(call.gas)
    code += bytes([KINDS[call.kind]])
    if call.must_succeed:
        return code + bytes([ISZERO]) + push(revert_at) + bytes([JUMPI])
    return code + bytes([POP])


def runtime(calls: list[Call], ending: str) -> bytes:
    """The contract's code: the calls in order, then `ending`; a failed must-succeed call jumps to
    a REVERT at the end (its offset found by assembling until it stops moving)."""
    revert_at, code = 0, None
    while code is None or len(code) - 6 != revert_at:
        if code is not None:
            revert_at = len(code) - 6
        body = b"".join(_call(call, revert_at) for call in calls)
        end = {"stop": bytes([STOP]),
               "revert": push(0) + push(0) + bytes([REVERT]),
               "invalid": bytes([INVALID]),
               "loop": bytes([JUMPDEST]) + push(len(body)) + bytes([JUMP])}[ending]
        code = body + end + bytes([JUMPDEST]) + push(0) + push(0) + bytes([REVERT])
    return code


def initcode(code: bytes) -> bytes:
    """Creation code that returns `code` as the contract's runtime code."""
    prefix = b""
    while True:
        again = push(len(code)) + push(len(prefix)) + push(0) + bytes([CODECOPY]) \
            + push(len(code)) + push(0) + bytes([RETURN])
        if len(again) == len(prefix):
            return again + code
        prefix = again
