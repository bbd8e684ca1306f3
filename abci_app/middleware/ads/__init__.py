"""Opt-in ads (DESIGN.md §7): the ads precompile at 0x...CC04.

Users opt in with an interest mask, a coarse region code and a minimum reward; advertisers fund
campaigns; a message reaches only matching, opted-in users and reserves its reward; accepting pays
the user, rejecting returns the reward; closing refunds the unreserved budget.

The middleware boundary (abci_app/middleware/__init__.py): NAME, ADDRESS, PRECOMPILE,
parse_params, params_json, init_genesis, owed; plus `state_view` for tests and queries.
"""

from ...precompiles import Precompile, Storage
from . import solvency
from .calls import EVENTS, AdsCalls
from .params import AdsParams
from .state import ADDRESS, AdsState

NAME = "ads"
EVENT_PREFIX = "ads"   # its logs become ABCI events "ads.<name>" (app/events.py)
PRECOMPILE = Precompile(ADDRESS, AdsCalls())


def parse_params(doc: dict) -> AdsParams:
    """The genesis section `app_state.ads` (ValueError if bad; unknown keys refused)."""
    return AdsParams.from_json(doc)


def params_json(params: AdsParams) -> dict:
    return params.to_json()


def init_genesis(state, params: AdsParams) -> None:
    """Store the params; there are no campaigns, messages or funds at genesis."""
    AdsState(Storage(state, ADDRESS)).set_params(params)


def state_view(state) -> AdsState:
    """Ads records in a py-evm state, read-only."""
    return AdsState(Storage(state, ADDRESS, writable=False))


def owed(state) -> dict[str, int]:
    """What its records in a py-evm state owe, by kind, in wei (solvency.py; read-only)."""
    return solvency.owed(state_view(state))


__all__ = ["ADDRESS", "EVENTS", "EVENT_PREFIX", "NAME", "PRECOMPILE",
           "AdsParams", "AdsState", "init_genesis", "owed", "params_json",
           "parse_params", "state_view"]
