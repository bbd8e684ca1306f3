"""What the arbitration precompile owes (DESIGN.md §6: its balance must cover it), by kind of record.

Exact: an order's escrow (fee reserve included) leaves whole when it ends, the dispute fee of a
disputed order leaves when the dispute is decided, a silent arbiter's penalty is paid out in the
same call, and an arbiter's stake is listed in the pool while bonded and in the unbonding set from
leavePool to withdrawStake.
"""

from .records import DISPUTED, ENDED
from .state import GLOBAL_POOL, ArbitrationState


def owed(st: ArbitrationState) -> dict[str, int]:
    """Wei owed: the escrows of orders not ended (less their fee reserves), those fee reserves,
    the dispute fees of disputes not decided, the pool's bonded stakes and the stakes still
    unbonding."""
    escrows = fees = dispute_fees = 0
    for order_id in range(1, st.order_count + 1):
        order = st.order(order_id)
        if order.state not in ENDED:
            escrows += order.escrow_wei - order.fee_wei
            fees += order.fee_wei
        if order.state == DISPUTED:
            dispute_fees += order.dispute_fee_wei
    stakes, unbonding = pool_owed(st, GLOBAL_POOL)
    group_stakes = group_unbonding = 0
    for group in sorted(st.group_pools):
        bonded, leaving = pool_owed(st, group)
        group_stakes += bonded
        group_unbonding += leaving
    return {"escrows": escrows, "fees": fees, "dispute_fees": dispute_fees, "stakes": stakes,
            "unbonding": unbonding, "group_stakes": group_stakes, "group_unbonding": group_unbonding}


def pool_owed(st: ArbitrationState, group: int) -> tuple[int, int]:
    """Wei a pool owes its arbiters: (bonded stakes of its members, stakes still unbonding)."""
    return (sum(st.arbiter(member, group).stake_wei for member in sorted(st.pool(group))),
            sum(st.arbiter(leaver, group).unbonding_wei for leaver in sorted(st.unbonding(group))))
