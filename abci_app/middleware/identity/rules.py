"""The identity rules as pure functions: when a claim counts, and why an issue is refused.

No clock, storage or I/O: the caller passes block time and what it read. A refusal is returned as
its revert reason (None: allowed), so the order of the checks lives in one place.
"""

from .records import DROPPED, ISSUED, Attester, Claim


def is_live(claim: Claim, attester: Attester, now_s: int) -> bool:
    """hasClaim: issued (not revoked or dropped), by an attester still registered in the same
    registration, and not expired at block time."""
    return (claim.status == ISSUED and attester.registered and claim.generation == attester.generation
            and now_s < claim.expiry_s)


def is_current(claim: Claim, attester: Attester) -> bool:
    """Issued in the attester's present registration (expired or not): what it may revoke."""
    return claim.status == ISSUED and attester.registered and claim.generation == attester.generation


def issue_refusal(attester: Attester, claim: Claim, *, subject: int, claim_type: int, expiry_s: int,
                  now_s: int) -> str | None:
    """Why issueClaim must fail, or None. Issuing over a live claim renews it (new expiry and data);
    a claim its subject dropped stays dropped: the subject said no to this attester."""
    if not attester.registered:
        return "not an attester"
    if subject == 0:
        return "subject must not be the zero address"
    if claim_type == 0:
        return "claim type must not be zero"
    if expiry_s <= now_s:
        return "expiry must be in the future"
    if claim.status == DROPPED:
        return "subject dropped this claim"
    return None
