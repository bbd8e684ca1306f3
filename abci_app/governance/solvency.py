"""What governance's records owe: the deposits of open proposals. The account's balance above
them is the community pool, owed to no one until a vote spends it."""

from .state import GovernanceState


def owed(gov: GovernanceState) -> dict[str, int]:
    return {"deposits": gov.funds_wei}
