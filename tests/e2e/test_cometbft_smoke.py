"""The base Application behind our servers makes blocks and commits a tx with the real cometbft
binary: proof that the hand-written protos and both transports speak CometBFT v0.38.25's wire
format, whichever of app and node starts first."""

import asyncio

import pytest

from abci_app.abci import Application
from abci_app.server import serve_grpc, serve_socket

from ..server.loop_thread import LoopThread
from .cometbft import HOST, CometNode, free_port, proxy_app_address

SERVE = {"socket": serve_socket, "grpc": serve_grpc}
# What cometbft logs while it waits for an app that is not listening yet.
WAITING_FOR_APP = {"socket": "failed to connect", "grpc": "Waiting for echo"}
READY_TIMEOUT_S = 10
TARGET_HEIGHT = 3
TX_TIMEOUT_S = 15


async def start_serving(abci: str, port: int) -> asyncio.Task:
    """Start `serve_<abci>` as a task; return it once the port is ready (or raise its error)."""
    ready = asyncio.Event()
    task = asyncio.create_task(SERVE[abci](Application(), HOST, port, ready=ready))
    waiter = asyncio.create_task(ready.wait())
    await asyncio.wait({task, waiter}, timeout=READY_TIMEOUT_S, return_when=asyncio.FIRST_COMPLETED)
    waiter.cancel()
    if task.done():
        task.result()
    if not ready.is_set():
        raise TimeoutError(f"{abci} server not ready after {READY_TIMEOUT_S}s")
    return task


async def stop_serving(task: asyncio.Task) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


@pytest.fixture
def loop_thread():
    thread = LoopThread()
    yield thread
    thread.close()


@pytest.mark.e2e
@pytest.mark.parametrize("app_first", [True, False], ids=["app_first", "cometbft_first"])
@pytest.mark.parametrize("abci", ["socket", "grpc"])
def test_cometbft_makes_blocks_with_the_base_application(tmp_path, loop_thread, abci, app_first):
    port = free_port()
    node = CometNode(tmp_path / "cometbft", proxy_app_address(abci, port), abci)
    server = None
    try:
        if app_first:
            server = loop_thread.run(start_serving(abci, port))
        node.start()
        if not app_first:
            node.wait_for_log(WAITING_FOR_APP[abci])
            server = loop_thread.run(start_serving(abci, port))
        assert node.wait_for_height(TARGET_HEIGHT) >= TARGET_HEIGHT
        committed = node.rpc(f"broadcast_tx_commit?tx=0x{b'smoke'.hex()}", timeout_s=TX_TIMEOUT_S)
        assert committed["check_tx"]["code"] == committed["tx_result"]["code"] == 0
        assert int(committed["height"]) > TARGET_HEIGHT
    finally:
        node.stop()
        if server is not None:
            loop_thread.run(stop_serving(server))
