"""Filter ids are the specification's `uint`: 0x and hex digits without leading zeros (16 random
bytes printed at full width led with a zero one time in 16), and each one finds its filter."""

import re

from abci_app.rpc.gateway.filters import Filters

UINT = re.compile(r"^0x(0|[1-9a-f][0-9a-f]*)$")   # execution-apis base-types.yaml `uint`


def test_filter_ids_are_uints_without_leading_zeros_and_find_their_filter():
    filters = Filters(capacity=2_000)
    ids = [filters.install("blocks", None, height) for height in range(1_000)]
    assert all(UINT.match(filter_id) and len(filter_id) == 34 for filter_id in ids)
    assert len(set(ids)) == len(ids)
    assert [filters.get(filter_id).next_height for filter_id in ids] == list(range(1_000))
