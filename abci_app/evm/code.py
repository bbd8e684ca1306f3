"""Contract code with its jump-destination analysis done once per code, not once per call.

py-evm decides whether a JUMP target is code or PUSH data by looking back up to 32 bytes, per
target, in every new computation: an ERC-20 transfer repeats that work for every call. Here one
linear pass marks the PUSH data bytes of a code; the marks are shared by every call of the same
code (the usual jumpdest analysis of Ethereum clients, giving the same answers).
"""

from functools import lru_cache

from eth.vm.code_stream import CodeStream
from eth.vm.opcode_values import PUSH1, PUSH32

MAX_CODE_SIZE = 24_576  # EIP-170: deployed code; initcode (up to twice that) is rarely run twice


def push_data_marks(code: bytes) -> bytes:
    """One byte per code byte: 1 where it is the data of a PUSH, 0 where it is an opcode.
    Deployed code's marks are cached (1,024 codes and their marks: at most 48 MiB)."""
    return _cached_marks(code) if len(code) <= MAX_CODE_SIZE else _marks(code)


def _marks(code: bytes) -> bytes:
    marks = bytearray(len(code))
    position = 0
    while position < len(code):
        opcode = code[position]
        if PUSH1 <= opcode <= PUSH32:
            size = opcode - PUSH1 + 1
            marks[position + 1:position + 1 + size] = b"\x01" * min(size, len(code) - position - 1)
            position += size
        position += 1
    return bytes(marks)


_cached_marks = lru_cache(maxsize=1024)(_marks)


class AnalysedCodeStream(CodeStream):
    __slots__ = ["_push_data"]

    def __init__(self, code_bytes: bytes) -> None:
        super().__init__(code_bytes)
        self._push_data = push_data_marks(code_bytes)

    def is_valid_opcode(self, position: int) -> bool:
        return position < self._length_cache and not self._push_data[position]
