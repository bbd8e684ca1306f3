"""What the ads precompile owes (DESIGN.md §6: its balance must cover it), by kind of record.

Exact: a campaign's deposit is always budget + reserved + spent + refunded (rules.py), and what
was spent or refunded has left the balance, so the balance equals what is owed unless someone
forces CMT in (a self-destructing contract can).
"""

from .records import PENDING
from .state import AdsState


def owed(st: AdsState) -> dict[str, int]:
    """Wei owed: every campaign's unreserved budget (to the advertiser at close) and the reward of
    every message still pending (to the user, or back to the campaign), counted from the
    messages themselves."""
    budgets = sum(st.campaign(i).budget_wei for i in range(1, st.campaign_count + 1))
    reserved = 0
    for message_id in range(1, st.message_count + 1):
        message = st.message(message_id)
        if message.status == PENDING:
            reserved += message.reward_wei
    return {"budgets": budgets, "reserved": reserved}
