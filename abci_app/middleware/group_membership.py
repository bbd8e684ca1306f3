"""How a module asks whether an account is a member of a group: through the groups precompile's
Solidity interface (`IGroups.isMember`), as any contract would, never by reading its storage
(modules do not import each other: middleware/__init__.py). Coupons, ads and arbitration use it.
"""

from ..errors import CallError
from ..precompiles import CallContext

GROUPS_ADDRESS = bytes.fromhex("000000000000000000000000000000000000cc05")
NO_GROUP = 0
GAS_IS_MEMBER = 20_000   # forwarded to isMember (it costs a fixed few thousand); the rest comes back


def is_member(ctx: CallContext, group_id: int, account: bytes) -> bool:
    """True only if the groups precompile answers that `account` is a member of open group
    `group_id`. No answer (no such group, no groups module, out of gas) is not membership."""
    answer = ctx.view_call(GROUPS_ADDRESS, "isMember(uint256,address)", (group_id, account), ("bool",),
                           gas=GAS_IS_MEMBER)
    return bool(answer and answer[0])


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
