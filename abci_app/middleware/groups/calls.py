"""The groups precompile's Solidity functions (contracts/interfaces/IGroups.sol).

Each call is thin: CHECKS (a bad call reverts with a reason and changes nothing; the order of the
createGroup checks is rules.create_refusal), GAS (the fixed cost per function; the framework adds
gas per stored word and per log), EFFECTS through state.py, EVENTS. CMT enters only as the bond of
createGroup and leaves only through ctx.pay in closeGroup; `funds` follows both. Every call touches
a fixed number of records: nothing loops over members but the paged `members` view, which pays
per entry. The joiner's token balance and claim are read through view_call (a metered
STATICCALL with a fixed gas), so a hostile token costs the joiner at most that gas and can
change nothing.
"""

import dataclasses

from eth_utils import to_canonical_address

from ...errors import CallError
from ...precompiles import CallContext, address_int, function, int_address
from . import events, rules, views
from .records import APPROVAL, CLAIM, MEMBER, MIN_CMT, MIN_TOKEN, NONE, PENDING, REMOVED, Group, Membership
from .state import GroupsState

GAS_CREATE = 40_000
GAS_CLOSE = 30_000
GAS_JOIN = 20_000
GAS_MEMBERSHIP = 15_000       # approve, leave, removeMember, add/removeModerator, recheck
GAS_VIEW = 3_000
GAS_TOKEN_CALL = 50_000       # forwarded to the token's balanceOf (an ERC-20 needs about 3,000)
GAS_CLAIM_CALL = 20_000       # forwarded to identity's hasClaim (about 4,000)


def _word(value: bytes) -> int:
    return int.from_bytes(value, "big")


def _open_group(st: GroupsState, group_id: int) -> Group:
    if not st.exists(group_id):
        raise CallError("no such group")
    group = st.group(group_id)
    if group.closed:
        raise CallError("group is closed")
    return group


def _moderator(st: GroupsState, group_id: int, account: bytes) -> None:
    if not st.membership(group_id, account).moderator:
        raise CallError("not a moderator")


def _owner(group: Group, account: bytes) -> None:
    if group.owner != address_int(account):
        raise CallError("not the owner")


def _has_claim(ctx: CallContext, st: GroupsState, group: Group, account: bytes) -> bool:
    """identity.hasClaim(account, the group's claim type, its attester), asked like any contract would."""
    answer = ctx.view_call(int_address(st.params().identity_address), "hasClaim(address,bytes32,address)",
                           (account, group.claim_type.to_bytes(32, "big"), int_address(group.attester)),
                           ("bool",), GAS_CLAIM_CALL)
    if answer is None:
        raise CallError("claim check unavailable")
    return answer[0]


def _admit(ctx: CallContext, st: GroupsState, group_id: int, account: bytes, by: bytes,
           moderator: bool = False) -> None:
    st.set_membership(group_id, account, Membership(MEMBER, ctx.now_s, moderator))
    st.add_member(group_id, account)
    ctx.emit(events.MEMBER_JOINED, group_id, account, by)


def _end(ctx: CallContext, st: GroupsState, group_id: int, account: bytes, status: int) -> None:
    """A member or applicant goes (status NONE or REMOVED); a moderator stops being one."""
    was = st.membership(group_id, account)
    if was.status == MEMBER:
        st.remove_member(group_id, account)
    if was.moderator:
        group = st.group(group_id)
        st.set_group(group_id, dataclasses.replace(group, moderator_count=group.moderator_count - 1))
        ctx.emit(events.MODERATOR_REMOVED, group_id, account)
    st.set_membership(group_id, account, Membership(status, ctx.now_s, moderator=False))


class GroupsCalls:
    """The functions of the groups precompile."""

    # ---- groups ------------------------------------------------------------------------------

    @function("createGroup(string,string,uint8,address,uint256,address,bytes32)", gas=GAS_CREATE, payable=True,
              returns=("uint256",))
    def create_group(self, ctx: CallContext, name: str, category: str, rule: int, token: str, min_balance: int,
                     attester: str, claim_type: bytes) -> int:
        st = GroupsState(ctx.storage)
        token, attester = to_canonical_address(token), to_canonical_address(attester)
        # CHECKS
        refusal = rules.create_refusal(
            name=name.encode(), category=category.encode(), rule=rule, token=address_int(token),
            min_balance=min_balance, attester=address_int(attester), claim_type=_word(claim_type),
            value_wei=ctx.value_wei, bond_wei=st.params().group_bond_wei)
        if refusal:
            raise CallError(refusal)
        # EFFECTS: the owner is the first member and a moderator
        group_id = st.next_group_id()
        st.set_group(group_id, Group(
            owner=address_int(ctx.sender), rule=rule, token=address_int(token), min_balance=min_balance,
            attester=address_int(attester), claim_type=_word(claim_type), bond_wei=ctx.value_wei,
            created_s=ctx.now_s, moderator_count=1, closed=False, name=name, category=category))
        st.add_funds(ctx.value_wei)
        # EVENTS
        ctx.emit(events.GROUP_CREATED, group_id, ctx.sender, rule, name, category, token, min_balance, attester,
                 claim_type, ctx.value_wei)
        _admit(ctx, st, group_id, ctx.sender, ctx.sender, moderator=True)
        return group_id

    @function("closeGroup(uint256)", gas=GAS_CLOSE)
    def close_group(self, ctx: CallContext, group_id: int) -> None:
        """The bond goes back to the owner; no membership counts from now on (no loop: isMember
        reads the closed flag)."""
        st = GroupsState(ctx.storage)
        # CHECKS
        group = _open_group(st, group_id)
        _owner(group, ctx.sender)
        # EFFECTS
        st.set_group(group_id, dataclasses.replace(group, closed=True))
        st.add_funds(-group.bond_wei)
        ctx.pay(ctx.sender, group.bond_wei)
        # EVENTS
        ctx.emit(events.GROUP_CLOSED, group_id, ctx.sender, group.bond_wei)

    # ---- moderators --------------------------------------------------------------------------

    @function("addModerator(uint256,address)", gas=GAS_MEMBERSHIP)
    def add_moderator(self, ctx: CallContext, group_id: int, account: str) -> None:
        st = GroupsState(ctx.storage)
        account = to_canonical_address(account)
        # CHECKS
        group = _open_group(st, group_id)
        _owner(group, ctx.sender)
        membership = st.membership(group_id, account)
        if membership.status != MEMBER:
            raise CallError("not a member")
        if membership.moderator:
            raise CallError("already a moderator")
        limit = st.params().max_moderators
        if group.moderator_count >= limit:
            raise CallError(f"a group has at most {limit} moderators")
        # EFFECTS
        st.set_membership(group_id, account, dataclasses.replace(membership, moderator=True))
        st.set_group(group_id, dataclasses.replace(group, moderator_count=group.moderator_count + 1))
        # EVENTS
        ctx.emit(events.MODERATOR_ADDED, group_id, account)

    @function("removeModerator(uint256,address)", gas=GAS_MEMBERSHIP)
    def remove_moderator(self, ctx: CallContext, group_id: int, account: str) -> None:
        """The moderator stays a member."""
        st = GroupsState(ctx.storage)
        account = to_canonical_address(account)
        # CHECKS
        group = _open_group(st, group_id)
        _owner(group, ctx.sender)
        if account == ctx.sender:
            raise CallError("the owner stays a moderator")
        membership = st.membership(group_id, account)
        if not membership.moderator:
            raise CallError("not a moderator")
        # EFFECTS
        st.set_membership(group_id, account, dataclasses.replace(membership, moderator=False))
        st.set_group(group_id, dataclasses.replace(group, moderator_count=group.moderator_count - 1))
        # EVENTS
        ctx.emit(events.MODERATOR_REMOVED, group_id, account)

    # ---- members -----------------------------------------------------------------------------

    @function("join(uint256)", gas=GAS_JOIN)
    def join(self, ctx: CallContext, group_id: int) -> None:
        """By the group's rule, at this block: an APPROVAL group records an application."""
        st = GroupsState(ctx.storage)
        # CHECKS
        group = _open_group(st, group_id)
        status = st.membership(group_id, ctx.sender).status
        if status != NONE:
            raise CallError({MEMBER: "already a member", PENDING: "already applied",
                             REMOVED: "removed from this group"}[status])
        refusal = None
        if group.rule == MIN_CMT:
            refusal = rules.balance_refusal(ctx.state.get_balance(ctx.sender), group.min_balance, "CMT")
        elif group.rule == MIN_TOKEN:
            answer = ctx.view_call(int_address(group.token), "balanceOf(address)", (ctx.sender,), ("uint256",),
                                   GAS_TOKEN_CALL)
            refusal = rules.balance_refusal(None if answer is None else answer[0], group.min_balance, "token")
        elif group.rule == CLAIM and not _has_claim(ctx, st, group, ctx.sender):
            refusal = "no valid claim from the group's attester"
        if refusal:
            raise CallError(refusal)
        # EFFECTS, EVENTS
        if group.rule == APPROVAL:
            st.set_membership(group_id, ctx.sender, Membership(PENDING, ctx.now_s, moderator=False))
            ctx.emit(events.MEMBER_APPLIED, group_id, ctx.sender)
        else:
            _admit(ctx, st, group_id, ctx.sender, ctx.sender)

    @function("approve(uint256,address)", gas=GAS_MEMBERSHIP)
    def approve(self, ctx: CallContext, group_id: int, account: str) -> None:
        """A moderator admits an applicant, or takes back someone removed (the rule is not asked)."""
        st = GroupsState(ctx.storage)
        account = to_canonical_address(account)
        # CHECKS
        _open_group(st, group_id)
        _moderator(st, group_id, ctx.sender)
        if st.membership(group_id, account).status not in (PENDING, REMOVED):
            raise CallError("no application or removal to approve")
        # EFFECTS, EVENTS
        _admit(ctx, st, group_id, account, ctx.sender)

    @function("leave(uint256)", gas=GAS_MEMBERSHIP)
    def leave(self, ctx: CallContext, group_id: int) -> None:
        """A member or applicant goes; it may join again."""
        st = GroupsState(ctx.storage)
        # CHECKS
        group = _open_group(st, group_id)
        if group.owner == address_int(ctx.sender):
            raise CallError("the owner cannot leave: close the group instead")
        if st.membership(group_id, ctx.sender).status not in (MEMBER, PENDING):
            raise CallError("not a member or applicant")
        # EFFECTS
        _end(ctx, st, group_id, ctx.sender, NONE)
        # EVENTS
        ctx.emit(events.MEMBER_LEFT, group_id, ctx.sender)

    @function("removeMember(uint256,address)", gas=GAS_MEMBERSHIP)
    def remove_member(self, ctx: CallContext, group_id: int, account: str) -> None:
        """A moderator removes a member or declines an applicant; sticky: only a moderator's
        approve brings it back."""
        st = GroupsState(ctx.storage)
        account = to_canonical_address(account)
        # CHECKS
        group = _open_group(st, group_id)
        _moderator(st, group_id, ctx.sender)
        if group.owner == address_int(account):
            raise CallError("the owner cannot be removed")
        membership = st.membership(group_id, account)
        if membership.status not in (MEMBER, PENDING):
            raise CallError("not a member or applicant")
        if membership.moderator and group.owner != address_int(ctx.sender):
            raise CallError("only the owner removes a moderator")
        # EFFECTS
        _end(ctx, st, group_id, account, REMOVED)
        # EVENTS
        ctx.emit(events.MEMBER_REMOVED, group_id, account, ctx.sender, False)

    @function("recheck(uint256,address)", gas=GAS_MEMBERSHIP)
    def recheck(self, ctx: CallContext, group_id: int, account: str) -> None:
        """Anyone removes a member of a CLAIM group whose claim no longer counts (revoked, expired,
        dropped, or its attester gone), so no moderator is needed to enforce the rule. Not sticky:
        the account may join again once it qualifies. Balances count at join time only."""
        st = GroupsState(ctx.storage)
        account = to_canonical_address(account)
        # CHECKS
        group = _open_group(st, group_id)
        if group.rule != CLAIM:
            raise CallError("only claim groups are rechecked")
        if group.owner == address_int(account):
            raise CallError("the owner cannot be removed")
        if st.membership(group_id, account).status != MEMBER:
            raise CallError("not a member")
        if _has_claim(ctx, st, group, account):
            raise CallError("still qualifies")
        # EFFECTS
        _end(ctx, st, group_id, account, NONE)
        # EVENTS
        ctx.emit(events.MEMBER_REMOVED, group_id, account, ctx.sender, True)

    # ---- views -------------------------------------------------------------------------------

    @function("isMember(uint256,address)", gas=GAS_VIEW, view=True, returns=("bool",))
    def is_member(self, ctx: CallContext, group_id: int, account: str) -> bool:
        return views.is_member(GroupsState(ctx.storage), group_id, to_canonical_address(account))

    @function("group(uint256)", gas=GAS_VIEW, view=True, returns=(views.GROUP_ABI,))
    def group(self, ctx: CallContext, group_id: int) -> tuple:
        return views.group_tuple(GroupsState(ctx.storage), group_id)

    @function("membership(uint256,address)", gas=GAS_VIEW, view=True, returns=(views.MEMBERSHIP_ABI,))
    def membership(self, ctx: CallContext, group_id: int, account: str) -> tuple:
        return views.membership_tuple(GroupsState(ctx.storage), group_id, to_canonical_address(account))

    @function("members(uint256,uint256,uint256)", gas=GAS_VIEW, view=True, returns=("address[]",))
    def members(self, ctx: CallContext, group_id: int, offset: int, limit: int) -> list[str]:
        return views.members_page(ctx, GroupsState(ctx.storage), group_id, offset, limit)

    @function("groupCount()", gas=GAS_VIEW, view=True, returns=("uint256",))
    def group_count(self, ctx: CallContext) -> int:
        return GroupsState(ctx.storage).group_count

    @function("params()", gas=GAS_VIEW, view=True, returns=(views.PARAMS_ABI,))
    def params(self, ctx: CallContext) -> tuple:
        return views.params_tuple(GroupsState(ctx.storage).params())
