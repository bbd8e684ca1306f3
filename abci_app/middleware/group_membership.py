"""How a module asks whether an account is a member of a group: through the groups precompile's
Solidity interface (`IGroups.isMember`), as any contract would, never by reading its storage
(modules do not import each other: middleware/__init__.py). Coupons, ads and arbitration use it.
"""

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
