"""Geo-fenced coupons (DESIGN.md §7): the coupons precompile at 0x...CC02.

A sponsor escrows CMT for a campaign of coupons around a place; users claim one each from inside
the radius (optionally with a location attester's signature); holders may transfer coupons and
redeem them before the end, which pays the merchant; after the end the sponsor takes back what
was not redeemed. The boundary (abci_app/middleware/__init__.py): NAME, ADDRESS, PRECOMPILE,
parse_params, params_json, init_genesis, owed.
"""

from ...precompiles import Precompile, Storage
from . import solvency
from .calls import EVENTS, CouponsCalls
from .params import CouponsParams, params_json, parse_params
from .state import ADDRESS, CouponsState

NAME = "coupons"
EVENT_PREFIX = "coupon"   # its logs become ABCI events "coupon.<name>" (app/events.py)
PRECOMPILE = Precompile(ADDRESS, CouponsCalls())


def init_genesis(state, params: CouponsParams) -> None:
    """Store the genesis params in the precompile's own storage (no campaigns, no funds)."""
    CouponsState(Storage(state, ADDRESS)).set_params(params)


def state_view(state) -> CouponsState:
    """Coupons records in a py-evm state, read-only (for tests and queries)."""
    return CouponsState(Storage(state, ADDRESS, writable=False))


def owed(state) -> dict[str, int]:
    """What its records in a py-evm state owe, by kind, in wei (solvency.py; read-only)."""
    return solvency.owed(state_view(state))


__all__ = ["ADDRESS", "EVENTS", "EVENT_PREFIX", "NAME", "PRECOMPILE",
           "CouponsParams", "CouponsState", "init_genesis", "owed", "params_json",
           "parse_params", "state_view"]
