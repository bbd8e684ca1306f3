"""Ads parameters, fixed at genesis in `app_state.ads` (defaults shown)."""

from dataclasses import dataclass

from ...precompiles.params import params_from_json, params_to_json

MAX_CONTENT_LIMIT = 65_536   # a content limit above this would make a campaign cost more than a block
MAX_INBOX_LIMIT = 10_000     # bounds per-user storage whatever the genesis says


@dataclass(frozen=True, slots=True)
class AdsParams:
    max_content_bytes: int = 1_024   # UTF-8 bytes of a campaign's content
    max_inbox: int = 100             # pending messages a user may hold; sendMessage beyond: "inbox full"
    answer_seconds: int = 30 * 24 * 3600  # after this, anyone may expire an unanswered message

    @classmethod
    def from_json(cls, doc: dict) -> "AdsParams":
        return params_from_json(cls, doc, "ads")

    def validate(self) -> None:
        if not 1 <= self.max_content_bytes <= MAX_CONTENT_LIMIT:
            raise ValueError(f"ads param max_content_bytes must be between 1 and {MAX_CONTENT_LIMIT}")
        if not 1 <= self.max_inbox <= MAX_INBOX_LIMIT:
            raise ValueError(f"ads param max_inbox must be between 1 and {MAX_INBOX_LIMIT}")
        if not 1 <= self.answer_seconds < 2**32:
            raise ValueError("ads param answer_seconds must be between 1 and 2**32 - 1")

    def to_json(self) -> dict:
        return params_to_json(self)
