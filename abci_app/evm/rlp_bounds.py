"""A bound on RLP nesting, checked before untrusted bytes reach the RLP decoder.

The decoder recurses natively, one level per nested list: a list nested ~30,000 deep in a
100 KB transaction kills the process (a segfault, not an exception). This scan walks the item
headers iteratively, in one pass, and refuses any framing the decoder would refuse anyway (a
length past the end of its enclosing list or of the input), so whatever it accepts the decoder
meets at most `max_depth` levels deep.
"""

SHORT_STRING = 0x80
LONG_STRING = 0xB8
SHORT_LIST = 0xC0
LONG_LIST = 0xF8


class RLPNestingError(ValueError):
    """The bytes nest lists deeper than allowed, or their framing is broken."""


def check_rlp_nesting(data: bytes, max_depth: int) -> None:
    """Raise RLPNestingError unless every list in `data` (a sequence of RLP items) nests at most
    `max_depth` deep and every item fits inside its enclosing list and the input."""
    ends = [len(data)]  # where the enclosing lists end, innermost last; the input is the outermost
    position = 0
    while position < len(data):
        while position == ends[-1]:
            ends.pop()
        header, length, is_list = _header(data, position)
        end = position + header + length
        if end > ends[-1]:
            raise RLPNestingError(f"item at byte {position} runs past its enclosing list")
        if not is_list:
            position = end
            continue
        if len(ends) > max_depth:
            raise RLPNestingError(f"lists nested deeper than {max_depth} levels")
        position += header
        if length:
            ends.append(end)


def _header(data: bytes, position: int) -> tuple[int, int, bool]:
    """(header length, payload length, is a list) of the item at `position`."""
    prefix = data[position]
    if prefix < SHORT_STRING:
        return 0, 1, False
    if prefix < LONG_STRING:
        return 1, prefix - SHORT_STRING, False
    if prefix < SHORT_LIST:
        return _long_form(data, position, prefix - LONG_STRING + 1, False)
    if prefix < LONG_LIST:
        return 1, prefix - SHORT_LIST, True
    return _long_form(data, position, prefix - LONG_LIST + 1, True)


def _long_form(data: bytes, position: int, size_bytes: int, is_list: bool) -> tuple[int, int, bool]:
    size = data[position + 1:position + 1 + size_bytes]
    if len(size) < size_bytes:
        raise RLPNestingError(f"truncated length at byte {position}")
    return 1 + size_bytes, int.from_bytes(size, "big"), is_list
