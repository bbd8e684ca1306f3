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


EXACT = [name for name in workloads.NAMES if name != "marketplace"]  # the marketplace signs whole sales


@pytest.mark.parametrize("name", EXACT)
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


@pytest.mark.parametrize("name", workloads.NAMES)
@pytest.mark.parametrize("accounts", [7, 10, 13])
def test_lanes_carry_whole_senders_in_nonce_order(name, accounts):
    """In each stage, each sender's timed txs all go in one lane, in nonce order, whatever the
    sender count; the stages follow each other in the order of the timed txs."""
    workload = workloads.build(name, 61, accounts)
    stages = workload.lanes(10)
    assert sorted(raw for lanes in stages for lane in lanes for raw in lane) == sorted(workload.timed)
    first = 0
    for (txs, senders, _), lanes in zip(workload.staged(), stages, strict=True):
        assert sorted(raw for lane in lanes for raw in lane) == sorted(workload.timed[first:first + len(txs)])
        first += len(txs)
        lane_of = {}
        for index, lane in enumerate(lanes):
            for sender, nonces in _senders_and_nonces(lane).items():
                assert lane_of.setdefault(sender, index) == index, "a sender split over two lanes"
                assert nonces == list(range(nonces[0], nonces[0] + len(nonces))), "nonces out of order"
        assert len(lane_of) == len({s.lower() for s in senders})


@pytest.mark.parametrize("name", workloads.NAMES)
def test_senders_are_recorded_per_timed_tx(name):
    workload = workloads.build(name, 31, 5)
    decoded = [TX_BUILDER.decode(raw).sender for raw in workload.timed]
    assert ["0x" + s.hex() for s in decoded] == [s.lower() for s in workload.senders]


def test_campaigns_start_at_the_given_time():
    start = 1_800_000_000
    for name in ("coupons", "mix"):
        create = workloads.build(name, 12, 4, start_s=start).setup[-1][0]
        assert start.to_bytes(32, "big") in TX_BUILDER.decode(create).data, name
