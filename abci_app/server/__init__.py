"""ABCI transports: serve an `abci_app.abci.Application` to CometBFT over socket or gRPC.

Wire only: this package knows the ABCI vocabulary and nothing of the chain behind it.
"""

from .grpc import GrpcServer, serve_grpc
from .socket import SocketServer, serve_socket

__all__ = ["GrpcServer", "SocketServer", "serve_grpc", "serve_socket"]
