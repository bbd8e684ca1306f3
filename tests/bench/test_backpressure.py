"""The end-to-end load generator waits when CometBFT's mempool is full, refuses other errors, and sends
a stage of a workload only once the previous stage is committed."""

import base64
import time

import pytest

from abci_app.bench import levels


class FullThenFree:
    """A CometBFT RPC whose mempool takes only the first tx of each batch until `full_posts` ran out."""

    def __init__(self, full_posts: int, error: str = "mempool is full: number of txs 5000 (max: 5000)"):
        self.full_posts, self.error, self.posts = full_posts, error, []

    def post_batch(self, what, batch):
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


class InstantChain:
    """A CometBFT RPC whose every abci_info makes a block of all the txs posted so far; a post
    takes `post_s` seconds."""

    def __init__(self, post_s: float = 0.0):
        self.post_s, self.pending, self.blocks, self.post_times = post_s, [], [], []

    def post_batch(self, what, batch):
        time.sleep(self.post_s)
        self.post_times.append(time.perf_counter())
        self.pending += [item["params"]["tx"] for item in batch]
        return [{"jsonrpc": "2.0", "id": item["id"], "result": {}} for item in batch]

    def call(self, method, **params):
        if method == "abci_info":
            if self.pending:
                self.blocks.append(self.pending)
                self.pending = []
            return {"response": {"last_block_height": str(len(self.blocks))}}
        txs = self.blocks[int(params["height"]) - 1]
        if method == "block":
            return {"block": {"data": {"txs": txs}}}
        return {"txs_results": [{"code": 0} for _ in txs]}  # block_results


def test_every_lane_is_sent_and_confirmed():
    lanes = [[b"lane-%d-%d" % (lane, i) for i in range(23)] for lane in range(3)]
    figures = levels.send_and_confirm(InstantChain(), [lanes])
    assert figures["txs"] == 69 and figures["tx_per_s"] > 0
    assert 0 <= figures["latency_p50_s"] <= figures["latency_p99_s"] and figures["heights"]


def test_a_stage_is_sent_once_the_previous_one_is_committed():
    stages = [[[b"%s-%d-%d" % (name, lane, i) for i in range(17)] for lane in range(3)] for name in (b"a", b"b")]
    chain = InstantChain()
    figures = levels.send_and_confirm(chain, stages)
    assert figures["txs"] == 2 * 3 * 17
    stage_of = [{base64.b64decode(tx)[:1] for tx in block} for block in chain.blocks]
    last_first = max(i for i, names in enumerate(stage_of) if b"a" in names)
    assert all(names == {b"b"} for names in stage_of[last_first + 1:]) and {b"a"} == stage_of[last_first]


def test_a_sustained_run_stops_posting_after_its_seconds():
    """--seconds: no batch is posted after the time is up; what was sent is all confirmed and counted."""
    chain = InstantChain(post_s=0.01)
    lanes = [[b"lane-%d-%d" % (lane, i) for i in range(10_000)] for lane in range(4)]
    started = time.perf_counter()
    figures = levels.send_and_confirm(chain, [lanes], seconds=0.3)
    assert time.perf_counter() - started < 5
    assert max(chain.post_times) - started < 0.3 + 0.1      # the last post began before the end
    posted = sum(len(block) for block in chain.blocks)
    assert 0 < figures["txs"] == posted < 40_000           # the rest was never sent, and not counted
