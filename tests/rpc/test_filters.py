"""Filter ids are the specification's `uint`: 0x and hex digits without leading zeros (16 random
bytes printed at full width led with a zero one time in 16), and each one finds its filter; the
pending-transaction filter answers what entered the mempool since its last poll."""

import re
from types import SimpleNamespace

import pytest

from abci_app.rpc.gateway import methods
from abci_app.rpc.gateway.errors import InvalidParams
from abci_app.rpc.gateway.filters import Filters

UINT = re.compile(r"^0x(0|[1-9a-f][0-9a-f]*)$")   # execution-apis base-types.yaml `uint`


def test_filter_ids_are_uints_without_leading_zeros_and_find_their_filter():
    filters = Filters(capacity=2_000)
    ids = [filters.install("blocks", None, height) for height in range(1_000)]
    assert all(UINT.match(filter_id) and len(filter_id) == 34 for filter_id in ids)
    assert len(set(ids)) == len(ids)
    assert [filters.get(filter_id).next_height for filter_id in ids] == list(range(1_000))


class MempoolChain:
    """What the pending-transaction filter asks of the node: its mempool and its height."""

    def __init__(self) -> None:
        self.filters = Filters()
        self.mempool: list[bytes] = []

    def mempool_txs(self):
        return [SimpleNamespace(hash=tx_hash) for tx_hash in self.mempool]

    def height(self) -> int:
        return 5


def test_a_pending_transaction_filter_answers_the_txs_that_entered_the_mempool_since_the_last_poll():
    chain = MempoolChain()
    a, b, c = (bytes([n]) * 32 for n in (1, 2, 3))
    chain.mempool = [a]
    filter_id = methods.new_pending_transaction_filter(chain)
    assert UINT.match(filter_id)
    assert methods.get_filter_changes(chain, filter_id) == []         # a was there before the filter
    chain.mempool = [a, b, c]
    assert methods.get_filter_changes(chain, filter_id) == ["0x" + b.hex(), "0x" + c.hex()]
    assert methods.get_filter_changes(chain, filter_id) == []
    chain.mempool = [c]                                                # a and b were committed
    assert methods.get_filter_changes(chain, filter_id) == []
    with pytest.raises(InvalidParams):
        methods.get_filter_logs(chain, filter_id)
    assert methods.uninstall_filter(chain, filter_id) is True
