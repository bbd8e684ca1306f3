"""The benchmark's workloads are what they say: counts, sizes and per-sender nonce order."""

from collections import defaultdict

import pytest

from abci_app.bench import workloads
from abci_app.bench.levels import kvstore_txs
from abci_app.evm.fork import TX_BUILDER


def _senders_and_nonces(txs: list[bytes]) -> dict[bytes, list[int]]:
    nonces = defaultdict(list)
    for raw in txs:
        tx = TX_BUILDER.decode(raw)
        nonces[tx.sender].append(tx.nonce)
    return nonces


@pytest.mark.parametrize("name", workloads.NAMES)
def test_workload_has_the_asked_count_in_nonce_order(name):
    workload = workloads.build(name, 31, 5)
    assert len(workload.timed) == 31
    for nonces in _senders_and_nonces(workload.timed).values():
        assert nonces == sorted(nonces) and len(set(nonces)) == len(nonces)
    assert [len(b) for b in workload.blocks(10)] == [10, 10, 10, 1]
    funded = {k.address.lower() for k in workload.keys}
    assert {a["address"].lower() for a in workload.genesis()["accounts"]} == funded


def test_kvstore_txs_are_distinct_and_of_the_asked_size():
    txs = kvstore_txs(100, 113)
    assert len(set(txs)) == 100 and {len(tx) for tx in txs} == {113} and all(b"=" in tx for tx in txs)
