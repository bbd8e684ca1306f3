"""Ads parameters, fixed at genesis in `app_state.ads` (defaults shown)."""

from dataclasses import dataclass, fields

MAX_CONTENT_LIMIT = 65_536   # a content limit above this would make a campaign cost more than a block
MAX_INBOX_LIMIT = 10_000     # bounds per-user storage whatever the genesis says


@dataclass(frozen=True, slots=True)
class AdsParams:
    max_content_bytes: int = 1_024   # UTF-8 bytes of a campaign's content
    max_inbox: int = 100             # pending messages a user may hold; sendMessage beyond: "inbox full"
    answer_seconds: int = 30 * 24 * 3600  # after this, anyone may expire an unanswered message

    @classmethod
    def from_json(cls, doc: dict) -> "AdsParams":
        """From genesis JSON (snake_case keys, integers or decimal strings); unknown keys refused."""
        if not isinstance(doc, dict):
            raise ValueError("ads params must be an object")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(doc) - known)
        if unknown:
            raise ValueError(f"unknown ads params: {', '.join(unknown)}")
        values = {}
        for name, value in doc.items():
            if isinstance(value, str) and value.isdigit():
                value = int(value)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"ads param {name} must be an integer, got {value!r}")
            values[name] = value
        params = cls(**values)
        params.validate()
        return params

    def validate(self) -> None:
        if not 1 <= self.max_content_bytes <= MAX_CONTENT_LIMIT:
            raise ValueError(f"ads param max_content_bytes must be between 1 and {MAX_CONTENT_LIMIT}")
        if not 1 <= self.max_inbox <= MAX_INBOX_LIMIT:
            raise ValueError(f"ads param max_inbox must be between 1 and {MAX_INBOX_LIMIT}")
        if not 1 <= self.answer_seconds < 2**32:
            raise ValueError("ads param answer_seconds must be between 1 and 2**32 - 1")

    def to_json(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}
