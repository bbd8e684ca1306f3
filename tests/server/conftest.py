"""Servers under test run on an event loop in a background thread; tests talk to them as
CometBFT does, over real sockets on 127.0.0.1 with blocking clients and bounded timeouts."""

import asyncio
import threading

import pytest

from abci_app.abci import Application, types
from abci_app.server import GrpcServer, SocketServer

from .loop_thread import LoopThread


class ScriptedApp(Application):
    """Echo and info as defaults; CheckTx of b"boom" raises; Query forgets to return, except the
    query `/slow`, answered elsewhere once `gate` is set; counts overlapping calls."""

    SLOW_WAIT_S = 10

    def query(self, req: types.RequestQuery) -> None:
        """A buggy app that builds its response and forgets to return it."""
        types.ResponseQuery(value=req.data)

    async def query_async(self, req: types.RequestQuery) -> types.ResponseQuery:
        if req.path != "/slow":
            return await super().query_async(req)
        await asyncio.to_thread(self.gate.wait, self.SLOW_WAIT_S)  # as a query worker would
        return types.ResponseQuery(value=b"slow")

    def __init__(self) -> None:
        self.active_calls = 0
        self.max_active_calls = 0
        self.gate = threading.Event()

    def check_tx(self, req: types.RequestCheckTx) -> types.ResponseCheckTx:
        self.active_calls += 1
        self.max_active_calls = max(self.max_active_calls, self.active_calls)
        try:
            if req.tx == b"boom":
                raise RuntimeError("scripted failure")
            return types.ResponseCheckTx(code=0, gas_wanted=len(req.tx))
        finally:
            self.active_calls -= 1


@pytest.fixture
def app():
    return ScriptedApp()


@pytest.fixture
def loop_thread():
    thread = LoopThread()
    yield thread
    thread.close()


@pytest.fixture
def socket_server(app, loop_thread):
    server = SocketServer(app, "127.0.0.1", 0)
    loop_thread.run(server.start())
    yield server
    loop_thread.run(server.stop())


@pytest.fixture
def grpc_server(app, loop_thread):
    server = GrpcServer(app, "127.0.0.1", 0)
    loop_thread.run(server.start())
    yield server
    loop_thread.run(server.stop())
