"""uvarint framing: round trips, arbitrary chunking, and the two ways a stream is garbage."""

import pytest

from abci_app.server.framing import (
    MAX_FRAME_BYTES,
    FrameDecoder,
    FramingError,
    encode_frame,
    encode_uvarint,
)

BODIES = [b"", b"a", b"x" * 127, b"y" * 128, b"z" * 300, bytes(range(256)) * 70]


def decode_all(decoder: FrameDecoder, chunks) -> list[bytes]:
    return [body for chunk in chunks for body in decoder.feed(chunk)]


@pytest.mark.parametrize(
    ("value", "encoded"),
    [(0, b"\x00"), (1, b"\x01"), (127, b"\x7f"), (128, b"\x80\x01"), (300, b"\xac\x02"),
     (2**64 - 1, b"\xff" * 9 + b"\x01")],
)
def test_uvarint_is_unsigned_not_zigzag(value, encoded):
    assert encode_uvarint(value) == encoded


def test_round_trip_one_frame_per_chunk():
    decoder = FrameDecoder()
    assert decode_all(decoder, [encode_frame(body) for body in BODIES]) == BODIES
    assert decoder.pending_bytes == 0


def test_several_frames_in_one_chunk():
    decoder = FrameDecoder()
    assert list(decoder.feed(b"".join(encode_frame(body) for body in BODIES))) == BODIES


def test_byte_by_byte():
    stream = b"".join(encode_frame(body) for body in BODIES)
    decoder = FrameDecoder()
    assert decode_all(decoder, [stream[i : i + 1] for i in range(len(stream))]) == BODIES


def test_partial_frame_waits_and_is_reported_pending():
    frame = encode_frame(b"y" * 200)
    decoder = FrameDecoder()
    assert list(decoder.feed(frame[:1])) == []
    assert list(decoder.feed(frame[1:50])) == []
    assert decoder.pending_bytes == 50
    assert list(decoder.feed(frame[50:] + frame[:3])) == [b"y" * 200]
    assert decoder.pending_bytes == 3


def test_varint_longer_than_ten_bytes_is_rejected():
    with pytest.raises(FramingError, match="overflows"):
        list(FrameDecoder().feed(b"\x80" * 11))


def test_varint_overflowing_64_bits_is_rejected():
    with pytest.raises(FramingError, match="overflows"):
        list(FrameDecoder(max_frame_bytes=2**64).feed(b"\xff" * 9 + b"\x02"))


def test_absurd_length_is_rejected_before_the_body_arrives():
    with pytest.raises(FramingError, match="limit"):
        list(FrameDecoder().feed(encode_uvarint(MAX_FRAME_BYTES + 1)))


def test_absurd_length_is_rejected_before_the_varint_ends():
    with pytest.raises(FramingError, match="limit"):
        list(FrameDecoder().feed(b"\xff" * 5))


def test_good_frames_before_garbage_are_yielded_first():
    bodies = FrameDecoder().feed(encode_frame(b"ok") + b"\x80" * 11)
    assert next(bodies) == b"ok"
    with pytest.raises(FramingError):
        next(bodies)


def test_largest_allowed_length_is_accepted():
    decoder = FrameDecoder(max_frame_bytes=1000)
    assert list(decoder.feed(encode_frame(b"q" * 1000))) == [b"q" * 1000]
