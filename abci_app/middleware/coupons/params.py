"""Coupons parameters, fixed at genesis in `app_state.coupons` (DESIGN.md §7; defaults shown)."""

from dataclasses import dataclass, fields

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
    if not isinstance(doc, dict):
        raise ValueError("coupons params must be an object")
    known = {f.name for f in fields(CouponsParams)}
    unknown = sorted(set(doc) - known)
    if unknown:
        raise ValueError(f"unknown coupons params: {', '.join(unknown)}")
    values = {}
    for name, value in doc.items():
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"coupons param {name} must be an integer, got {value!r}")
        values[name] = value
    params = CouponsParams(**values)
    params.validate()
    return params


def params_json(params: CouponsParams) -> dict:
    return {f.name: getattr(params, f.name) for f in fields(params)}
