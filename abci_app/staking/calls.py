"""The staking precompile's Solidity functions (contracts/interfaces/IStaking.sol).

Each call is thin: CHECKS (a bad call reverts with a reason and changes nothing), EFFECTS through
the keeper, EVENTS. Gas: the fixed cost declared per function plus gas per stored word.
"""

import dataclasses

from ..errors import CallError
from ..precompiles import CallContext, Event, function
from . import keeper, rewards, rules, views
from .params import BPS
from .records import JAILED_FOREVER
from .state import StakingState, consensus_address

ZERO_KEY = b"\0" * 32
# A view pays for each record it reads beyond its fixed cost (a record is a few storage words,
# ~60 us here): gas bounds the time of a view whatever the state holds.
GAS_PER_ITEM = 4_000
DAY_S = 24 * 3600
MAX_NAME, MAX_WEBSITE, MAX_DETAILS = 70, 140, 280
CANDIDATE = views.CANDIDATE_ABI

CANDIDACY_DECLARED = Event(
    "CandidacyDeclared(address candidate,bytes32 pubKey,uint256 selfStake,uint16 commissionBps)", indexed=1)
CANDIDACY_UPDATED = Event("CandidacyUpdated(address candidate,bytes32 nextPubKey)", indexed=1)
COMMISSION_CHANGED = Event("CommissionChanged(address candidate,uint16 commissionBps)", indexed=1)
CANDIDACY_WITHDRAWN = Event("CandidacyWithdrawn(address candidate)", indexed=1)
CANDIDATE_ACTIVATED = Event("CandidateActivated(address candidate)", indexed=1)
CANDIDATE_DEACTIVATED = Event("CandidateDeactivated(address candidate)", indexed=1)
DELEGATED = Event("Delegated(address delegator,address candidate,uint256 amount,uint256 shares)", indexed=2)
UNDELEGATED = Event(
    "Undelegated(address delegator,address candidate,uint256 amount,uint64 completionTime)", indexed=2)
REDELEGATED = Event("Redelegated(address delegator,address from,address to,uint256 amount)", indexed=3)
REWARDS_WITHDRAWN = Event("RewardsWithdrawn(address delegator,address candidate,uint256 amount)", indexed=2)
COMMISSION_WITHDRAWN = Event("CommissionWithdrawn(address candidate,uint256 amount)", indexed=1)

# Every event of the staking precompile (app/modules.py maps its logs to ABCI events).
EVENTS = (
    CANDIDACY_DECLARED, CANDIDACY_UPDATED, COMMISSION_CHANGED, CANDIDACY_WITHDRAWN, CANDIDATE_ACTIVATED,
    CANDIDATE_DEACTIVATED, DELEGATED, UNDELEGATED, REDELEGATED, REWARDS_WITHDRAWN, COMMISSION_WITHDRAWN,
)


def _emit_payouts(ctx: CallContext, st: StakingState) -> None:
    """An event for every reward settled by this call (delegation changes settle first)."""
    for delegator, operator, amount in st.payouts:
        ctx.emit(REWARDS_WITHDRAWN, delegator, operator, amount)
    st.payouts.clear()


def _check_description(name: str, website: str, details: str) -> None:
    if not name.strip():
        raise CallError("name must not be empty")
    for label, text, limit in (("name", name, MAX_NAME), ("website", website, MAX_WEBSITE),
                               ("details", details, MAX_DETAILS)):
        if len(text) > limit:
            raise CallError(f"{label} longer than {limit} characters")


def _existing(st: StakingState, operator: bytes):
    candidate = st.candidate(operator)
    if not candidate.exists:
        raise CallError("not a candidate")
    return candidate


def _check_can_receive(candidate) -> None:
    """A pool may take new stake only while its shares are worth something, it is not jailed for
    good, and it is active."""
    if candidate.shares and not candidate.tokens_wei:
        raise CallError("candidate's stake was slashed to nothing")
    if candidate.jailed_until_s == JAILED_FOREVER:
        raise CallError("candidate was jailed for good (double signing)")
    if not candidate.active:
        raise CallError("candidate is not active")


def _check_amount(amount_wei: int, st: StakingState) -> None:
    minimum = st.params().min_delegation_wei
    if amount_wei < minimum:
        raise CallError(f"amount below the minimum delegation of {minimum} wei")


def _check_ratio_after(st: StakingState, operator: bytes, self_delta: int, total_delta: int) -> None:
    candidate = st.candidate(operator)
    if not rules.meets_self_stake_ratio(keeper.self_tokens(st, operator) + self_delta,
                                        candidate.tokens_wei + total_delta, st.params()):
        raise CallError("candidate's self-stake would fall below the minimum ratio")


class StakingCalls:
    """The functions of the staking precompile."""

    # ---- candidacy -------------------------------------------------------------------------

    @function("declareCandidacy(bytes32,uint16,string,string,string)", gas=50_000, payable=True)
    def declare_candidacy(self, ctx: CallContext, pubkey: bytes, commission_bps: int, name: str,
                          website: str, details: str) -> None:
        st = StakingState(ctx.storage)
        # CHECKS
        previous = st.candidate(ctx.sender)
        if previous.exists:
            raise CallError("already a candidate")
        if previous.jailed_until_s == JAILED_FOREVER:
            raise CallError("this operator was jailed for good (double signing)")
        if pubkey == ZERO_KEY:
            raise CallError("consensus public key must not be zero")
        if st.pubkey_taken(pubkey):
            raise CallError("consensus public key already in use")
        if commission_bps > BPS:
            raise CallError("commission above 10000 bps")
        _check_description(name, website, details)
        _check_amount(ctx.value_wei, st)
        # EFFECTS
        candidate = keeper.new_candidate(pubkey, commission_bps, ctx.now_s, name, website, details)
        if previous.jailed_until_s > ctx.now_s:  # a jail outlives the candidacy it was served on
            candidate = dataclasses.replace(candidate, jailed_until_s=previous.jailed_until_s)
        keeper.declare(st, ctx.sender, candidate)
        keeper.bond(st, ctx.sender, ctx.sender, ctx.value_wei)
        # EVENTS
        ctx.emit(CANDIDACY_DECLARED, ctx.sender, pubkey, ctx.value_wei, commission_bps)

    @function("updateCandidacy(bytes32,string,string,string)", gas=30_000)
    def update_candidacy(self, ctx: CallContext, pubkey: bytes, name: str, website: str, details: str) -> None:
        st = StakingState(ctx.storage)
        candidate = _existing(st, ctx.sender)
        _check_description(name, website, details)
        rotate = pubkey not in (ZERO_KEY, candidate.pubkey)
        if rotate and st.pubkey_taken(pubkey):
            raise CallError("consensus public key already in use")
        st.set_candidate(ctx.sender, dataclasses.replace(
            candidate, name=name, website=website, details=details,
            next_pubkey=pubkey if rotate else candidate.next_pubkey))
        if rotate:
            st.set_operator_of(consensus_address(pubkey), ctx.sender)
            st.mark_set_changed()
        ctx.emit(CANDIDACY_UPDATED, ctx.sender, pubkey if rotate else ZERO_KEY)

    @function("setCommission(uint16)", gas=20_000)
    def set_commission(self, ctx: CallContext, commission_bps: int) -> None:
        st = StakingState(ctx.storage)
        candidate = _existing(st, ctx.sender)
        if commission_bps > BPS:
            raise CallError("commission above 10000 bps")
        start, base = candidate.commission_window_start_s, candidate.commission_window_base_bps
        if ctx.now_s >= start + DAY_S:
            start, base = ctx.now_s, candidate.commission_bps
        if not rules.commission_change_allowed(base, commission_bps, st.params()):
            raise CallError(f"commission may move at most {st.params().max_commission_change_bps} bps a day")
        st.set_candidate(ctx.sender, dataclasses.replace(
            candidate, commission_bps=commission_bps, commission_window_start_s=start,
            commission_window_base_bps=base))
        ctx.emit(COMMISSION_CHANGED, ctx.sender, commission_bps)

    @function("withdrawCandidacy()", gas=50_000)
    def withdraw_candidacy(self, ctx: CallContext) -> None:
        st = StakingState(ctx.storage)
        _existing(st, ctx.sender)
        keeper.withdraw_all(st, ctx.sender, ctx.height, ctx.now_s)
        commission = rewards.withdraw_commission(st, ctx.sender)  # no record would list it any more
        _emit_payouts(ctx, st)
        if commission:
            ctx.emit(COMMISSION_WITHDRAWN, ctx.sender, commission)
        ctx.emit(CANDIDACY_WITHDRAWN, ctx.sender)

    @function("activate()", gas=20_000)
    def activate(self, ctx: CallContext) -> None:
        st = StakingState(ctx.storage)
        candidate = _existing(st, ctx.sender)
        if candidate.jailed_until_s == JAILED_FOREVER:
            raise CallError("jailed for good (double signing)")
        if candidate.jailed_until_s > ctx.now_s:
            raise CallError(f"jailed until {candidate.jailed_until_s}")
        if candidate.active and not candidate.jailed:
            raise CallError("already active")
        # the downtime record stays: a jail already reset it, and deactivating must not
        st.set_candidate(ctx.sender, dataclasses.replace(candidate, active=True, jailed_until_s=0))
        st.mark_set_changed()
        ctx.emit(CANDIDATE_ACTIVATED, ctx.sender)

    @function("deactivate()", gas=20_000)
    def deactivate(self, ctx: CallContext) -> None:
        st = StakingState(ctx.storage)
        candidate = _existing(st, ctx.sender)
        if not candidate.active:
            raise CallError("already inactive")
        st.set_candidate(ctx.sender, dataclasses.replace(candidate, active=False))
        st.mark_set_changed()
        ctx.emit(CANDIDATE_DEACTIVATED, ctx.sender)

    # ---- delegations -----------------------------------------------------------------------

    @function("delegate(address)", gas=30_000, payable=True)
    def delegate(self, ctx: CallContext, operator: str) -> None:
        st = StakingState(ctx.storage)
        operator = _address(operator)
        _check_can_receive(_existing(st, operator))
        _check_amount(ctx.value_wei, st)
        own = ctx.sender == operator
        _check_ratio_after(st, operator, ctx.value_wei if own else 0, ctx.value_wei)
        shares = keeper.bond(st, ctx.sender, operator, ctx.value_wei)
        _emit_payouts(ctx, st)
        ctx.emit(DELEGATED, ctx.sender, operator, ctx.value_wei, shares)

    @function("undelegate(address,uint256)", gas=30_000)
    def undelegate(self, ctx: CallContext, operator: str, amount_wei: int) -> None:
        st = StakingState(ctx.storage)
        operator = _address(operator)
        _existing(st, operator)
        if ctx.sender == operator:
            _check_ratio_after(st, operator, -amount_wei, -amount_wei)
        minimum = st.params().min_undelegation_wei
        if 0 < amount_wei < minimum and amount_wei != views.delegation(st, ctx.sender, operator)[1]:
            raise CallError(f"amount below the minimum undelegation of {minimum} wei (or all of the delegation)")
        if len(st.unbondings_between(ctx.sender, operator)) >= keeper.MAX_ENTRIES:
            raise CallError(
                f"{keeper.MAX_ENTRIES} unbondings from this candidate are pending: wait for one to complete")
        keeper.unbond(st, ctx.sender, operator, amount_wei)
        entry = keeper.start_unbonding(st, ctx.sender, operator, amount_wei, ctx.height, ctx.now_s)
        _emit_payouts(ctx, st)
        ctx.emit(UNDELEGATED, ctx.sender, operator, amount_wei, entry.completion_s)

    @function("redelegate(address,address,uint256)", gas=45_000)
    def redelegate(self, ctx: CallContext, source: str, target: str, amount_wei: int) -> None:
        st = StakingState(ctx.storage)
        source, target = _address(source), _address(target)
        if source == target:
            raise CallError("source and target are the same candidate")
        _existing(st, source)
        if len(st.redelegations_into(ctx.sender, source)):  # else a second move escapes the first one's slash
            raise CallError("stake redelegated to this candidate may not move on until that redelegation completes")
        if len(st.redelegations_into(ctx.sender, target)) >= keeper.MAX_ENTRIES:
            raise CallError(
                f"{keeper.MAX_ENTRIES} redelegations to this candidate are pending: wait for one to complete")
        target_candidate = _existing(st, target)
        if not target_candidate.active:
            raise CallError("target candidate is not active")
        _check_can_receive(target_candidate)
        _check_amount(amount_wei, st)
        if ctx.sender == source:
            _check_ratio_after(st, source, -amount_wei, -amount_wei)
        _check_ratio_after(st, target, amount_wei if ctx.sender == target else 0, amount_wei)
        keeper.redelegate(st, ctx.sender, source, target, amount_wei, ctx.height, ctx.now_s)
        _emit_payouts(ctx, st)
        ctx.emit(REDELEGATED, ctx.sender, source, target, amount_wei)

    # ---- rewards ---------------------------------------------------------------------------

    @function("withdrawRewards(address)", gas=20_000)
    def withdraw_rewards(self, ctx: CallContext, operator: str) -> None:
        st = StakingState(ctx.storage)
        operator = _address(operator)
        shares = st.shares(ctx.sender, operator)
        if not shares:
            raise CallError("no delegation to this candidate")
        rewards.settle(st, ctx.sender, operator, shares)
        _emit_payouts(ctx, st)

    @function("withdrawAllRewards()", gas=20_000)
    def withdraw_all_rewards(self, ctx: CallContext) -> None:
        st = StakingState(ctx.storage)
        operators = sorted(st.delegations_of(ctx.sender))
        if not operators:
            raise CallError("no delegations")
        for operator in operators:
            rewards.settle(st, ctx.sender, operator, st.shares(ctx.sender, operator))
        _emit_payouts(ctx, st)

    @function("withdrawCommission()", gas=20_000)
    def withdraw_commission(self, ctx: CallContext) -> None:
        st = StakingState(ctx.storage)
        amount = rewards.withdraw_commission(st, ctx.sender)
        if not amount:
            raise CallError("no commission to withdraw")
        ctx.emit(COMMISSION_WITHDRAWN, ctx.sender, amount)

    # ---- views -----------------------------------------------------------------------------

    @function("pendingRewards(address,address)", gas=5_000, view=True, returns=("uint256",))
    def pending_rewards(self, ctx: CallContext, delegator: str, operator: str):
        return rewards.pending_reward(StakingState(ctx.storage), _address(delegator), _address(operator))

    @function("pendingCommission(address)", gas=5_000, view=True, returns=("uint256",))
    def pending_commission(self, ctx: CallContext, operator: str):
        return StakingState(ctx.storage).commission_wei(_address(operator))

    @function("supply()", gas=5_000, view=True, returns=("uint256", "uint256", "uint256", "uint256", "uint256"))
    def supply(self, ctx: CallContext):
        return views.supply_tuple(StakingState(ctx.storage))

    @function("candidate(address)", gas=5_000, view=True, returns=(CANDIDATE,))
    def candidate(self, ctx: CallContext, operator: str):
        st = StakingState(ctx.storage)
        operator = _address(operator)
        _existing(st, operator)
        return views.candidate_tuple(st, operator)

    @function("candidates()", gas=5_000, view=True, returns=("address[]",))
    def candidates(self, ctx: CallContext):
        st = StakingState(ctx.storage)
        ctx.charge(GAS_PER_ITEM * len(st.candidates))
        return [_checksum(op) for op in st.candidates]

    @function("validators()", gas=5_000, view=True, returns=("address[]", "uint256[]"))
    def validators(self, ctx: CallContext):
        st = StakingState(ctx.storage)
        ctx.charge(GAS_PER_ITEM * len(st.validators))
        ranked = views.validator_set(st)
        return [_checksum(op) for op, _ in ranked], [power for _, power in ranked]

    @function("delegation(address,address)", gas=5_000, view=True, returns=("uint256", "uint256"))
    def delegation(self, ctx: CallContext, delegator: str, operator: str):
        st = StakingState(ctx.storage)
        return views.delegation(st, _address(delegator), _address(operator))

    @function("delegations(address)", gas=5_000, view=True, returns=(views.DELEGATION_ABI,))
    def delegations(self, ctx: CallContext, delegator: str):
        st, delegator = StakingState(ctx.storage), _address(delegator)
        ctx.charge(GAS_PER_ITEM * len(st.delegations_of(delegator)))
        return views.delegation_tuples(st, delegator)

    @function("unbondings(address)", gas=5_000, view=True, returns=(views.UNBONDING_ABI,))
    def unbondings(self, ctx: CallContext, delegator: str):
        st, delegator = StakingState(ctx.storage), _address(delegator)
        ctx.charge(GAS_PER_ITEM * len(st.unbondings_of(delegator)))
        return views.unbonding_tuples(st, delegator)

    @function("params()", gas=5_000, view=True, returns=(views.PARAMS_ABI,))
    def params(self, ctx: CallContext):
        return views.params_tuple(StakingState(ctx.storage).params())


def _address(text: str) -> bytes:
    return bytes.fromhex(text[2:])


def _checksum(address: bytes) -> str:
    return "0x" + address.hex()
