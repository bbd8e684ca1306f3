"""The governance precompile's Solidity functions (contracts/interfaces/IGovernance.sol).

Each call is thin: CHECKS (a bad call reverts with a reason and changes nothing), GAS (the fixed
cost per function; the framework adds gas per stored word and per log), EFFECTS through state.py
and tally.py, EVENTS. CMT enters only as deposits (`funds` follows them) and leaves only at the
end of a block (end_block.py): deposits back, or burned, and community-pool spends.
"""

import dataclasses

from .. import staking
from ..errors import CallError
from ..precompiles import CallContext, address_int, function
from . import changes, events, rules, tally, views
from .records import (CANCEL_UPGRADE, COMMUNITY_SPEND, DEPOSIT, OPTIONS, PARAM_CHANGE, SOFTWARE_UPGRADE, TEXT,
                      VOTING, Proposal, Tally)
from .state import GovernanceState

GAS_SUBMIT = 50_000
GAS_DEPOSIT = 20_000
GAS_VOTE = 20_000
GAS_VOTE_PER_DELEGATION = 5_000   # a vote moves the voter's shares in each pool it holds
GAS_VIEW = 3_000
GAS_TALLY_PER_VALIDATOR = 12_600  # six cold reads per validator in the set
MAX_PARAM_VALUE = 2**128          # no module param needs more; every sum and product stays in a word


def _state(ctx: CallContext) -> GovernanceState:
    return GovernanceState(ctx.storage)


def _staking(ctx: CallContext) -> staking.StakingState:
    return staking.StakingState(ctx.storage.of(staking.ADDRESS))


def _in_period(ctx: CallContext, gov: GovernanceState, proposal_id: int, status: int) -> Proposal:
    """The proposal, if it is in its deposit (DEPOSIT) or voting (VOTING) period at this block."""
    if not gov.exists(proposal_id):
        raise CallError("no such proposal")
    proposal = gov.proposal(proposal_id)
    ends = proposal.deposit_end_s if status == DEPOSIT else proposal.voting_end_s
    if proposal.status != status or ctx.now_s >= ends:
        raise CallError(f"proposal is not in its {'deposit' if status == DEPOSIT else 'voting'} period")
    return proposal


def _refuse(reason: str | None) -> None:
    if reason:
        raise CallError(reason)


class GovernanceCalls:
    """One method per IGovernance function."""

    # ---- submitting ------------------------------------------------------------------------------

    def _submit(self, ctx: CallContext, kind: int, title: str, description: str, target: str = "",
                value: int = 0, recipient: bytes = b"", info: str = "") -> int:
        gov = _state(ctx)
        params = gov.params()
        _refuse(rules.text_refusal(title, description))
        if ctx.value_wei < params.min_initial_deposit_wei:
            raise CallError(f"a proposal must bring at least {params.min_initial_deposit_wei} wei of deposit")
        if len(gov.active) >= params.max_active_proposals:
            raise CallError(f"{params.max_active_proposals} proposals are already open: wait for one to end")
        proposal_id = gov.next_proposal_id()
        proposal = Proposal(
            kind=kind, status=DEPOSIT, proposer=address_int(ctx.sender), submit_s=ctx.now_s,
            deposit_end_s=ctx.now_s + params.deposit_period_s, voting_end_s=0, deposit_wei=0, value=value,
            recipient=address_int(recipient) if recipient else 0, ended_height=0, yes_wei=0, abstain_wei=0,
            no_wei=0, veto_wei=0, bonded_wei=0, title=title, description=description, target=target, info=info,
            outcome="")
        gov.set_proposal(proposal_id, proposal)
        gov.active.add(proposal_id)
        ctx.emit(events.PROPOSAL_SUBMITTED, proposal_id, ctx.sender, kind, title, target, value)
        self._add_deposit(ctx, gov, proposal_id, proposal)
        return proposal_id

    @function("submitText(string,string)", returns=("uint256",), gas=GAS_SUBMIT, payable=True)
    def submit_text(self, ctx: CallContext, title: str, description: str) -> int:
        return self._submit(ctx, TEXT, title, description)

    @function("submitParamChange(string,string,string,uint256)", returns=("uint256",), gas=GAS_SUBMIT,
              payable=True)
    def submit_param_change(self, ctx: CallContext, title: str, description: str, param: str, value: int) -> int:
        if value >= MAX_PARAM_VALUE:
            raise CallError("a param value must be below 2**128")
        try:
            changes.changed_params(ctx.state, param, value)
        except ValueError as exc:
            raise CallError(str(exc)) from None
        return self._submit(ctx, PARAM_CHANGE, title, description, target=param, value=value)

    @function("submitCommunitySpend(string,string,address,uint256)", returns=("uint256",), gas=GAS_SUBMIT,
              payable=True)
    def submit_community_spend(self, ctx: CallContext, title: str, description: str, recipient: str,
                               amount: int) -> int:
        recipient_bytes = bytes.fromhex(recipient[2:])
        if not any(recipient_bytes):
            raise CallError("recipient is the zero address")
        if amount == 0:
            raise CallError("amount is zero")
        return self._submit(ctx, COMMUNITY_SPEND, title, description, value=amount, recipient=recipient_bytes)

    @function("submitUpgrade(string,string,string,uint256,string)", returns=("uint256",), gas=GAS_SUBMIT,
              payable=True)
    def submit_upgrade(self, ctx: CallContext, title: str, description: str, name: str, height: int,
                       info: str) -> int:
        _refuse(rules.plan_refusal(name, info))
        if height <= ctx.height:
            raise CallError("upgrade height must be after this block")
        if height >= 2**63:
            raise CallError("upgrade height must be below 2**63")
        if _state(ctx).upgrade_done(name):
            raise CallError(f"plan {name} was already carried out")
        return self._submit(ctx, SOFTWARE_UPGRADE, title, description, target=name, value=height, info=info)

    @function("submitCancelUpgrade(string,string,string)", returns=("uint256",), gas=GAS_SUBMIT, payable=True)
    def submit_cancel_upgrade(self, ctx: CallContext, title: str, description: str, name: str) -> int:
        _refuse(rules.plan_refusal(name, ""))
        return self._submit(ctx, CANCEL_UPGRADE, title, description, target=name)

    # ---- deposits and votes ------------------------------------------------------------------------

    def _add_deposit(self, ctx: CallContext, gov: GovernanceState, proposal_id: int, proposal: Proposal) -> None:
        """msg.value joins the proposal's deposit; reaching the minimum opens the vote."""
        params = gov.params()
        depositors = gov.depositors(proposal_id)
        if address_int(ctx.sender) not in depositors:
            if len(depositors) >= rules.MAX_DEPOSITORS:
                raise CallError(f"a proposal takes deposits from at most {rules.MAX_DEPOSITORS} accounts")
            least = params.min_deposit_wei // rules.MAX_DEPOSITORS   # 50 of them reach the minimum
            if ctx.value_wei < least:
                raise CallError(f"a first deposit must be at least {least} wei")
        gov.set_deposit(proposal_id, ctx.sender, gov.deposit(proposal_id, ctx.sender) + ctx.value_wei)
        gov.add_funds(ctx.value_wei)
        proposal = dataclasses.replace(proposal, deposit_wei=proposal.deposit_wei + ctx.value_wei)
        ctx.emit(events.DEPOSITED, proposal_id, ctx.sender, ctx.value_wei, proposal.deposit_wei)
        if proposal.deposit_wei >= params.min_deposit_wei:
            proposal = dataclasses.replace(proposal, status=VOTING, voting_end_s=ctx.now_s + params.voting_period_s)
            ctx.emit(events.VOTING_STARTED, proposal_id, proposal.voting_end_s)
        gov.set_proposal(proposal_id, proposal)

    @function("deposit(uint256)", gas=GAS_DEPOSIT, payable=True)
    def deposit(self, ctx: CallContext, proposal_id: int) -> None:
        gov = _state(ctx)
        proposal = _in_period(ctx, gov, proposal_id, DEPOSIT)
        if ctx.value_wei == 0:
            raise CallError("deposit is zero")
        self._add_deposit(ctx, gov, proposal_id, proposal)

    @function("vote(uint256,uint8)", gas=GAS_VOTE)
    def vote(self, ctx: CallContext, proposal_id: int, option: int) -> None:
        gov = _state(ctx)
        _in_period(ctx, gov, proposal_id, VOTING)
        if option not in OPTIONS:
            raise CallError("option must be 1 (yes), 2 (abstain), 3 (no) or 4 (veto)")
        st = _staking(ctx)
        if len(st.delegations_of(ctx.sender)) == 0:
            raise CallError("nothing staked to vote with")
        ctx.charge(GAS_VOTE_PER_DELEGATION * len(st.delegations_of(ctx.sender)))
        tally.record_vote(gov, st, proposal_id, ctx.sender, option)
        ctx.emit(events.VOTED, proposal_id, ctx.sender, option)

    # ---- views -------------------------------------------------------------------------------------

    @function("proposal(uint256)", returns=(views.PROPOSAL_ABI,), gas=GAS_VIEW, view=True)
    def proposal(self, ctx: CallContext, proposal_id: int) -> tuple:
        return views.proposal_tuple(_state(ctx).proposal(proposal_id))

    @function("tally(uint256)", returns=(views.TALLY_ABI,), gas=GAS_VIEW, view=True)
    def tally(self, ctx: CallContext, proposal_id: int) -> tuple:
        """The final tally of an ended vote; the running one while it is open; zeros before."""
        gov = _state(ctx)
        proposal = gov.proposal(proposal_id)
        if proposal.status == VOTING:
            st = _staking(ctx)
            ctx.charge(GAS_TALLY_PER_VALIDATOR * len(st.validators))
            return views.tally_tuple(tally.tally(gov, st, proposal_id))
        return views.tally_tuple(Tally(proposal.yes_wei, proposal.abstain_wei, proposal.no_wei, proposal.veto_wei,
                                       proposal.bonded_wei))

    @function("voteOf(uint256,address)", returns=("uint8",), gas=GAS_VIEW, view=True)
    def vote_of(self, ctx: CallContext, proposal_id: int, voter: str) -> int:
        return _state(ctx).vote(proposal_id, bytes.fromhex(voter[2:]))

    @function("depositOf(uint256,address)", returns=("uint256",), gas=GAS_VIEW, view=True)
    def deposit_of(self, ctx: CallContext, proposal_id: int, depositor: str) -> int:
        return _state(ctx).deposit(proposal_id, bytes.fromhex(depositor[2:]))

    @function("proposalCount()", returns=("uint256",), gas=GAS_VIEW, view=True)
    def proposal_count(self, ctx: CallContext) -> int:
        return _state(ctx).proposal_count

    @function("activeProposals()", returns=("uint256[]",), gas=GAS_VIEW, view=True)
    def active_proposals(self, ctx: CallContext) -> list[int]:
        return sorted(_state(ctx).active)

    @function("communityPool()", returns=("uint256",), gas=GAS_VIEW, view=True)
    def community_pool(self, ctx: CallContext) -> int:
        return _state(ctx).community_pool_wei

    @function("upgradePlan()", returns=(views.PLAN_ABI,), gas=GAS_VIEW, view=True)
    def upgrade_plan(self, ctx: CallContext) -> tuple:
        """The scheduled upgrade: name, height, info, proposal id (height 0: none)."""
        plan = _state(ctx).upgrade_plan()
        return plan.name, plan.height, plan.info, plan.proposal_id

    @function("params()", returns=(views.PARAMS_ABI,), gas=GAS_VIEW, view=True)
    def params(self, ctx: CallContext) -> tuple:
        return views.params_tuple(_state(ctx).params())
