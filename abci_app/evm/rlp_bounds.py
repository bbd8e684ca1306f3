"""Bounds on RLP, checked before untrusted bytes reach the RLP decoder.

The decoder recurses natively, one level per nested list: a list nested ~30,000 deep in a
100 KB transaction kills the process (a segfault, not an exception). And it builds a Python
object per item: 128 KiB of empty lists is 131,000 of them, before anything can refuse them.
This scan walks the item headers iteratively, in one pass, and refuses nesting deeper than
`max_depth`, more than `max_items` items, and any framing the decoder would refuse anyway (a
length past the end of its enclosing list or of the input), so whatever it accepts the decoder
meets at most `max_depth` levels deep and `max_items` items large.
"""

SHORT_STRING = 0x80
LONG_STRING = 0xB8
SHORT_LIST = 0xC0
LONG_LIST = 0xF8


class RLPNestingError(ValueError):
    """The bytes nest lists too deep, hold too many items, or their framing is broken."""


def check_rlp_nesting(data: bytes, max_depth: int, max_items: int) -> None:
    """Raise RLPNestingError unless `data` (a sequence of RLP items) nests lists at most
    `max_depth` deep, holds at most `max_items` items, and every item fits inside its enclosing
    list and the input."""
    ends = [len(data)]  # where the enclosing lists end, innermost last; the input is the outermost
    position, items = 0, 0
    while position < len(data):
        while position == ends[-1]:
            ends.pop()
        items += 1
        if items > max_items:
            raise RLPNestingError(f"more than {max_items} RLP items")
        prefix = data[position]
        if prefix < SHORT_STRING:
            position += 1
            continue
        if prefix < LONG_STRING:
            header, length = 1, prefix - SHORT_STRING
        elif prefix < SHORT_LIST:
            header, length = _long_form(data, position, prefix - LONG_STRING + 1)
        elif prefix < LONG_LIST:
            header, length = 1, prefix - SHORT_LIST
        else:
            header, length = _long_form(data, position, prefix - LONG_LIST + 1)
        end = position + header + length
        if end > ends[-1]:
            raise RLPNestingError(f"item at byte {position} runs past its enclosing list")
        if prefix < SHORT_LIST:
            position = end
            continue
        if len(ends) > max_depth:
            raise RLPNestingError(f"lists nested deeper than {max_depth} levels")
        position += header
        if length:
            ends.append(end)


def _long_form(data: bytes, position: int, size_bytes: int) -> tuple[int, int]:
    """(header length, payload length) of a long-form string or list header."""
    size = data[position + 1:position + 1 + size_bytes]
    if len(size) < size_bytes:
        raise RLPNestingError(f"truncated length at byte {position}")
    return 1 + size_bytes, int.from_bytes(size, "big")
