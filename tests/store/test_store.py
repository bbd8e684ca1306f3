"""The store: atomic batches, and an overlay that keeps a block in memory until Commit."""

from abci_app.store import Overlay, Store
from abci_app.store.keys import state_key


def test_write_batch_puts_and_deletes_together(tmp_path):
    store = Store(str(tmp_path / "db"))
    store.write({b"a": b"1", b"b": b"2"})
    store.write({b"c": b"3", b"a": None}, deletes=[b"b"])
    assert (store.get(b"a"), store.get(b"b"), store.get(b"c")) == (None, None, b"3")
    store.close()
    reopened = Store(str(tmp_path / "db"))
    assert reopened.get(b"c") == b"3"
    reopened.close()


def test_overlay_reads_its_own_writes_and_touches_disk_only_on_flush(tmp_path):
    store = Store(str(tmp_path / "db"))
    store.write({state_key(b"old"): b"committed"})
    overlay = Overlay(store)
    with overlay.atomic_batch() as batch:
        batch[b"new"] = b"pending"
    assert overlay[b"new"] == b"pending" and overlay[b"old"] == b"committed"
    assert store.get(state_key(b"new")) is None
    del overlay[b"old"]
    assert not overlay.exists(b"old")
    assert store.get(state_key(b"old")) == b"committed"
    store.write(overlay.pending())
    assert store.get(state_key(b"new")) == b"pending" and store.get(state_key(b"old")) is None
    store.close()


def test_a_failed_batch_leaves_the_overlay_untouched(tmp_path):
    store = Store(str(tmp_path / "db"))
    overlay = Overlay(store)
    try:
        with overlay.atomic_batch() as batch:
            batch[b"k"] = b"v"
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert overlay.pending() == {}
    store.close()
