"""Coupons parameters, fixed at genesis in `app_state.coupons` (DESIGN.md §7; defaults shown)."""

from dataclasses import dataclass

from ...precompiles.params import params_from_json, params_to_json

MAX_RADIUS_LIMIT_M = 100_000       # the distance rule is only promised accurate up to 100 km
MAX_COUPONS_LIMIT = 2**32 - 1      # maxCoupons is a uint32


@dataclass(frozen=True, slots=True)
class CouponsParams:
    max_radius_m: int = 100_000
    max_coupons: int = 100_000

    def validate(self) -> None:
        if not 1 <= self.max_radius_m <= MAX_RADIUS_LIMIT_M:
            raise ValueError(f"max_radius_m must be between 1 and {MAX_RADIUS_LIMIT_M}")
        if not 1 <= self.max_coupons <= MAX_COUPONS_LIMIT:
            raise ValueError(f"max_coupons must be between 1 and {MAX_COUPONS_LIMIT}")


def parse_params(doc: dict) -> CouponsParams:
    """From genesis JSON (integers or decimal strings); unknown keys refused (ValueError)."""
    return params_from_json(CouponsParams, doc, "coupons")


def params_json(params: CouponsParams) -> dict:
    return params_to_json(params)
