"""What the arbitration precompile owes (DESIGN.md §6: its balance must cover it), by kind of record.

Exact over what can be enumerated: an order's escrow (fee reserve included) leaves whole when it
ends, a silent arbiter's penalty is paid out in the same call. Not reachable: the unbonding stake
of an arbiter who left the pool, since only pool members are listed; it stays in the balance
until withdrawn, so balance >= owed, and == once no one who left is still unbonding.
"""

from .records import ENDED
from .state import ArbitrationState


def owed(st: ArbitrationState) -> dict[str, int]:
    """Wei owed: the escrows of orders not ended (less their fee reserves), those fee reserves,
    and the bonded and unbonding stakes of the pool's arbiters."""
    escrows = fees = 0
    for order_id in range(1, st.order_count + 1):
        order = st.order(order_id)
        if order.state not in ENDED:
            escrows += order.escrow_wei - order.fee_wei
            fees += order.fee_wei
    arbiters = [st.arbiter(member) for member in sorted(st.pool)]
    return {"escrows": escrows, "fees": fees, "stakes": sum(a.stake_wei for a in arbiters),
            "unbonding": sum(a.unbonding_wei for a in arbiters)}
