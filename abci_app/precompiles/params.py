"""Module parameters from the genesis app_state: one reading rule for every precompile module."""

from dataclasses import fields
from typing import TypeVar

P = TypeVar("P")


def params_from_json(cls: type[P], doc: dict, label: str) -> P:
    """`cls` (a frozen dataclass of ints with a `validate()` method) from a JSON object of
    snake_case keys whose values are integers or decimal strings. Missing keys keep their
    defaults; unknown keys, booleans, fractions and negatives are refused (ValueError)."""
    if not isinstance(doc, dict):
        raise ValueError(f"{label} params must be an object")
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(doc) - known)
    if unknown:
        raise ValueError(f"unknown {label} params: {', '.join(unknown)}")
    values = {}
    for name, value in doc.items():
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{label} param {name} must be a non-negative integer, got {value!r}")
        values[name] = value
    params = cls(**values)
    params.validate()
    return params


def params_to_json(params) -> dict:
    return {f.name: getattr(params, f.name) for f in fields(params)}
