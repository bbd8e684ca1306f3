"""A blocking ABCI socket client playing CometBFT's side of the wire: Request frames out
(pipelined), Response frames back in request order. The benchmark's socket level drives our
server with it, and the tests speak the protocol through it. Responses come back as they are,
ResponseException included: what to make of one is the caller's business.
"""

import socket
import threading

from ..abci import types
from .framing import FrameDecoder, encode_frame

FLUSH = types.Request(flush=types.RequestFlush())
READ_CHUNK_BYTES = 1 << 16


class WireClient:
    def __init__(self, port: int, timeout_s: float, host: str = "127.0.0.1") -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout_s)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.decoder = FrameDecoder()
        self.ready: list[bytes] = []

    def send(self, *requests: types.Request) -> None:
        self.sock.sendall(b"".join(encode_frame(r.SerializeToString()) for r in requests))

    def receive(self, count: int) -> list[types.Response]:
        """The next `count` responses; ConnectionError if the server closes before."""
        while len(self.ready) < count:
            chunk = self.sock.recv(READ_CHUNK_BYTES)
            if not chunk:
                raise ConnectionError(f"the ABCI server closed the connection after {len(self.ready)} "
                                      f"of {count} responses")
            self.ready.extend(self.decoder.feed(chunk))
        bodies, self.ready = self.ready[:count], self.ready[count:]
        return [types.Response.FromString(body) for body in bodies]

    def pipeline(self, requests: list[types.Request]) -> list[types.Response]:
        """Send every request and a Flush, read all the responses; returns them without the
        Flush's. Many requests are sent from a thread while this one reads, so neither side's
        socket buffers can fill up and stall the other."""
        if len(requests) == 1:  # the server answers only once the whole frame is in
            self.send(*requests, FLUSH)
            responses = self.receive(2)
        else:
            sender = threading.Thread(target=self.send, args=(*requests, FLUSH), daemon=True)
            sender.start()
            responses = self.receive(len(requests) + 1)
            sender.join()
        if responses[-1].WhichOneof("value") != "flush":
            raise RuntimeError(f"expected the Flush response last, got {responses[-1].WhichOneof('value')}")
        return responses[:-1]

    def call(self, request: types.Request) -> types.Response:
        return self.pipeline([request])[0]

    def close(self) -> None:
        self.sock.close()
