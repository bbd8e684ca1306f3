"""Read-only answers about groups as Solidity tuples (the ABI types live here, next to the builders).
An unknown group is no error: its views answer zeros, false or an empty page."""

from ...errors import CallError
from ...precompiles import CallContext, int_address
from .params import GroupsParams
from .records import MEMBER
from .state import GroupsState

GROUP_ABI = "(address,string,string,uint8,address,uint256,address,bytes32,uint256,uint256,uint64,bool,uint256)"
MEMBERSHIP_ABI = "(uint8,uint64,bool)"
PARAMS_ABI = "(uint256,uint256,address)"
MAX_PAGE = 100              # members per `members` call
GAS_MEMBER_ENTRY = 2_100    # per address returned: what a cold storage read costs in the EVM


def _address(word: int) -> str:
    return "0x" + int_address(word).hex()


def is_member(st: GroupsState, group_id: int, account: bytes) -> bool:
    """A current member of an existing group that is not closed."""
    return (st.exists(group_id) and not st.group(group_id).closed
            and st.membership(group_id, account).status == MEMBER)


def group_tuple(st: GroupsState, group_id: int) -> tuple:
    """IGroups.Group: owner, name, category, rule, token, minBalance, attester, claimType, bond,
    memberCount, createdAt, closed, moderatorCount (all zero for an unknown id)."""
    g = st.group(group_id)
    return (_address(g.owner), g.name, g.category, g.rule, _address(g.token), g.min_balance, _address(g.attester),
            g.claim_type.to_bytes(32, "big"), g.bond_wei, len(st.members(group_id)), g.created_s, g.closed,
            g.moderator_count)


def membership_tuple(st: GroupsState, group_id: int, account: bytes) -> tuple:
    """IGroups.Membership: status as stored (0 none, 1 pending, 2 member, 3 removed), since, isModerator."""
    m = st.membership(group_id, account)
    return m.status, m.since_s, m.moderator


def members_page(ctx: CallContext, st: GroupsState, group_id: int, offset: int, limit: int) -> list[str]:
    """Members from `offset`, at most `limit` (1 to MAX_PAGE), each paid GAS_MEMBER_ENTRY. The
    order is the set's (insertion order, a removal moving the last member into the hole)."""
    if not 1 <= limit <= MAX_PAGE:
        raise CallError(f"limit must be 1 to {MAX_PAGE}")
    members = st.members(group_id)
    end = min(len(members), offset + limit) if offset < len(members) else offset
    ctx.charge(GAS_MEMBER_ENTRY * (end - offset))
    return [_address(members.at(i)) for i in range(offset, end)]


def params_tuple(params: GroupsParams) -> tuple:
    return params.group_bond_wei, params.max_moderators, _address(params.identity_address)
