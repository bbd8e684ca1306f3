"""The groups rules as pure functions: what a new group must look like, and whether a joiner
qualifies. No clock, storage or I/O: the caller passes what it read (balances, the identity
answer). A refusal is returned as its revert reason (None: allowed), so the order lives here."""

from .records import APPROVAL, CLAIM, MIN_CMT, MIN_TOKEN, OPEN, RULES

MAX_NAME_BYTES = 64
MAX_CATEGORY_BYTES = 64


def create_refusal(*, name: bytes, category: bytes, rule: int, token: int, min_balance: int, attester: int,
                   claim_type: int, value_wei: int, bond_wei: int) -> str | None:
    """Why createGroup must fail, or None. Each rule uses its own fields and requires the others
    to be zero, so a group's record says exactly what admits a member."""
    if not 1 <= len(name) <= MAX_NAME_BYTES:
        return f"name must be 1 to {MAX_NAME_BYTES} bytes"
    if len(category) > MAX_CATEGORY_BYTES:
        return f"category must be at most {MAX_CATEGORY_BYTES} bytes"
    if rule not in RULES:
        return "unknown membership rule"
    used = {OPEN: (), APPROVAL: (), MIN_CMT: ("min",), MIN_TOKEN: ("token", "min"),
            CLAIM: ("attester", "type")}[rule]
    fields = {"token": token, "min": min_balance, "attester": attester, "type": claim_type}
    if "token" in used and token == 0:
        return "token must not be the zero address"
    if "min" in used and min_balance == 0:
        return "minimum balance must be positive"
    if "attester" in used and attester == 0:
        return "attester must not be the zero address"
    if "type" in used and claim_type == 0:
        return "claim type must not be zero"
    if any(v for k, v in fields.items() if k not in used):
        return "fields the rule does not use must be zero"
    if value_wei != bond_wei:
        return f"bond must be exactly {bond_wei} wei"
    return None


def balance_refusal(balance: int | None, min_balance: int, unit: str) -> str | None:
    """MIN_CMT and MIN_TOKEN at join time: the balance (None: the token did not answer) must
    reach the group's minimum."""
    if balance is None:
        return "token balance unavailable"
    if balance < min_balance:
        return f"{unit} balance below the minimum of {min_balance}"
    return None
