"""Talking to the chain from outside: a CometBFT RPC client (the Ethereum gateway comes later)."""

from .cometbft import CometRPC, RpcError

__all__ = ["CometRPC", "RpcError"]
