"""Staking state changes shared by the precompile's calls and the end-of-block logic.

Every function takes the `StakingState` and plain values; CMT moves only between the staking
precompile's balance and accounts (stake in, payouts out) or is burned by a slash.
"""

import dataclasses
from dataclasses import dataclass

from ..errors import CallError
from . import rewards, rules
from .records import JAILED_FOREVER, Applied, Candidate, Redelegation, Unbonding
from .state import ADDRESS, StakingState, consensus_address

# Pending unbondings per (delegator, candidate) and remembered redelegations per (delegator,
# target), as Cosmos SDK's MaxEntries: each is work a slash may do, so it is bounded per pair.
MAX_ENTRIES = 7
# Matured unbondings paid, and redelegations forgotten, per block: the rest wait for the next
# blocks. Entries mature at the pace they were made (a block's gas buys ~400) unless blocks stop:
# the first block after an hour's halt would otherwise pay an hour of entries at once.
MAX_MATURED_PER_BLOCK = 1_000


@dataclass(frozen=True, slots=True)
class ValidatorUpdate:
    """A change for CometBFT: power 0 removes the key."""

    pubkey: bytes
    power: int


def change_shares(st: StakingState, delegator: bytes, operator: bytes, shares: int) -> None:
    """Every change of a delegation settles its rewards first, so none is mis-attributed."""
    rewards.settle(st, delegator, operator, shares)
    st.set_shares(delegator, operator, shares)


def new_candidate(pubkey: bytes, commission_bps: int, now_s: int, name: str, website: str,
                  details: str) -> Candidate:
    return Candidate(
        exists=True, pubkey=pubkey, next_pubkey=b"", tokens_wei=0, shares=0, commission_bps=commission_bps,
        commission_window_start_s=now_s, commission_window_base_bps=commission_bps, active=True,
        jailed_until_s=0, name=name, website=website, details=details,
    )


def declare(st: StakingState, operator: bytes, candidate: Candidate) -> None:
    """A new candidacy starts with a clean downtime record."""
    st.set_candidate(operator, candidate)
    st.candidates.add(operator)
    st.set_operator_of(consensus_address(candidate.pubkey), operator)
    st.reset_uptime(operator, st.params().downtime_window)
    st.mark_set_changed()


def bond(st: StakingState, delegator: bytes, operator: bytes, amount_wei: int) -> int:
    """Add `amount_wei` (already in the precompile's balance) to a pool; returns the shares minted
    (at least `amount_wei`: slashes only ever lower the tokens per share)."""
    candidate = st.candidate(operator)
    minted = rules.shares_for_deposit(amount_wei, candidate.tokens_wei, candidate.shares)
    st.set_candidate(operator, dataclasses.replace(
        candidate, tokens_wei=candidate.tokens_wei + amount_wei, shares=candidate.shares + minted))
    change_shares(st, delegator, operator, st.shares(delegator, operator) + minted)
    st.mark_set_changed()
    return minted


def unbond(st: StakingState, delegator: bytes, operator: bytes, amount_wei: int) -> None:
    """Take `amount_wei` of a delegator's tokens out of a pool (burning shares, rounded up)."""
    candidate = st.candidate(operator)
    held = st.shares(delegator, operator)
    if amount_wei == 0:
        raise CallError("amount must be positive")
    if amount_wei > rules.tokens_of(held, candidate.tokens_wei, candidate.shares):
        raise CallError("amount exceeds the delegation")
    _take_tokens(st, delegator, operator, amount_wei)


def _take_tokens(st: StakingState, delegator: bytes, operator: bytes, amount_wei: int) -> None:
    """Take `amount_wei` (at most the delegation's tokens) out of the pool, burning the shares."""
    candidate = st.candidate(operator)
    burned = rules.shares_for_withdrawal(amount_wei, candidate.tokens_wei, candidate.shares)
    st.set_candidate(operator, dataclasses.replace(
        candidate, tokens_wei=candidate.tokens_wei - amount_wei, shares=candidate.shares - burned))
    change_shares(st, delegator, operator, st.shares(delegator, operator) - burned)
    st.mark_set_changed()


def redelegate(st: StakingState, delegator: bytes, source: bytes, target: bytes, amount_wei: int, height: int,
               now_s: int) -> None:
    """Move stake at once, remembering it for the unbonding period: a slash of the source for a
    fault before the move follows the stake to the target."""
    unbond(st, delegator, source, amount_wei)
    bond(st, delegator, target, amount_wei)
    index = st.redelegations.push(Redelegation(
        delegator=delegator, source=source, target=target, amount_wei=amount_wei, start_height=height,
        completion_s=now_s + st.params().unbonding_seconds))
    st.redelegations_from(source).add(index)
    st.redelegations_into(delegator, target).add(index)


def self_tokens(st: StakingState, operator: bytes) -> int:
    candidate = st.candidate(operator)
    return rules.tokens_of(st.shares(operator, operator), candidate.tokens_wei, candidate.shares)


def start_unbonding(st: StakingState, delegator: bytes, operator: bytes, amount_wei: int, height: int,
                    now_s: int) -> Unbonding:
    entry = Unbonding(delegator=delegator, candidate=operator, amount_wei=amount_wei, start_height=height,
                      completion_s=now_s + st.params().unbonding_seconds)
    index = st.unbondings.push(entry)
    st.unbondings_of(delegator).add(index)
    st.unbondings_to(operator).add(index)
    st.unbondings_between(delegator, operator).add(index)
    return entry


def withdraw_all(st: StakingState, operator: bytes, height: int, now_s: int) -> None:
    """Every delegation of a candidate, self-stake included, starts unbonding; it leaves the list.

    Shares are worth their rounded-down tokens; the rounding remainder goes to the operator's own
    unbonding, so the pool is emptied to the wei."""
    candidate = st.candidate(operator)
    delegators = sorted(st.delegators_of(operator))
    amounts = {d: rules.tokens_of(st.shares(d, operator), candidate.tokens_wei, candidate.shares) for d in delegators}
    remainder = candidate.tokens_wei - sum(amounts.values())
    if remainder:
        receiver = operator if operator in amounts else delegators[0]
        amounts[receiver] += remainder
    for delegator in delegators:
        change_shares(st, delegator, operator, 0)
        if amounts[delegator]:
            start_unbonding(st, delegator, operator, amounts[delegator], height, now_s)
    st.set_candidate(operator, dataclasses.replace(candidate, exists=False, active=False, tokens_wei=0, shares=0))
    st.candidates.remove(operator)
    st.mark_set_changed()


def mature_unbondings(st: StakingState, now_s: int) -> list[Unbonding]:
    """Pay out, oldest first, the unbondings whose time has come, at most MAX_MATURED_PER_BLOCK
    (a FIFO: no scan); it leaves the indexes."""
    paid = []
    queue = st.unbondings
    while (len(paid) < MAX_MATURED_PER_BLOCK and queue.head < queue.tail
           and queue.get(queue.head).completion_s <= now_s):
        index, entry = queue.head, queue.pop_front()
        st.unbondings_of(entry.delegator).remove(index)
        st.unbondings_to(entry.candidate).remove(index)
        st.unbondings_between(entry.delegator, entry.candidate).remove(index)
        if entry.amount_wei:
            st.storage.state.delta_balance(ADDRESS, -entry.amount_wei)
            st.storage.state.delta_balance(entry.delegator, entry.amount_wei)
        paid.append(entry)
    return paid


def forget_redelegations(st: StakingState, now_s: int) -> None:
    """Drop, oldest first, redelegations past their unbonding period, at most
    MAX_MATURED_PER_BLOCK (a FIFO: no scan)."""
    queue = st.redelegations
    for _ in range(MAX_MATURED_PER_BLOCK):
        if queue.head == queue.tail or queue.get(queue.head).completion_s > now_s:
            return
        index, moved = queue.head, queue.pop_front()
        st.redelegations_from(moved.source).remove(index)
        st.redelegations_into(moved.delegator, moved.target).remove(index)


def slash(st: StakingState, operator: bytes, bps: int, fault_height: int) -> int:
    """Burn `bps` of a candidate's pool, of its unbondings that started at or after the fault,
    and of the stake redelegated away from it since (taken from the target pools, as far as the
    delegator still holds it there)."""
    burned = 0
    candidate = st.candidate(operator)
    cut = rules.slash_amount(candidate.tokens_wei, bps)
    if cut:
        st.set_candidate(operator, dataclasses.replace(candidate, tokens_wei=candidate.tokens_wei - cut))
        burned += cut
    for index in sorted(st.unbondings_to(operator)):
        entry = st.unbondings.get(index)
        if entry.start_height >= fault_height:
            entry_cut = rules.slash_amount(entry.amount_wei, bps)
            if entry_cut:
                st.unbondings.replace(index, dataclasses.replace(entry, amount_wei=entry.amount_wei - entry_cut))
                burned += entry_cut
    for index in sorted(st.redelegations_from(operator)):
        moved = st.redelegations.get(index)
        if moved.start_height >= fault_height:
            burned += _slash_moved(st, moved, rules.slash_amount(moved.amount_wei, bps))
    if burned:
        st.storage.state.delta_balance(ADDRESS, -burned)
        st.add_burned(burned)
    st.mark_set_changed()
    return burned


def _slash_moved(st: StakingState, moved: Redelegation, cut: int) -> int:
    """Take `cut` of redelegated stake from where it went: the delegator's stake in the target,
    then its unbondings from the target started since the move (oldest first). Returns what was
    taken (less if the delegator holds less there)."""
    target = st.candidate(moved.target)
    held = rules.tokens_of(st.shares(moved.delegator, moved.target), target.tokens_wei, target.shares)
    taken = min(cut, held)
    if taken:
        _take_tokens(st, moved.delegator, moved.target, taken)
    for index in sorted(st.unbondings_between(moved.delegator, moved.target)):
        if taken == cut:
            break
        entry = st.unbondings.get(index)
        if entry.start_height >= moved.start_height:
            part = min(cut - taken, entry.amount_wei)
            st.unbondings.replace(index, dataclasses.replace(entry, amount_wei=entry.amount_wei - part))
            taken += part
    return taken


def jail(st: StakingState, operator: bytes, until_s: int) -> None:
    candidate = st.candidate(operator)
    if candidate.jailed_until_s == JAILED_FOREVER:
        return
    st.set_candidate(operator, dataclasses.replace(candidate, jailed_until_s=until_s))
    st.mark_set_changed()


def update_validator_set(st: StakingState) -> list[ValidatorUpdate]:
    """Recompute the set if anything changed; store what CometBFT is told; return the differences.

    With no eligible candidate left the set stays as it is (and is recomputed every block until
    one is back): CometBFT refuses updates that empty its set, and every node would stop there."""
    if not st.set_changed:
        return []
    params = st.params()
    eligible = []
    for operator in st.candidates:
        candidate = st.candidate(operator)
        if candidate.eligible:
            eligible.append((operator, candidate.tokens_wei))
    chosen = dict(rules.select_validators(eligible, params))
    if not chosen:
        return []
    updates = []
    for operator in sorted(set(st.validators) | set(chosen) | _rotating(st)):
        candidate, applied = st.candidate(operator), st.applied(operator)
        key = candidate.next_pubkey or candidate.pubkey
        power = chosen.get(operator, 0)
        if applied.power and (applied.pubkey != key or not power):
            updates.append(ValidatorUpdate(applied.pubkey, 0))
        if power and (power != applied.power or key != applied.pubkey):
            updates.append(ValidatorUpdate(key, power))
        st.set_applied(operator, Applied(key if power else b"", power))
        if candidate.next_pubkey:
            st.set_candidate(operator, dataclasses.replace(candidate, pubkey=key, next_pubkey=b""))
        if power:
            st.validators.add(operator)
        else:
            st.validators.remove(operator)
    st.mark_set_changed(False)
    return updates


def _rotating(st: StakingState) -> set[bytes]:
    return {op for op in st.candidates if st.candidate(op).next_pubkey}
