"""The RLP scan that runs before the decoder (evm/rlp_bounds.py): it refuses exactly what nests
too deep or holds too many items, and never refuses what the decoder accepts."""

import rlp
from hypothesis import given, settings
from hypothesis import strategies as st

from abci_app.evm.rlp_bounds import RLPNestingError, check_rlp_nesting

items = st.recursive(st.binary(max_size=70), lambda children: st.lists(children, max_size=5), max_leaves=30)


def depth_and_count(item) -> tuple[int, int]:
    if isinstance(item, bytes):
        return 0, 1
    inner = [depth_and_count(child) for child in item]
    return 1 + max((d for d, _ in inner), default=0), 1 + sum(c for _, c in inner)


def accepted(data: bytes, max_depth: int, max_items: int) -> bool:
    try:
        check_rlp_nesting(data, max_depth, max_items)
    except RLPNestingError:
        return False
    return True


@settings(max_examples=300, derandomize=True)
@given(items, st.integers(0, 6), st.integers(1, 60))
def test_refuses_exactly_what_is_too_deep_or_too_large(item, max_depth, max_items):
    depth, count = depth_and_count(item)
    assert accepted(rlp.encode(item), max_depth, max_items) == (depth <= max_depth and count <= max_items)


@settings(max_examples=500, derandomize=True)
@given(st.binary(max_size=40))
def test_whatever_the_decoder_accepts_the_scan_accepts(data):
    try:
        rlp.decode(data)
    except rlp.DecodingError:
        return
    assert accepted(data, 64, 10_000)


def test_a_typed_envelope_is_a_byte_then_a_list():
    envelope = b"\x02" + rlp.encode([b"a", [b"b"]])  # 5 items, 2 deep
    assert accepted(envelope, 2, 5)
    assert not accepted(envelope, 1, 5)
    assert not accepted(envelope, 2, 4)


def test_framing_past_the_end_is_refused():
    assert not accepted(bytes([0xC3, 0x01, 0x02]), 4, 10)           # a list longer than the input
    assert not accepted(bytes([0xC2, 0xC3, 0x01, 0x02, 0x03]), 4, 10)  # a child past its parent
    assert not accepted(bytes([0xB9, 0x01]), 4, 10)                 # a truncated long length
