"""Pure governance rules: how a tally decides, and what a submission may say."""

import re

from .params import BPS, GovernanceParams
from .records import PASSED, REJECTED, VETOED, Tally

MAX_DEPOSITORS = 50          # per proposal: each is refunded at the end of a block
MAX_TITLE_BYTES = 140
MAX_DESCRIPTION_BYTES = 10_000
MAX_INFO_BYTES = 1_024
PLAN_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")   # also a directory name (miles start --upgrade-dir)


def outcome(t: Tally, params: GovernanceParams) -> tuple[int, str]:
    """(PASSED, REJECTED or VETOED, why), as Cosmos SDK decides: the votes must reach the quorum
    of the bonded stake; veto above its threshold of all votes vetoes; otherwise yes must exceed
    the threshold of the votes that are not abstain."""
    if t.bonded_wei == 0 or t.voted_wei * BPS < params.quorum_bps * t.bonded_wei:
        return REJECTED, "quorum not reached"
    if t.veto_wei * BPS > params.veto_threshold_bps * t.voted_wei:
        return VETOED, "vetoed"
    decisive = t.voted_wei - t.abstain_wei
    if decisive and t.yes_wei * BPS > params.threshold_bps * decisive:
        return PASSED, "passed"
    return REJECTED, "threshold not reached"


def text_refusal(title: str, description: str) -> str | None:
    if not 1 <= len(title.encode()) <= MAX_TITLE_BYTES:
        return f"title must be 1 to {MAX_TITLE_BYTES} bytes"
    if len(description.encode()) > MAX_DESCRIPTION_BYTES:
        return f"description must be at most {MAX_DESCRIPTION_BYTES} bytes"
    return None


def plan_refusal(name: str, info: str) -> str | None:
    if not PLAN_NAME.fullmatch(name):
        return "plan name must be 1 to 64 of a-z 0-9 . _ - (starting with a letter or digit)"
    if len(info.encode()) > MAX_INFO_BYTES:
        return f"plan info must be at most {MAX_INFO_BYTES} bytes"
    return None
