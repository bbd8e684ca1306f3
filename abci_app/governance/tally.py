"""The stake-weighted tally, kept up to date as votes and stake change, so ending a vote reads
each validator once instead of every delegation.

Per proposal and candidate, `voted_shares[option]` holds the pool shares whose holders voted
that option themselves. A candidate's operator's vote covers the rest of its pool's shares: the
delegators who did not vote follow their validator. Staking tells governance of every change of
a delegation's shares (staking.watch_shares), so these sums stay exact through delegations,
undelegations, redelegations and the slashes that take shares; a slash that lowers a pool's
tokens changes no share and needs nothing. Shares become CMT only at the tally, at the pool's
rate then: only validators in the set at that moment count (the bonded stake).
"""

from ..precompiles import Storage
from ..staking import StakingState
from .records import OPTIONS, VOTING, Tally
from .state import ADDRESS, GovernanceState


def record_vote(gov: GovernanceState, st: StakingState, proposal_id: int, voter: bytes, option: int) -> int:
    """Set or change a vote: the voter's shares in every pool move to `option`. Returns how many
    delegations that touched (the caller pays for each)."""
    old = gov.vote(proposal_id, voter)
    delegations = list(st.delegations_of(voter))
    for candidate in delegations:
        shares = st.shares(voter, candidate)
        if old:
            gov.add_voted_shares(proposal_id, candidate, old, -shares)
        gov.add_voted_shares(proposal_id, candidate, option, shares)
    gov.set_vote(proposal_id, voter, option)
    forget_ended(gov, voter)
    gov.votes_of(voter).add(proposal_id)
    return len(delegations)


def forget_ended(gov: GovernanceState, voter: bytes) -> None:
    """Drop the voter's proposals whose vote has ended: at most max_active_proposals stay."""
    votes = gov.votes_of(voter)
    for proposal_id in [p for p in votes if gov.proposal_word(p, "status") != VOTING]:
        votes.remove(proposal_id)


def shares_changed(staking_storage: Storage, delegator: bytes, candidate: bytes, old: int, new: int) -> None:
    """The staking watcher: a delegation's shares changed; move them in the tally of every open
    vote the delegator cast (paid by whoever changed the shares, like the change itself)."""
    gov = GovernanceState(staking_storage.of(ADDRESS))
    if len(gov.votes_of(delegator)) == 0:
        return
    forget_ended(gov, delegator)
    for proposal_id in gov.votes_of(delegator):
        gov.add_voted_shares(proposal_id, candidate, gov.vote(proposal_id, delegator), new - old)


def tally(gov: GovernanceState, st: StakingState, proposal_id: int) -> Tally:
    """The votes now, in wei of the stake bonded to the validator set (per validator: each
    option's shares at its pool's rate, rounded down)."""
    weights = dict.fromkeys(OPTIONS, 0)
    bonded = 0
    for validator in st.validators:
        pool = st.candidate(validator)
        bonded += pool.tokens_wei
        if pool.shares == 0:
            continue
        shares = {option: gov.voted_shares(proposal_id, validator, option) for option in OPTIONS}
        own = gov.vote(proposal_id, validator)
        if own:
            shares[own] += max(0, pool.shares - sum(shares.values()))
        for option in OPTIONS:
            weights[option] += shares[option] * pool.tokens_wei // pool.shares
    yes, abstain, no, veto = (weights[option] for option in OPTIONS)
    return Tally(yes, abstain, no, veto, bonded)
