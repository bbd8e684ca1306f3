"""Talking to the chain from outside: a CometBFT RPC client, and (in `rpc.gateway`, imported on
its own because it pulls in the EVM transaction decoder) the Ethereum JSON-RPC gateway."""

from .cometbft import CometRPC, RpcError

__all__ = ["CometRPC", "RpcError"]
