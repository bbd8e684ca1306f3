"""What the staking precompile owes (DESIGN.md §6: its balance must cover it), by kind of record.

Not exact: a delegation is paid the floor of what it earned (economics.settle), so the fractions
of a wei (the delegations' carries, the accumulator's rounding, the carry dropped when a
delegation ends) stay in the balance as dust owed to nobody: balance >= owed, not ==.
Commission is listed through the candidates, which is complete: withdrawCandidacy pays it out.
"""

from .rewards import pending_reward
from .state import StakingState


def owed(st: StakingState) -> dict[str, int]:
    """Wei owed: every candidate pool's tokens, the unbondings not yet paid, every delegation's
    pending reward (rounded down) and every candidate's unpaid commission."""
    bonded = rewards = commission = 0
    for operator in sorted(st.candidates):
        bonded += st.candidate(operator).tokens_wei
        commission += st.commission_wei(operator)
        rewards += sum(pending_reward(st, delegator, operator) for delegator in sorted(st.delegators_of(operator)))
    unbonding = sum(entry.amount_wei for _, entry in st.unbondings.pending())
    return {"bonded": bonded, "unbonding": unbonding, "rewards": rewards, "commission": commission}
