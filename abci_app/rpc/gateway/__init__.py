"""The Ethereum JSON-RPC gateway: web3.py, ethers and wallets talk to the chain through it.

HTTP and WebSocket on one port. Reads go through CometBFT's RPC and `abci_query`, which answer
from a committed block (a consistent snapshot); transactions go through `broadcast_tx_sync`.
Start one with `Gateway(rpc_url, port=8545).start()` and end it with `stop()`.
"""

from .chain import CometChain
from .errors import JsonRpcError
from .methods import METHODS
from .server import DEFAULT_PORT, Gateway, dispatch

__all__ = ["DEFAULT_PORT", "METHODS", "CometChain", "Gateway", "JsonRpcError", "dispatch"]
