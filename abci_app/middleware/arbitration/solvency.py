"""What the arbitration precompile owes (DESIGN.md §6: its balance must cover it), by kind of record.

Exact: an order's escrow (fee reserve included) leaves whole when it ends, the dispute fee of a
disputed order leaves when the dispute is decided, a silent arbiter's penalty is paid out in the
same call, and an arbiter's stake is listed in the pool while bonded and in the unbonding set from
leavePool to withdrawStake.
"""

from .records import DISPUTED, ENDED
from .state import ArbitrationState


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
    return {"escrows": escrows, "fees": fees, "dispute_fees": dispute_fees,
            "stakes": sum(st.arbiter(member).stake_wei for member in sorted(st.pool)),
            "unbonding": sum(st.arbiter(leaver).unbonding_wei for leaver in sorted(st.unbonding))}
