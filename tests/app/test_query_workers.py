"""Issue 14: queries never stall consensus. The expensive queries (query.OFFLOADED_ROUTES) run in
a query worker process reading the committed state through a RocksDB secondary: answers the
same as the app's own, a bounded queue (43 past it), a time budget (44), a worker that dies or
hangs answered (45, 44) and replaced, and nothing left running after close."""

import asyncio
import dataclasses
import json
import os
import signal
import time

import pytest
from eth_hash.auto import keccak

from abci_app.abci import types
from abci_app.app import codes, query_pool
from abci_app.app.query import OFFLOADED_ROUTES

from ..chain import transfer
from .test_history_and_logs import TRANSFER_TOPIC, _token

LOOP = {"data": "0x5b5f56"}        # JUMPDEST PUSH0 JUMP as a deployment: runs until the gas is gone
LONG_CALLS = 60_000_000            # call_gas_cap for the LOOP to outlast a budget: 10M gas is ~0.3 s
SPEND_ALL = {"data": "0x5b6113885a115f5700"}  # loop while GAS > 5000, then STOP: succeeds at any gas
BALANCE_OF = keccak(b"balanceOf(address)")[:4]


def _request(path: str, body: dict | None = None, height: int = 0) -> types.RequestQuery:
    return types.RequestQuery(path=path, data=json.dumps(body).encode() if body is not None else b"", height=height)


def _ask_all(app, *requests: types.RequestQuery) -> list[types.ResponseQuery]:
    """The answers to `requests`, all asked at once, as the ABCI servers await them."""
    async def ask():
        return await asyncio.gather(*(app.query_async(req) for req in requests))
    return asyncio.run(ask())


def _ask(app, path: str, body: dict | None = None, height: int = 0) -> types.ResponseQuery:
    return _ask_all(app, _request(path, body, height))[0]


def _start(chain, **settings):
    """The app's query workers with these settings, on a chain with a committed block (before
    the first Commit the app answers every query itself)."""
    if chain.height == 0:
        chain.block([])
    chain.app.settings = dataclasses.replace(chain.app.settings, **settings)
    chain.app.start_query_workers()
    return chain.app._queries


@pytest.fixture
def token(chain, keys):
    return _token(chain, keys)


def test_workers_answer_exactly_as_the_app_does(chain, keys, token):
    _start(chain)
    holder = keys[1].address[2:].lower().rjust(64, "0")
    requests = [
        _request("/call", {"to": token, "data": "0x" + BALANCE_OF.hex() + holder}),
        _request("/call", {"to": token, "data": "0x" + BALANCE_OF.hex() + holder}, height=1),   # older state
        _request("/call", {"to": token, "data": "0xdeadbeef"}),                                 # a revert
        _request("/call", LOOP | {"gas": 100_000}),
        _request("/estimate", {"from": keys[0].address, "to": keys[3].address, "value": "1"}),
        _request("/estimate", {"from": keys[0].address, "to": token, "data": "0x" + BALANCE_OF.hex() + holder}),
        _request("/accesslist", {"from": keys[0].address, "to": token, "data": "0x" + BALANCE_OF.hex() + holder}),
        _request("/logs", {"from": 1, "to": 3, "topics": [TRANSFER_TOPIC]}),
        _request("/solvency"),
        _request(f"/proof/{token}", ["0x0", "0x1", "0x9"], height=2),
        _request("/storages", {token: ["0x0", "0x1", "0x9"]}, height=2),
        _request("/simulate", {"blockStateCalls": [{"calls": [{"to": token, "input": "0x" + BALANCE_OF.hex() + holder}]},
                                                   {"calls": [{"from": keys[0].address, "to": keys[3].address}]}]}),
        _request("/call", {"gas": -1}),                    # refused: 41
        _request("/call", {"to": token}, height=99),       # no state at a future height: 40
        _request("/logs", {"from": 3, "to": 1}),
    ]
    assert {req.path.strip("/").partition("/")[0] for req in requests} == OFFLOADED_ROUTES
    offloaded = _ask_all(chain.app, *requests)
    for req, answer in zip(requests, offloaded):
        assert answer == chain.app.query(req), req
    assert [a.code for a in offloaded[:12]] == [0] * 12 and json.loads(offloaded[0].value)["success"]
    assert json.loads(offloaded[4].value)["gas"] == 21_000
    chain.block([transfer(keys[2], 1, keys[3].address, 5)])  # the worker follows the app's commits
    answer = _ask(chain.app, "/call", {"to": token, "data": "0x" + BALANCE_OF.hex() + holder})
    assert answer == chain.app.query(_request("/call", {"to": token, "data": "0x" + BALANCE_OF.hex() + holder}))
    assert answer.height == chain.height == 4


def test_a_query_past_its_budget_is_abandoned_and_the_worker_serves_on(chain):
    _start(chain, query_timeout_ms=300, call_gas_cap=LONG_CALLS)
    _ask(chain.app, "/call", {"gas": 100_000})  # the worker has started
    started = time.monotonic()
    answer = _ask(chain.app, "/call", LOOP)
    assert answer.code == codes.QUERY_TIMEOUT and "time budget of 0.3 s" in answer.log
    assert time.monotonic() - started < 1.5
    assert _ask(chain.app, "/call", LOOP | {"gas": 100_000}).code == 0


def test_an_estimate_pays_one_budget_for_its_whole_search(chain):
    """A call that succeeds at any gas but spends it all: the search runs it at the cap, then at
    what it used (~2 s each at 10M gas). Once 27 calls of a budget each; now one budget."""
    _start(chain, query_timeout_ms=500)
    _ask(chain.app, "/call", {"gas": 100_000})
    started = time.monotonic()
    assert _ask(chain.app, "/estimate", SPEND_ALL).code == codes.QUERY_TIMEOUT
    assert time.monotonic() - started < 1.5
    assert json.loads(_ask(chain.app, "/estimate", SPEND_ALL | {"gas": 200_000}).value)["gas"] <= 200_000


def test_past_the_queue_a_query_is_answered_busy_at_once(chain):
    _start(chain, query_queue=2, query_timeout_ms=400, call_gas_cap=LONG_CALLS)
    _ask(chain.app, "/call", {"gas": 100_000})
    answers = _ask_all(chain.app, *[_request("/call", LOOP) for _ in range(6)])
    assert sorted(a.code for a in answers) == [codes.QUERY_BUSY] * 3 + [codes.QUERY_TIMEOUT] * 3  # 1 ran, 2 waited
    busy = next(a for a in answers if a.code == codes.QUERY_BUSY)
    assert "busy" in busy.log and "app.query_queue" in busy.log
    counted = chain.app.metrics.registry.get_sample_value
    assert counted("miles_worker_queries_total", {"code": str(codes.QUERY_BUSY)}) == 3
    assert counted("miles_worker_queries_total", {"code": str(codes.QUERY_TIMEOUT)}) == 3
    assert chain.app.query(_request("/chain")).code == 0  # cheap queries are answered in the app


def test_a_worker_that_dies_answers_its_query_and_is_replaced(chain):
    pool = _start(chain, query_timeout_ms=3_000, call_gas_cap=LONG_CALLS)
    _ask(chain.app, "/call", {"gas": 100_000})
    victim = pool._workers[0].process.pid

    async def kill_during_a_call():
        asked = asyncio.ensure_future(chain.app.query_async(_request("/call", LOOP)))
        await asyncio.sleep(0.3)
        os.kill(victim, signal.SIGKILL)
        return await asked
    answer = asyncio.run(kill_during_a_call())
    assert answer.code == codes.QUERY_WORKER_FAILED and "restarted" in answer.log
    assert _ask(chain.app, "/call", {"gas": 100_000}).code == 0
    assert pool._workers[0].process.pid != victim


def test_a_worker_that_hangs_is_killed_past_the_budget_and_its_grace(chain, monkeypatch):
    """A stopped process never sees its own alarm: the app kills it."""
    monkeypatch.setattr(query_pool, "GRACE_S", 0.3)
    pool = _start(chain, query_timeout_ms=200)
    _ask(chain.app, "/call", {"gas": 100_000})
    hung = pool._workers[0].process
    os.kill(hung.pid, signal.SIGSTOP)
    started = time.monotonic()
    answer = _ask(chain.app, "/call", {"gas": 100_000})
    assert answer.code == codes.QUERY_TIMEOUT and time.monotonic() - started < 2
    assert hung.poll() is not None  # killed and reaped
    assert _ask(chain.app, "/call", {"gas": 100_000}).code == 0


def test_close_answers_every_waiting_query_and_ends_the_workers(chain):
    pool = _start(chain, query_timeout_ms=10_000)
    _ask(chain.app, "/call", {"gas": 100_000})
    worker = pool._workers[0].process
    futures = [pool.submit(_request("/call", LOOP), chain.height) for _ in range(3)]
    time.sleep(0.2)
    started = time.monotonic()
    chain.app._queries.close()
    chain.app._queries = None
    assert time.monotonic() - started < 2
    assert [f.result(timeout=1).code for f in futures] == [codes.QUERY_WORKER_FAILED] * 3
    assert worker.poll() is not None
    assert pool.submit(_request("/call", LOOP), chain.height).result(timeout=1).code == codes.QUERY_WORKER_FAILED
