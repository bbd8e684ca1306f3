"""Identity claims (DESIGN.md §7): the identity precompile at 0x...CC06.

Anyone may register as an attester by bonding CMT; an attester issues claims (subject, claimType,
expiry, dataHash) and revokes them; a subject may drop a claim about itself; contracts and groups
ask hasClaim(subject, claimType, attester). Only hashes are stored, never personal data. Leaving
returns the bond and ends every claim of that registration.

The middleware boundary (abci_app/middleware/__init__.py): NAME, ADDRESS, PRECOMPILE,
parse_params, params_json, init_genesis, owed; plus `state_view` for tests and queries.
"""

from ...precompiles import Precompile, Storage
from . import solvency
from .calls import IdentityCalls
from .events import EVENTS
from .params import IdentityParams
from .state import ADDRESS, IdentityState

NAME = "identity"
EVENT_PREFIX = "identity"   # its logs become ABCI events "identity.<name>" (app/events.py)
PRECOMPILE = Precompile(ADDRESS, IdentityCalls())


def parse_params(doc: dict) -> IdentityParams:
    """The genesis section `app_state.identity` (ValueError if bad; unknown keys refused)."""
    return IdentityParams.from_json(doc)


def params_json(params: IdentityParams) -> dict:
    return params.to_json()


def init_genesis(state, params: IdentityParams) -> None:
    """Store the params; there are no attesters, claims or funds at genesis."""
    IdentityState(Storage(state, ADDRESS)).set_params(params)


def state_view(state) -> IdentityState:
    """Identity records in a py-evm state, read-only."""
    return IdentityState(Storage(state, ADDRESS, writable=False))


def owed(state) -> dict[str, int]:
    """What its records in a py-evm state owe, by kind, in wei (solvency.py; read-only)."""
    return solvency.owed(state_view(state))


__all__ = ["ADDRESS", "EVENTS", "EVENT_PREFIX", "NAME", "PRECOMPILE",
           "IdentityParams", "IdentityState", "init_genesis", "owed",
           "params_json", "parse_params", "state_view"]
