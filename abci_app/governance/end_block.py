"""What governance does at the end of every block, before staking's end of block: end the
proposals whose deposit or voting period is over, carry out those that passed, and give the
deposits back, or burn them: after a veto, and when the deposit period ended below the minimum
(as Cosmos SDK may: otherwise open slots would be free to hold, refunded at expiry).

The work is bounded: at most max_active_proposals proposals are open (three words read each; a
proposal's texts only when it ends), each tally reads each validator of the set once (tally.py)
and each refund pays at most rules.MAX_DEPOSITORS accounts.
"""

import dataclasses
from dataclasses import dataclass

from .. import staking
from ..precompiles import Storage, int_address
from . import changes, rules, tally
from .records import (CANCEL_UPGRADE, COMMUNITY_SPEND, DEPOSIT, EXPIRED, FAILED, PARAM_CHANGE, PASSED,
                      SOFTWARE_UPGRADE, VETOED, Proposal, Tally, UpgradePlan)
from .state import ADDRESS, GovernanceState


@dataclass(frozen=True, slots=True)
class Ended:
    """A proposal this block ended, as it now stands; `burned` says its deposit was burned."""

    proposal_id: int
    proposal: Proposal
    burned: bool


def end_block(state, height: int, now_s: int) -> list[Ended]:
    gov = GovernanceState(Storage(state, ADDRESS))
    if len(gov.active) == 0:
        return []
    params = gov.params()
    st = staking.state_view(state)
    ended = []
    for proposal_id in sorted(gov.active):
        status = gov.proposal_word(proposal_id, "status")   # three words each; the texts only of those that end
        ends = gov.proposal_word(proposal_id, "deposit_end_s" if status == DEPOSIT else "voting_end_s")
        if now_s < ends:
            continue
        proposal = gov.proposal(proposal_id)
        if status == DEPOSIT:
            final = dataclasses.replace(proposal, status=EXPIRED, outcome="deposit below the minimum: burned")
        else:
            votes = tally.tally(gov, st, proposal_id)
            status, why = rules.outcome(votes, params)
            if status == PASSED:
                failure = _carry_out(state, gov, proposal_id, proposal, height)
                if failure:
                    status, why = FAILED, failure
            final = _with_tally(dataclasses.replace(proposal, status=status, outcome=why), votes)
        final = dataclasses.replace(final, ended_height=height)
        burned = final.status in (VETOED, EXPIRED)
        if burned:
            _burn_deposit(state, gov, final)
        else:
            _return_deposits(state, gov, proposal_id, final)
        gov.set_proposal(proposal_id, final)
        gov.active.remove(proposal_id)
        ended.append(Ended(proposal_id, final, burned))
    return ended


def _with_tally(proposal: Proposal, t: Tally) -> Proposal:
    return dataclasses.replace(proposal, yes_wei=t.yes_wei, abstain_wei=t.abstain_wei, no_wei=t.no_wei,
                               veto_wei=t.veto_wei, bonded_wei=t.bonded_wei)


def _carry_out(state, gov: GovernanceState, proposal_id: int, p: Proposal, height: int) -> str | None:
    """Do what a passed proposal says; None, or why it cannot be done now (nothing changed then)."""
    if p.kind == PARAM_CHANGE:
        try:
            changes.apply_change(state, p.target, p.value)
        except ValueError as exc:
            return f"not applied: {exc}"
    elif p.kind == COMMUNITY_SPEND:
        pool = gov.community_pool_wei
        if p.value > pool:
            return f"not paid: the community pool holds {pool} wei"
        state.delta_balance(ADDRESS, -p.value)
        state.delta_balance(int_address(p.recipient), p.value)
    elif p.kind == SOFTWARE_UPGRADE:
        if p.value <= height:
            return "not scheduled: the upgrade height has passed"
        if gov.upgrade_done(p.target):
            return f"not scheduled: plan {p.target} was already carried out"
        gov.set_upgrade_plan(UpgradePlan(height=p.value, proposal_id=proposal_id, name=p.target, info=p.info))
    elif p.kind == CANCEL_UPGRADE:
        if gov.upgrade_plan().name != p.target or gov.upgrade_plan().height == 0:
            return f"not cancelled: no plan {p.target} is scheduled"
        gov.set_upgrade_plan(UpgradePlan(0, 0, "", ""))
    return None


def _return_deposits(state, gov: GovernanceState, proposal_id: int, p: Proposal) -> None:
    for word in gov.depositors(proposal_id):
        depositor = int_address(word)
        amount = gov.deposit(proposal_id, depositor)
        state.delta_balance(ADDRESS, -amount)
        state.delta_balance(depositor, amount)
    gov.add_funds(-p.deposit_wei)


def _burn_deposit(state, gov: GovernanceState, p: Proposal) -> None:
    state.delta_balance(ADDRESS, -p.deposit_wei)
    staking.state_view(state, writable=True).add_burned(p.deposit_wei)
    gov.add_funds(-p.deposit_wei)
