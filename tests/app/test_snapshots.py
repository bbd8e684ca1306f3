"""State sync: snapshots every `snapshot_interval` blocks, restored into a fresh node exactly as
CometBFT drives it (OfferSnapshot, LoadSnapshotChunk from the provider, ApplySnapshotChunk).

The source chain's blocks call a probe contract that stores BLOCKHASH(NUMBER - 5), so a node
restored with other block hashes than the chain's would compute other app hashes."""

import hashlib
import json
import threading
import time

import pytest
import rlp
from eth_hash.auto import keccak
from rlp.codec import length_prefix

from abci_app.abci import types
from abci_app.app import AppSettings, Application, codes, snapshots
from abci_app.app.driver import GENESIS_TIME_S
from abci_app.app.genesis import parse_genesis
from abci_app.contracts import load_contract
from abci_app.store import keys as store_keys

from ..chain import Chain, app_state, transfer

RECIPIENT = "0x" + "be" * 20
SETTINGS = AppSettings(snapshot_interval=5, snapshot_keep=2, keep_recent=0)
INCREMENT = keccak(b"increment()")[:4]
# Runtime: SSTORE(NUMBER, BLOCKHASH(NUMBER - 5)); the init code returns those 8 bytes.
PROBE_RUNTIME = bytes.fromhex("6005430340435500")
PROBE_INIT = bytes.fromhex("6008600c6000396008" "6000f3") + PROBE_RUNTIME
Offer = types.ResponseOfferSnapshot
Apply = types.ResponseApplySnapshotChunk


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    monkeypatch.setattr(snapshots, "CHUNK_BYTES", 2048)   # several chunks from a small state


def _contract(chain: Chain, deploy: bytes) -> str:
    return json.loads(chain.query("/tx/0x" + keccak(deploy).hex()).value)["contract_address"]


def _next_txs(chain: Chain, keys, counter: str, height: int) -> list[bytes]:
    """Transfers from two keys to a fresh address, a probe call and a Counter increment, at the
    senders' nonces."""
    def nonce(key) -> int:
        return chain.account(key.address)["nonce"]
    txs = [transfer(key, nonce(key), "0x" + f"{height:02x}" * 20, 1000 + height) for key in keys[2:]]
    probe = _contract(chain, _probe_deploy(keys))
    return txs + [transfer(keys[1], nonce(keys[1]), probe, 0, gas=100_000),
                  transfer(keys[0], nonce(keys[0]), counter, 0, gas=200_000, data=INCREMENT)]


def _probe_deploy(keys) -> bytes:
    return transfer(keys[2], 0, "", 0, gas=200_000, data=PROBE_INIT)


def _source(path: str, keys, height: int = 12, settings: AppSettings = SETTINGS,
            step=None) -> tuple[Chain, str, dict[int, list[bytes]]]:
    """A chain with a Counter and a probe deploy, transfers, probe calls and increments, run to
    `height` (each block by `step`, by default one that waits for the snapshots); its blocks' txs."""
    step = step or _settled
    chain = Chain.start(path, app_state(keys))
    chain.app.settings = settings
    deploy = transfer(keys[0], 0, "", 0, gas=2_000_000, data=load_contract("Counter").bytecode)
    blocks = {1: [deploy, transfer(keys[1], 0, RECIPIENT, 7), _probe_deploy(keys)]}
    assert all(r.code == 0 for r in step(chain, blocks[1]))
    counter = _contract(chain, deploy)
    for number in range(2, height + 1):
        blocks[number] = _next_txs(chain, keys, counter, number)
        assert all(r.code == 0 for r in step(chain, blocks[number])), number
    return chain, counter, blocks


def _settled(chain: Chain, txs: list[bytes]) -> list[types.ExecTxResult]:
    """chain.block, then the snapshot it started is built (in its own thread) before going on."""
    results = chain.block(txs)
    assert chain.app.snapshotter.wait(60)
    return results


def _offer(app: Application, snapshot: types.Snapshot, app_hash: bytes) -> int:
    return app.offer_snapshot(types.RequestOfferSnapshot(snapshot=snapshot, app_hash=app_hash)).result


def _chunk(app: Application, height: int, index: int) -> bytes:
    return app.load_snapshot_chunk(types.RequestLoadSnapshotChunk(height=height, format=snapshots.FORMAT,
                                                                  chunk=index)).chunk


def _apply(app: Application, index: int, chunk: bytes, sender: str = "peer-a") -> types.ResponseApplySnapshotChunk:
    return app.apply_snapshot_chunk(types.RequestApplySnapshotChunk(index=index, chunk=chunk, sender=sender))


def _listed(app: Application) -> dict[int, types.Snapshot]:
    return {s.height: s for s in app.list_snapshots(types.RequestListSnapshots()).snapshots}


def _state_sync(source: Chain, target: Application, height: int) -> list[int]:
    """What CometBFT does: offer the snapshot with the light-client app hash, then every chunk in order."""
    snapshot = _listed(source.app)[height]
    assert _offer(target, snapshot, source.app_hashes[height]) == Offer.ACCEPT
    return [_apply(target, index, _chunk(source.app, height, index)).result for index in range(snapshot.chunks)]


def _forged(source: Chain, height: int, chunks: list[bytes]) -> types.Snapshot:
    """A snapshot of `chunks` with metadata and hash that match them (as a lying provider would send)."""
    return snapshots.describe(height, source.app_hashes[height], chunks).to_abci()


def _source_chunks(source: Chain, height: int) -> list[bytes]:
    return [_chunk(source.app, height, i) for i in range(_listed(source.app)[height].chunks)]


def _block_code(app: Application, height: int) -> int:
    return app.query(types.RequestQuery(path=f"/block/{height}")).code


def _queries(app: Application, counter: str, height: int = 0) -> list[bytes]:
    paths = [f"/account/{RECIPIENT}", f"/account/{counter}", f"/code/{counter}", f"/storage/{counter}/0",
             "/supply", "/validators", "/params"]
    answers = [app.query(types.RequestQuery(path=path, height=height)) for path in paths]
    assert all(answer.code == 0 for answer in answers), [a.log for a in answers]
    return [answer.value for answer in answers]


@pytest.fixture
def pair(tmp_path, keys):
    """A source chain with snapshots up to height 10, and a fresh app to restore them into."""
    source, _, _ = _source(str(tmp_path / "source"), keys, height=10)
    target = Application(str(tmp_path / "target"))
    yield source, target
    source.app.close()
    target.close()


def test_snapshots_every_interval_keep_the_newest_two(tmp_path, keys):
    source, _, _ = _source(str(tmp_path / "source"), keys)
    try:
        listed = _listed(source.app)
        assert sorted(listed) == [5, 10]
        for height, snapshot in listed.items():
            assert snapshot.format == snapshots.FORMAT and snapshot.chunks > 3
            app_hash, hashes = rlp.decode(snapshot.metadata)
            assert app_hash == source.app_hashes[height]
            assert [hashlib.sha256(_chunk(source.app, height, i)).digest() for i in range(snapshot.chunks)] == hashes
            assert snapshot.hash == hashlib.sha256(b"".join(hashes)).digest()
            assert all(len(_chunk(source.app, height, i)) <= 2048 for i in range(1, snapshot.chunks))
        assert _chunk(source.app, 10, listed[10].chunks) == b""      # unknown chunk, height, format
        assert _chunk(source.app, 7, 0) == b""
        other_format = types.RequestLoadSnapshotChunk(height=10, format=snapshots.FORMAT + 1, chunk=0)
        assert source.app.load_snapshot_chunk(other_format).chunk == b""
        for _ in range(3):
            _settled(source, [])
        assert sorted(_listed(source.app)) == [10, 15]
        assert not list(source.app.store.keys(store_keys.SNAPSHOT_CHUNK + (5).to_bytes(8, "big")))  # chunks too
    finally:
        source.app.close()


def test_commit_returns_before_the_snapshot_is_built_and_later_blocks_and_pruning_do_not_change_it(
        tmp_path, keys, monkeypatch):
    """The builder of the snapshot at 5 is held after its chunk 0 while the chain commits five
    more blocks and prunes the state of 5 away (keep_recent 2). Commit never waits for it, the
    interval at 10 is skipped rather than queued, nothing unfinished is listed or served, and
    the snapshot, once built from its read view, is byte for byte the one of a node that waited
    for it, and restores."""
    twin, _, _ = _source(str(tmp_path / "twin"), keys, height=5)
    held, release = threading.Event(), threading.Event()
    build = snapshots.build

    def held_build(*args):
        chunks = build(*args)
        yield next(chunks)
        held.set()
        release.wait(60)
        yield from chunks
    monkeypatch.setattr(snapshots, "build", held_build)
    settings = AppSettings(snapshot_interval=5, snapshot_keep=2, keep_recent=2)
    chain, _, _ = _source(str(tmp_path / "source"), keys, height=10, settings=settings,
                          step=lambda chain, txs: chain.block(txs))
    target = Application(str(tmp_path / "target"))
    try:
        assert held.wait(10) and not chain.app.snapshotter.wait(0)       # still building 5
        assert chain.app.height == 10 and chain.app_hashes[:6] == twin.app_hashes
        assert chain.app.store.get(store_keys.state_key(chain.app_hashes[5])) is None     # pruned
        assert _listed(chain.app) == {} and _chunk(chain.app, 5, 0) == b""
        release.set()
        assert chain.app.snapshotter.wait(60)
        assert _listed(chain.app) == _listed(twin.app) and sorted(_listed(chain.app)) == [5]
        assert _source_chunks(chain, 5) == _source_chunks(twin, 5)
        assert _state_sync(chain, target, 5)[-1] == Apply.ACCEPT
        assert target.info(types.RequestInfo()).last_block_app_hash == twin.app_hashes[5]
    finally:
        release.set()
        chain.app.close()
        twin.app.close()
        target.close()


def test_a_snapshot_steps_aside_for_blocks_and_closing_stops_it_unlisted(tmp_path, keys, monkeypatch):
    """A block in progress (FinalizeBlock to the end of Commit) pauses the builder; closing the
    app stops it there. The unfinished snapshot is never listed nor served, and the next snapshot
    deletes its chunks."""
    monkeypatch.setattr(snapshots, "PAUSE_S", 60.0)
    block_done = snapshots.Snapshotter.block_done
    monkeypatch.setattr(snapshots.Snapshotter, "block_done", lambda self: None)   # block 5 never ends
    path = str(tmp_path / "db")
    chain = Chain.start(path, app_state(keys))
    chain.app.settings = SETTINGS
    for nonce in range(5):
        chain.block([transfer(keys[0], nonce, RECIPIENT, 1)])
    partial = store_keys.snapshot_chunk_key(5, 0)
    for _ in range(200):
        if chain.app.store.get(partial) is not None:
            break
        time.sleep(0.05)
    assert chain.app.store.get(partial) is not None and not chain.app.snapshotter.wait(0.2)   # paused
    started = time.perf_counter()
    chain.app.close()
    assert time.perf_counter() - started < 5
    monkeypatch.setattr(snapshots.Snapshotter, "block_done", block_done)
    chain.app = Application(path, settings=SETTINGS)
    try:
        assert _listed(chain.app) == {} and _chunk(chain.app, 5, 0) == b""
        assert chain.app.store.get(partial) is not None
        for nonce in range(5, 10):
            _settled(chain, [transfer(keys[0], nonce, RECIPIENT, 1)])
        assert sorted(_listed(chain.app)) == [10]
        assert {key[len(store_keys.SNAPSHOT_CHUNK):][:8] for key in chain.app.store.keys(store_keys.SNAPSHOT_CHUNK)} \
            == {(10).to_bytes(8, "big")}
    finally:
        chain.app.close()


def test_a_failed_snapshot_is_logged_and_the_chain_goes_on(tmp_path, keys, monkeypatch):
    chain = Chain.start(str(tmp_path / "db"), app_state(keys))
    chain.app.settings = SETTINGS

    def broken(*args):
        raise OSError("disk trouble")
    monkeypatch.setattr(snapshots, "build", broken)
    try:
        for nonce in range(6):
            assert _settled(chain, [transfer(keys[0], nonce, RECIPIENT, 1)])[0].code == 0
        assert chain.app.height == 6 and _listed(chain.app) == {}
    finally:
        chain.app.close()


def test_a_fresh_node_restores_the_snapshot_and_follows_the_chain(tmp_path, keys):
    source, counter, blocks = _source(str(tmp_path / "source"), keys)
    target = Application(str(tmp_path / "target"), settings=SETTINGS)
    try:
        assert target.info(types.RequestInfo()).last_block_height == 0
        results = _state_sync(source, target, 10)
        assert results == [Apply.ACCEPT] * len(results) and len(results) > 3
        info = target.info(types.RequestInfo())
        assert (info.last_block_height, info.last_block_app_hash) == (10, source.app_hashes[10])
        assert info.app_version == source.app.info(types.RequestInfo()).app_version
        assert list(target._recent_hashes) == [hashlib.sha256(b"block-%d" % h).digest() for h in range(1, 11)]
        assert _queries(target, counter) == _queries(source.app, counter, height=10)

        # the restored node executes the chain's next blocks to the same app hashes
        follower = Chain(target, height=10, time_s=GENESIS_TIME_S + 10)
        for height in (11, 12):
            assert [r.code for r in _settled(follower, blocks[height])] == [0] * len(blocks[height])
            assert follower.app_hashes[-1] == source.app_hashes[height]

        # it keeps records only of the blocks it executed (none of what no app hash proves), and says so
        assert [_block_code(target, h) for h in (1, 10, 11, 12)] == [codes.QUERY_PRUNED] * 2 + [0, 0]
        logs = target.query(types.RequestQuery(path="/logs", data=b'{"from": 1, "to": 12}'))
        assert logs.code == codes.QUERY_PRUNED and "from height 11" in logs.log
        logs = target.query(types.RequestQuery(path="/logs", data=b'{"from": 11, "to": 12}'))
        assert logs.code == 0 and json.loads(logs.value)["logs"]
        for height in range(13, 17):
            txs = _next_txs(source, keys, counter, height)
            assert [r.code for r in _settled(source, txs)] == [r.code for r in _settled(follower, txs)] == [0] * 4
            assert follower.app_hashes[-1] == source.app_hashes[-1]
        assert _queries(target, counter) == _queries(source.app, counter)

        # its own snapshot at 15 is the source's, byte for byte
        assert _listed(target)[15] == _listed(source.app)[15]
        assert _source_chunks(source, 15) == [_chunk(target, 15, i) for i in range(_listed(target)[15].chunks)]

        # a restart takes up the restored state from disk
        target.close()
        target = Application(str(tmp_path / "target"), settings=SETTINGS)
        info = target.info(types.RequestInfo())
        assert (info.last_block_height, info.last_block_app_hash) == (16, source.app_hashes[16])
        assert list(target._recent_hashes) == [hashlib.sha256(b"block-%d" % h).digest() for h in range(1, 17)]
        follower.app = target
        txs = _next_txs(source, keys, counter, 17)
        _settled(source, txs)
        _settled(follower, txs)
        assert follower.app_hashes[-1] == source.app_hashes[-1]
    finally:
        source.app.close()
        target.close()


def test_a_node_killed_at_any_step_of_a_restore_restarts_into_it(tmp_path, keys):
    """Killed (the Application dropped unfinished, a new one opened on its RocksDB) after the
    offer, after chunk 0, after half the chunks and after the restore's final write, each time
    before CometBFT recorded the restore: CometBFT offers the snapshot again at every start and
    the node takes it. Once CometBFT has recorded it, a restart resumes at the snapshot height
    and the next blocks are the chain's (their probe calls read block hashes from before it)."""
    source, _, blocks = _source(str(tmp_path / "source"), keys)
    path = str(tmp_path / "target")
    snapshot, chunks = _listed(source.app)[10], _source_chunks(source, 10)
    target = Application(path)
    try:
        for applied in (0, 1, len(chunks) // 2, len(chunks)):
            assert _offer(target, snapshot, source.app_hashes[10]) == Offer.ACCEPT
            assert [_apply(target, i, chunks[i]).result for i in range(applied)] == [Apply.ACCEPT] * applied
            target.close()
            target = Application(path)
        info = target.info(types.RequestInfo())
        assert (info.last_block_height, info.last_block_app_hash) == (10, source.app_hashes[10])
        assert _state_sync(source, target, 10) == [Apply.ACCEPT] * len(chunks)   # CometBFT is still at 0

        target.close()                       # killed after CometBFT recorded the restore
        target = Application(path)
        info = target.info(types.RequestInfo())
        assert (info.last_block_height, info.last_block_app_hash) == (10, source.app_hashes[10])
        follower = Chain(target, height=10, time_s=GENESIS_TIME_S + 10)
        for height in (11, 12):
            assert [r.code for r in _settled(follower, blocks[height])] == [0] * len(blocks[height])
            assert follower.app_hashes[-1] == source.app_hashes[height]
        assert _offer(target, snapshot, source.app_hashes[10]) == Offer.ABORT    # confirmed now
    finally:
        source.app.close()
        target.close()


def test_an_unconfirmed_restore_gives_way_to_an_older_snapshot(tmp_path, keys):
    """Killed after restoring 10 before CometBFT recorded it; at the next start only the snapshot
    at 5 is offered: the node restores it and executes the chain's blocks from 6."""
    source, _, blocks = _source(str(tmp_path / "source"), keys)
    path = str(tmp_path / "target")
    target = Application(path)
    try:
        _state_sync(source, target, 10)
        target.close()
        target = Application(path)
        assert _state_sync(source, target, 5)[-1] == Apply.ACCEPT
        assert target.info(types.RequestInfo()).last_block_height == 5
        follower = Chain(target, height=5, time_s=GENESIS_TIME_S + 5)
        for height in range(6, 13):
            _settled(follower, blocks[height])
            assert follower.app_hashes[-1] == source.app_hashes[height], height
    finally:
        source.app.close()
        target.close()


def test_two_nodes_fed_the_same_blocks_make_identical_snapshots(tmp_path, keys):
    first, _, _ = _source(str(tmp_path / "first"), keys, height=10)
    second, _, _ = _source(str(tmp_path / "second"), keys, height=10)
    try:
        assert _listed(first.app) == _listed(second.app)
        for height in (5, 10):
            assert _source_chunks(first, height) == _source_chunks(second, height)
    finally:
        first.app.close()
        second.app.close()


def test_a_corrupted_chunk_is_refetched_from_another_peer(pair):
    source, target = pair
    chunks = _source_chunks(source, 10)
    assert _offer(target, _listed(source.app)[10], source.app_hashes[10]) == Offer.ACCEPT
    assert _apply(target, 0, chunks[0]).result == Apply.ACCEPT
    bad = bytearray(chunks[1])
    bad[-1] ^= 1
    answer = _apply(target, 1, bytes(bad), sender="peer-bad")
    assert answer.result == Apply.RETRY
    assert list(answer.refetch_chunks) == [1] and list(answer.reject_senders) == ["peer-bad"]
    results = [_apply(target, i, chunks[i], sender="peer-good").result for i in range(1, len(chunks))]
    assert results == [Apply.ACCEPT] * (len(chunks) - 1)
    assert target.info(types.RequestInfo()).last_block_app_hash == source.app_hashes[10]


def test_an_entry_that_is_not_content_addressed_rejects_the_snapshot(pair):
    source, target = pair
    chunks = _source_chunks(source, 10)
    entries = rlp.decode(chunks[2])
    entries[0][1] = entries[0][1] + b"\x00"                  # same key, another value
    chunks[2] = rlp.encode(entries)
    assert _offer(target, _forged(source, 10, chunks), source.app_hashes[10]) == Offer.ACCEPT
    assert [_apply(target, i, chunks[i]).result for i in range(3)] == [Apply.ACCEPT, Apply.ACCEPT,
                                                                         Apply.REJECT_SNAPSHOT]
    assert _apply(target, 3, chunks[3]).result == Apply.ABORT     # nothing in progress any more
    assert target.info(types.RequestInfo()).last_block_height == 0


def test_a_snapshot_missing_state_is_rejected_after_the_last_chunk(pair):
    source, target = pair
    chunks = _source_chunks(source, 10)
    entries = rlp.decode(chunks[-1])
    chunks[-1] = rlp.encode(entries[:-1])                     # one trie node (or code) left out
    assert _offer(target, _forged(source, 10, chunks), source.app_hashes[10]) == Offer.ACCEPT
    results = [_apply(target, i, chunk).result for i, chunk in enumerate(chunks)]
    assert results == [Apply.ACCEPT] * (len(chunks) - 1) + [Apply.REJECT_SNAPSHOT]
    info = target.info(types.RequestInfo())
    assert (info.last_block_height, info.last_block_app_hash) == (0, b"")
    # the next (honest) snapshot restores over the leftovers
    assert _state_sync(source, target, 10)[-1] == Apply.ACCEPT
    assert target.info(types.RequestInfo()).last_block_app_hash == source.app_hashes[10]


def _forge_chunk_0(source: Chain, height: int, change) -> tuple[types.Snapshot, list[bytes]]:
    """The honest snapshot with chunk 0's fields changed by `change`, its metadata and hash made to
    match: what a provider who controls all but the light client's app hash can send."""
    chunks = _source_chunks(source, height)
    fields = rlp.decode(chunks[0])
    change(fields)
    chunks[0] = rlp.encode(fields)
    return _forged(source, height, chunks), chunks


@pytest.mark.parametrize("name, value", [("chain_id", 7), ("min_gas_price_wei", 1), ("block_gas_limit", 10**12),
                                         ("max_tx_bytes", 1 << 24)])
def test_a_chunk_0_with_a_forged_genesis_is_refused(pair, name, value):
    """Chain id and params as execution reads them, in the canonical form an honest node stores:
    the state records the genesis hash, so the restore is refused once the state is complete."""
    source, target = pair

    def change(fields):
        doc = json.loads(fields[2])
        (doc if name == "chain_id" else doc["params"])[name] = value
        fields[2] = parse_genesis(json.dumps(doc).encode()).to_json()
    snapshot, chunks = _forge_chunk_0(source, 10, change)
    assert _offer(target, snapshot, source.app_hashes[10]) == Offer.ACCEPT
    results = [_apply(target, i, chunk).result for i, chunk in enumerate(chunks)]
    assert results == [Apply.ACCEPT] * (len(chunks) - 1) + [Apply.REJECT_SNAPSHOT]
    assert target.info(types.RequestInfo()).last_block_height == 0
    assert _state_sync(source, target, 10)[-1] == Apply.ACCEPT     # the honest one restores over it
    assert target.genesis == source.app.genesis


def test_a_chunk_0_with_forged_block_hashes_is_refused(pair):
    """Format 1 carried the last blocks' records, hashes included, unproven in chunk 0; now the
    state holds the hashes, and a chunk 0 that brings any is refused."""
    source, target = pair

    def change(fields):
        records = [{"hash": hashlib.sha256(b"forged-%d" % h).hexdigest(), "height": h, "time_s": GENESIS_TIME_S + h,
                    "app_hash": source.app_hashes[h].hex(), "gas_used": 0, "txs": [], "proposer": "01" * 20}
                   for h in range(1, 11)]
        fields[3:] = [[[h["height"], json.dumps(h, sort_keys=True).encode()] for h in records]]
    snapshot, chunks = _forge_chunk_0(source, 10, change)
    assert _offer(target, snapshot, source.app_hashes[10]) == Offer.ACCEPT
    assert _apply(target, 0, chunks[0]).result == Apply.REJECT_SNAPSHOT


def test_a_chunk_0_for_another_height_is_refused(pair):
    source, target = pair

    def change(fields):
        fields[0] = 9
    snapshot, chunks = _forge_chunk_0(source, 10, change)
    assert _offer(target, snapshot, source.app_hashes[10]) == Offer.ACCEPT
    assert _apply(target, 0, chunks[0]).result == Apply.REJECT_SNAPSHOT


def _nested(depth: int, inner: bytes = b"\xc0") -> bytes:
    """`inner` inside `depth` RLP lists, built without recursion."""
    for _ in range(depth):
        inner = length_prefix(len(inner), 0xC0) + inner
    return inner


def test_rlp_nested_too_deep_is_refused_before_it_is_decoded(pair):
    """The RLP decoder recurses natively: 30,000 nested lists would crash the process."""
    source, target = pair
    deep = _nested(30_000)
    snapshot = _listed(source.app)[10]
    app_hash, hashes = rlp.decode(snapshot.metadata)
    payload = rlp.encode(app_hash) + _nested(1, deep)
    bomb = types.Snapshot(height=10, format=snapshots.FORMAT, chunks=snapshot.chunks, hash=snapshot.hash,
                          metadata=length_prefix(len(payload), 0xC0) + payload)
    assert _offer(target, bomb, source.app_hashes[10]) == Offer.REJECT
    for index in (0, 1):
        chunks = _source_chunks(source, 10)
        chunks[index] = deep
        assert _offer(target, _forged(source, 10, chunks), source.app_hashes[10]) == Offer.ACCEPT
        assert [_apply(target, i, chunks[i]).result for i in range(index + 1)][-1] == Apply.REJECT_SNAPSHOT
    assert _state_sync(source, target, 10)[-1] == Apply.ACCEPT


def test_offers_that_cannot_be_restored(pair):
    source, target = pair
    snapshot = _listed(source.app)[10]
    assert _offer(target, snapshot, source.app_hashes[9]) == Offer.REJECT           # not the verified root
    assert _offer(target, snapshot, source.app_hashes[5]) == Offer.REJECT
    other = types.Snapshot(height=10, format=snapshots.FORMAT + 1, chunks=snapshot.chunks, hash=snapshot.hash,
                           metadata=snapshot.metadata)
    assert _offer(target, other, source.app_hashes[10]) == Offer.REJECT_FORMAT
    garbled = types.Snapshot(height=10, format=snapshots.FORMAT, chunks=snapshot.chunks, hash=snapshot.hash,
                             metadata=b"\xff")
    assert _offer(target, garbled, source.app_hashes[10]) == Offer.REJECT
    wrong_count = types.Snapshot(height=10, format=snapshots.FORMAT, chunks=snapshot.chunks + 1, hash=snapshot.hash,
                                 metadata=snapshot.metadata)
    assert _offer(target, wrong_count, source.app_hashes[10]) == Offer.REJECT
    assert _apply(target, 0, _chunk(source.app, 10, 0)).result == Apply.ABORT     # nothing accepted
    # a node with committed state aborts state sync rather than overwrite it
    assert _offer(source.app, snapshot, source.app_hashes[10]) == Offer.ABORT


def test_a_restored_node_prunes_across_the_snapshot_height(tmp_path, keys):
    source, _, blocks = _source(str(tmp_path / "source"), keys)
    target = Application(str(tmp_path / "target"), settings=AppSettings(keep_recent=4, snapshot_interval=0))
    try:
        _state_sync(source, target, 10)
        follower = Chain(target, height=10, time_s=GENESIS_TIME_S + 10)
        _settled(follower, blocks[11])
        _settled(follower, blocks[12])          # prunes keeping 10..12: the state of 9 was never here
        assert follower.app_hashes[-1] == source.app_hashes[12]
        before = target.query(types.RequestQuery(path="/chain", height=9))
        assert before.code == codes.QUERY_NOT_FOUND and "first state" in before.log and "10 to 12" in before.log
        assert target.query(types.RequestQuery(path="/chain", height=10)).code == 0
    finally:
        source.app.close()
        target.close()


def test_a_restored_node_counts_storage_shared_by_two_contracts_and_prunes_safely(tmp_path, keys):
    """Two Counters with equal storage share their storage trie. The restore counts its nodes
    once per contract (pruning.restored_counts), so when one contract's storage changes and the
    old trie leaves the window, the other's stays whole (counted once, it was deleted)."""
    source = Chain.start(str(tmp_path / "source"), app_state(keys))
    source.app.settings = AppSettings(snapshot_interval=3, keep_recent=0)
    code = load_contract("Counter").bytecode
    deploys = [transfer(keys[0], nonce, "", 0, gas=2_000_000, data=code) for nonce in (0, 1)]
    assert [r.code for r in _settled(source, deploys)] == [0, 0]
    first, second = (_contract(source, raw) for raw in deploys)
    assert [r.code for r in _settled(source, [transfer(keys[1], n, c, 0, gas=100_000, data=INCREMENT)
                                              for n, c in enumerate((first, second))])] == [0, 0]
    _settled(source, [])
    target = Application(str(tmp_path / "target"), settings=AppSettings(snapshot_interval=0, keep_recent=2))
    try:
        assert set(_state_sync(source, target, 3)) == {Apply.ACCEPT}
        follower = Chain(target, height=3, time_s=source.time_s)
        for nonce in range(2, 9):  # the first Counter changes every block; the old versions leave the window
            raw = transfer(keys[1], nonce, first, 0, gas=100_000, data=INCREMENT)
            assert [r.code for r in _settled(source, [raw])] == [r.code for r in follower.block([raw])] == [0]
            assert follower.app_hashes[-1] == source.app_hashes[-1]
        assert target.query(types.RequestQuery(path=f"/storage/{second}/0")).value == \
            source.app.query(types.RequestQuery(path=f"/storage/{second}/0")).value
        raw = transfer(keys[1], 9, second, 0, gas=100_000, data=INCREMENT)   # and the second still runs
        assert [r.code for r in _settled(source, [raw])] == [r.code for r in follower.block([raw])] == [0]
        assert follower.app_hashes[-1] == source.app_hashes[-1]
    finally:
        target.close()
        source.app.close()
