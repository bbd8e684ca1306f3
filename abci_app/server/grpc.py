"""The ABCI gRPC transport (`cometbft node --abci grpc --proxy_app host:port`), on grpc.aio.

Service `tendermint.abci.ABCI`, one unary RPC per call. The handlers run on one event loop and
call the synchronous application without awaiting in between, so calls never overlap even
though CometBFT's four clients call concurrently. A Query is awaited (`query_async`: the app may
answer it in another process) while the other calls go on. An application exception becomes status
INTERNAL, which CometBFT treats like ResponseException and stops.

CometBFT dials `host:port` with no scheme: grpc-go would read `tcp://` as an unknown resolver.
"""

import asyncio
import inspect

import grpc
import structlog

from ..abci import Application, types
from ..abci.proto.tendermint.abci import types_pb2_grpc
from .framing import MAX_FRAME_BYTES
from .lifecycle import serve_until_cancelled

log = structlog.get_logger(__name__)

# gRPC refuses messages over 4 MiB by default; a FinalizeBlock carries a whole block.
SERVER_OPTIONS = (
    ("grpc.max_receive_message_length", MAX_FRAME_BYTES),
    ("grpc.max_send_message_length", MAX_FRAME_BYTES),
)


class _Servicer(types_pb2_grpc.ABCIServicer):
    """Routes each RPC to the application method of the same name in snake_case."""

    def __init__(self, app: Application) -> None:
        self._app = app

    async def _call(self, kind: str, request, context: grpc.aio.ServicerContext, method=None):
        try:
            response = (method or getattr(self._app, kind))(request)
            if inspect.isawaitable(response):
                response = await response
            if response is None:
                raise TypeError(f"{kind} returned no response")
            return response
        except Exception as exc:
            log.exception("abci_app_failed", call=kind)
            await context.abort(grpc.StatusCode.INTERNAL, f"{kind}: {type(exc).__name__}: {exc}")

    async def Flush(self, request, context):
        return types.ResponseFlush()

    async def Echo(self, request, context):
        return await self._call("echo", request, context)

    async def Info(self, request, context):
        return await self._call("info", request, context)

    async def InitChain(self, request, context):
        return await self._call("init_chain", request, context)

    async def Query(self, request, context):
        return await self._call("query", request, context, self._app.query_async)

    async def CheckTx(self, request, context):
        return await self._call("check_tx", request, context)

    async def Commit(self, request, context):
        return await self._call("commit", request, context)

    async def ListSnapshots(self, request, context):
        return await self._call("list_snapshots", request, context)

    async def OfferSnapshot(self, request, context):
        return await self._call("offer_snapshot", request, context)

    async def LoadSnapshotChunk(self, request, context):
        return await self._call("load_snapshot_chunk", request, context)

    async def ApplySnapshotChunk(self, request, context):
        return await self._call("apply_snapshot_chunk", request, context)

    async def PrepareProposal(self, request, context):
        return await self._call("prepare_proposal", request, context)

    async def ProcessProposal(self, request, context):
        return await self._call("process_proposal", request, context)

    async def ExtendVote(self, request, context):
        return await self._call("extend_vote", request, context)

    async def VerifyVoteExtension(self, request, context):
        return await self._call("verify_vote_extension", request, context)

    async def FinalizeBlock(self, request, context):
        return await self._call("finalize_block", request, context)


class GrpcServer:
    """Serves one application over gRPC on host:port (port 0: any free); start inside a loop."""

    def __init__(self, app: Application, host: str, port: int) -> None:
        self._app = app
        self._address = f"{host}:{port}"
        self._server: grpc.aio.Server | None = None
        self.port: int | None = None

    async def start(self) -> None:
        self._server = grpc.aio.server(options=SERVER_OPTIONS)
        types_pb2_grpc.add_ABCIServicer_to_server(_Servicer(self._app), self._server)
        self.port = self._server.add_insecure_port(self._address)
        if self.port == 0:
            raise OSError(f"cannot listen on {self._address}")
        await self._server.start()
        log.info("abci_grpc_listening", address=self._address, port=self.port)

    async def stop(self, grace_s: float | None = None) -> None:
        await self._server.stop(grace_s)


async def serve_grpc(app: Application, host: str, port: int, *, ready: asyncio.Event | None = None) -> None:
    """Serve `app` until cancelled; `ready` is set once the port accepts connections."""
    await serve_until_cancelled(GrpcServer(app, host, port), ready)
