"""The vocabulary shared by the servers and the application: ABCI 2.0 types and the interface.

`types` holds every message (`types.RequestCheckTx`, ...); `Application` is the base class the
servers call; `tx_wire_size` is how CometBFT counts a tx against PrepareProposal's limit.
"""

from . import types
from .application import Application, tx_wire_size

__all__ = ["Application", "tx_wire_size", "types"]
