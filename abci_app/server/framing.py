"""ABCI socket framing: each message is `uvarint(len(body)) || body`.

CometBFT v0.38 writes the length as an UNSIGNED varint (v0.34 used a signed zigzag one, so a
0.34 peer's lengths decode here as twice their size). TCP delivers arbitrary chunks, so the
decoder buffers and yields whole bodies only.
"""

from collections.abc import Iterator

# CometBFT itself allows 2 GiB, but its largest message is FinalizeBlock, bounded by the hard
# block size limit of 100 MB (types.MaxBlockSizeBytes): anything much larger is garbage.
MAX_FRAME_BYTES = 128 * 1024 * 1024
MAX_VARINT_BYTES = 10


class FramingError(ValueError):
    """The byte stream is not a sequence of ABCI frames; the connection cannot be resynchronised."""


def encode_uvarint(value: int) -> bytes:
    if value < 0:
        raise ValueError(f"uvarint of a negative number: {value}")
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def encode_frame(body: bytes) -> bytes:
    return encode_uvarint(len(body)) + body


class FrameDecoder:
    """Incremental decoder: `feed` any chunk, get the bodies it completes, in order."""

    def __init__(self, max_frame_bytes: int = MAX_FRAME_BYTES) -> None:
        self._buffer = bytearray()
        self._max_frame_bytes = max_frame_bytes

    @property
    def pending_bytes(self) -> int:
        """Bytes of an incomplete frame; non-zero at end of stream means it was truncated."""
        return len(self._buffer)

    def feed(self, data: bytes) -> Iterator[bytes]:
        """Buffer `data` and return an iterator over the complete bodies now available.

        Bodies before a malformed length are yielded before FramingError is raised, so the
        caller can answer the good requests in front of the garbage.
        """
        self._buffer += data
        return self._bodies()

    def _bodies(self) -> Iterator[bytes]:
        while True:
            header = self._read_length()
            if header is None:
                return
            length, header_size = header
            end = header_size + length
            if len(self._buffer) < end:
                return
            body = bytes(self._buffer[header_size:end])
            del self._buffer[:end]
            yield body

    def _read_length(self) -> tuple[int, int] | None:
        """(body length, header size) if the whole varint is buffered, else None."""
        value = 0
        for index, byte in enumerate(self._buffer):
            if index == MAX_VARINT_BYTES or (index == MAX_VARINT_BYTES - 1 and byte > 1):
                raise FramingError("frame length varint overflows 64 bits")
            value |= (byte & 0x7F) << (7 * index)
            if value > self._max_frame_bytes:  # a lower bound already: fail before the varint ends
                raise FramingError(f"frame length {value}+ exceeds the {self._max_frame_bytes}-byte limit")
            if byte < 0x80:
                return value, index + 1
        return None
