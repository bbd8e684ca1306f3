"""Arbitrated escrow (DESIGN.md §7): the arbitration precompile at 0x...CC03.

A buyer escrows CMT for a seller; confirming delivery releases it; either side may dispute until
the delivery deadline plus a window, paying a dispute fee. Arbiters stake CMT to join a pool; a
dispute's panel (an odd number of them) is drawn pseudo-randomly from the hash of a block after
the dispute's (DESIGN.md §8: draw.py), so nobody who sends it knows the panel; the majority of
their votes decides, the majority voters share the fee reserve, every voter a share of the
dispute fee, silent ones are penalized. Every state has a timeout that anyone may settle, so
funds never stay locked. Parties review each other afterwards.

The middleware boundary (abci_app/middleware/__init__.py): NAME, ADDRESS, PRECOMPILE,
parse_params, params_json, init_genesis, owed; plus `state_view` for tests and queries.
"""

from ...precompiles import Precompile, Storage
from . import solvency
from .calls import ArbitrationCalls
from .events import EVENTS
from .params import ArbitrationParams
from .state import ADDRESS, ArbitrationState

NAME = "arbitration"
EVENT_PREFIX = "arbitration"   # its logs become ABCI events "arbitration.<name>" (app/events.py)
PRECOMPILE = Precompile(ADDRESS, ArbitrationCalls())


def parse_params(doc: dict) -> ArbitrationParams:
    """The genesis section `app_state.arbitration` (ValueError if bad; unknown keys refused)."""
    return ArbitrationParams.from_json(doc)


def params_json(params: ArbitrationParams) -> dict:
    return params.to_json()


def init_genesis(state, params: ArbitrationParams) -> None:
    """Store the params; there are no arbiters, orders or funds at genesis."""
    ArbitrationState(Storage(state, ADDRESS)).set_params(params)


def state_view(state) -> ArbitrationState:
    """Arbitration records in a py-evm state, read-only."""
    return ArbitrationState(Storage(state, ADDRESS, writable=False))


def owed(state) -> dict[str, int]:
    """What its records in a py-evm state owe, by kind, in wei (solvency.py; read-only)."""
    return solvency.owed(state_view(state))


__all__ = ["ADDRESS", "EVENTS", "EVENT_PREFIX", "NAME", "PRECOMPILE",
           "ArbitrationParams", "ArbitrationState", "init_genesis", "owed",
           "params_json", "parse_params", "state_view"]
