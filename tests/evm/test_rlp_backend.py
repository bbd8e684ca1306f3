"""pyrlp runs on rusty-rlp (its Rust codec, pinned), and stays as strict: every non-canonical
encoding a transaction could hide behind is refused, as the pure-Python codec refuses it."""

import pytest
import rlp
import rlp.codec


def test_the_rust_codec_is_in_use():
    assert hasattr(rlp.codec, "rusty_rlp")


@pytest.mark.parametrize("encoded", [
    "8105",          # a single byte below 0x80 must be itself
    "b80161",        # a long-form length for a short string
    "c18105",        # the same, inside a list
    "f80105",        # a long-form length for a short list
    "8200",          # a string shorter than its length prefix
    "c0c0",          # superfluous bytes after the item
])
def test_non_canonical_encodings_are_refused(encoded):
    with pytest.raises(rlp.DecodingError):
        rlp.decode(bytes.fromhex(encoded))


def test_round_trip():
    item = [b"", b"\x01", b"\x80", b"x" * 60, [b"a", [b"b" * 100]], []]
    assert rlp.decode(rlp.encode(item)) == item
