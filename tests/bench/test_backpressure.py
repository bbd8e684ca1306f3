"""The end-to-end load generator waits when CometBFT's mempool is full, and refuses other errors."""

import pytest

from abci_app.bench import levels


class FullThenFree:
    """A CometBFT RPC whose mempool takes only the first tx of each batch until `full_posts` ran out."""

    def __init__(self, full_posts: int, error: str = "mempool is full: number of txs 5000 (max: 5000)"):
        self.full_posts, self.error, self.posts = full_posts, error, []

    def _post(self, what, batch):
        self.posts.append([item["params"]["tx"] for item in batch])
        answers = []
        for item in batch:
            if self.full_posts and item["id"] > 0:
                answers.append({"jsonrpc": "2.0", "id": item["id"], "error": {"code": -32603, "data": self.error}})
            else:
                answers.append({"jsonrpc": "2.0", "id": item["id"], "result": {}})
        self.full_posts = max(0, self.full_posts - 1)
        return list(reversed(answers))   # batch answers may come in any order


def test_a_full_mempool_is_waited_out(monkeypatch):
    monkeypatch.setattr(levels, "MEMPOOL_FULL_BACKOFF_S", 0)
    txs = [b"tx-%d" % i for i in range(25)]
    rpc, sent = FullThenFree(full_posts=3), {}
    levels._broadcast_async(rpc, txs, sent)
    assert set(sent) == set(txs)                         # every tx got in, once the mempool had room
    assert len(rpc.posts) > 3                            # by posting the refused ones again


def test_other_refusals_stop_the_run(monkeypatch):
    rpc = FullThenFree(full_posts=1, error="tx too large")
    with pytest.raises(RuntimeError, match="tx too large"):
        levels._broadcast_async(rpc, [b"a", b"b"], {})


def test_no_more_than_a_window_is_in_flight(monkeypatch):
    """A batch waits while `window` txs are sent and not yet committed."""
    asked = []

    def in_flight():
        asked.append(1)
        return 8 if len(asked) <= 3 else 0      # full for the first three looks, then committed

    rpc, sent = FullThenFree(full_posts=0), {}
    levels._broadcast_async(rpc, [b"x-%d" % i for i in range(5)], sent, in_flight, window=8)
    assert len(asked) >= 4 and len(sent) == 5 and len(rpc.posts) == 1
