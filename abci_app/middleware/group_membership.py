"""How a module asks whether an account is a member of a group: through the groups precompile's
Solidity interface (`IGroups.isMember`), as any contract would, never by reading its storage
(modules do not import each other: middleware/__init__.py). Coupons, ads and arbitration use it.
"""

from ..errors import CallError
from ..precompiles import CallContext

GROUPS_ADDRESS = bytes.fromhex("000000000000000000000000000000000000cc05")
NO_GROUP = 0
GAS_IS_MEMBER = 20_000   # forwarded to isMember or membership (a fixed few thousand); the rest comes back
PENDING, MEMBER = 1, 2   # IGroups.Membership.status of an applicant and of a member


def is_member(ctx: CallContext, group_id: int, account: bytes) -> bool:
    """True only if the groups precompile answers that `account` is a member of open group
    `group_id`. No answer (no such group, no groups module, out of gas) is not membership."""
    answer = ctx.view_call(GROUPS_ADDRESS, "isMember(uint256,address)", (group_id, account), ("bool",),
                           gas=GAS_IS_MEMBER)
    return bool(answer and answer[0])


def was_member_at(ctx: CallContext, group_id: int, account: bytes, time_s: int) -> bool:
    """Whether `account` was a member of group `group_id` at block time `time_s` (arbitration: when a
    dispute was raised), so that nothing the group's moderators or owner do later (a removal, a
    closing, an approval) changes the answer once it matters. Told by the membership record
    (`IGroups.membership`: status and the block time of its last change): a member whose status
    last changed before `time_s`, or a former member (left, removed, or an applicant declined)
    whose status changed at or after it. A change in the very second of `time_s` counts as after
    it. The group being closed does not enter: it was open when its orders were opened. No answer
    (the call was too deep) reverts: it must not count as a "no"."""
    answer = ctx.view_call(GROUPS_ADDRESS, "membership(uint256,address)", (group_id, account),
                           ("(uint8,uint64,bool)",), gas=GAS_IS_MEMBER)
    if answer is None:
        raise CallError("group membership unavailable")
    status, since_s, _ = answer[0]
    return since_s < time_s if status == MEMBER else status != PENDING and since_s >= time_s


def check_restriction(ctx: CallContext, group_id: int, *, current_group: int, too_late: str, role: str) -> None:
    """The rule of every restrictToGroup (coupons, ads): once, before the campaign's first claim or
    message (`too_late` names what came first, or is empty), by a member of the group (which also
    proves the group exists and is open), so the restriction holds for all of them."""
    if current_group != NO_GROUP:
        raise CallError("campaign already restricted to a group")
    if too_late:
        raise CallError(f"{too_late}: too late to restrict")
    if not is_member(ctx, group_id, ctx.sender):
        raise CallError(f"{role} is not a member of that group")
