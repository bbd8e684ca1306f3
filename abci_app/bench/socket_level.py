"""The ABCI socket level: our real socket server in its own process, driven as CometBFT drives it.

The server is a child Python process (`python -m abci_app.bench.socket_level DB`): the
Application on a fresh RocksDB behind `SocketServer` on a free 127.0.0.1 port, as `miles app`
serves it. This process is the consensus engine: a mempool connection pipelines CheckTx for a
block's txs (then Flush), and a consensus connection sends FinalizeBlock then Commit, every
message framed (uvarint length) protobuf. Separate processes, as with CometBFT, so the client's
own protobuf work is not billed to the app; the difference from the application level is
framing, protobuf and asyncio. PrepareProposal / ProcessProposal are not sent (the application
level does not call them either). Setup blocks go the same way before the clock starts.
"""

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from google.protobuf.timestamp_pb2 import Timestamp

from ..abci import types
from ..app.driver import GENESIS_TIME_S
from ..server.client import WireClient
from .supply import db_supply
from .workloads import Workload

TIMEOUT_S = 60
CHAIN_ID = "miles-bench-socket"




class SocketChain:
    """The consensus engine's side: CheckTx on a mempool connection, blocks on a consensus one,
    queries on a query connection (CometBFT's three busy connections)."""

    def __init__(self, port: int) -> None:
        self.mempool, self.consensus, self.queries = (WireClient(port, TIMEOUT_S) for _ in range(3))
        self.height = 0

    @staticmethod
    def _answered(client: WireClient, requests: list[types.Request]) -> list[types.Response]:
        """The responses; a ResponseException (a bug in the app) stops the benchmark."""
        responses = client.pipeline(requests)
        for response in responses:
            if response.WhichOneof("value") == "exception":
                raise RuntimeError(f"the app answered ResponseException: {response.exception.error}")
        return responses

    def init_chain(self, app_state: dict) -> None:
        self._answered(self.consensus, [types.Request(info=types.RequestInfo(version="0.38"))])
        self._answered(self.consensus, [types.Request(init_chain=types.RequestInitChain(
            chain_id=CHAIN_ID, app_state_bytes=json.dumps(app_state).encode(), initial_height=1,
            time=Timestamp(seconds=GENESIS_TIME_S)))])

    def check(self, txs: list[bytes]) -> None:
        kind = types.CheckTxType.NEW
        responses = self._answered(self.mempool, [types.Request(check_tx=types.RequestCheckTx(tx=raw, type=kind))
                                                  for raw in txs])
        refused = [r.check_tx.log for r in responses if r.check_tx.code != 0]
        if refused:
            raise RuntimeError(f"{len(refused)} benchmark txs refused by CheckTx over the socket: {refused[0]}")

    def block(self, txs: list[bytes]) -> None:
        """FinalizeBlock then Commit, as CometBFT sends them (each followed by a Flush)."""
        self.height += 1
        [finalized] = self._answered(self.consensus, [types.Request(finalize_block=types.RequestFinalizeBlock(
            txs=txs, height=self.height, time=Timestamp(seconds=GENESIS_TIME_S + self.height),
            hash=self.height.to_bytes(32, "big"), proposer_address=b"\x01" * 20))])
        self._answered(self.consensus, [types.Request(commit=types.RequestCommit())])
        results = finalized.finalize_block.tx_results
        failed = [r.log for r in results if r.code != 0]
        if len(results) != len(txs) or failed:
            raise RuntimeError(f"{len(failed)} benchmark txs failed in FinalizeBlock over the socket: {failed[:1]}")

    def run_blocks(self, blocks: list[list[bytes]]) -> float:
        """CheckTx then FinalizeBlock + Commit per block; returns the FinalizeBlock + Commit seconds."""
        block_s = 0.0
        for block in blocks:
            self.check(block)
            started = time.perf_counter()
            self.block(block)
            block_s += time.perf_counter() - started
        return block_s

    def query_json(self, path: str) -> dict:
        [answer] = self._answered(self.queries, [types.Request(query=types.RequestQuery(path=path))])
        response = answer.query
        if response.code != 0:
            raise RuntimeError(f"query {path} refused: {response.log}")
        return json.loads(response.value)

    def close(self) -> None:
        for client in (self.mempool, self.consensus, self.queries):
            client.close()


def peak_rss_mib_of(pid: int) -> float:
    """A live process's peak resident set (Linux /proc VmHWM, in KiB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


class ServerProcess:
    """The socket server in a child process; it stops (and closes its DB) when its stdin closes."""

    def __init__(self, db: Path, log_path: Path) -> None:
        self.log_path = log_path
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "abci_app.bench.socket_level", str(db)],
                                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log)
        line = self.process.stdout.readline()
        if not line.startswith(b"port "):
            self.stop()
            raise RuntimeError(f"the socket server did not start: {self.log_tail()}")
        self.port = int(line.split()[1])

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-2000:]

    def stop(self) -> None:
        try:
            self.process.stdin.close()
            code = self.process.wait(TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise RuntimeError("the socket server did not stop when asked") from None
        if code != 0:
            raise RuntimeError(f"the socket server exited with {code}: {self.log_tail()}")


def measure_socket(workload: Workload, block_txs: int) -> dict:
    """Every figure of one run of `workload` through the ABCI socket."""
    from .levels import folder_bytes, run_figures

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "db"
        server = ServerProcess(db, Path(tmp) / "server.log")
        try:
            chain = SocketChain(server.port)
            try:
                chain.init_chain(workload.genesis())
                chain.run_blocks(workload.setup)
                size_before = folder_bytes(db)
                started = time.perf_counter()
                block_s = chain.run_blocks(workload.blocks(block_txs))
                elapsed = time.perf_counter() - started
                size_after = folder_bytes(db)
                peak_rss = peak_rss_mib_of(server.process.pid)
            finally:
                chain.close()
        finally:
            server.stop()
        audit = db_supply(db)  # /supply, every balance and solvency, on the stopped server's state
    return {**run_figures(len(workload.timed), block_txs, elapsed, block_s, peak_rss, size_after - size_before),
            **audit}


def serve(db: str) -> None:
    """The child: serve a fresh Application on a free port; print `port N`; stop at stdin's end."""
    import asyncio
    import logging

    from ..app.application import Application
    from ..logs import configure_logging
    from ..server.socket import SocketServer

    configure_logging("json", level=logging.WARNING)
    app = Application(db)

    async def main() -> None:
        server = SocketServer(app, "127.0.0.1", 0)
        await server.start()
        print(f"port {server.port}", flush=True)
        try:
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.buffer.read)
        finally:
            await server.stop()

    try:
        asyncio.run(main())
    finally:
        app.close()


if __name__ == "__main__":
    serve(sys.argv[1])
