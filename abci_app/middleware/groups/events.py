"""The groups events (EVM logs of 0x...CC05), as declared in IGroups.sol.
The group id and the addresses are indexed topics; the rest is ABI-encoded data."""

from ...precompiles import Event

GROUP_CREATED = Event(
    "GroupCreated(uint256 groupId,address owner,uint8 rule,string name,string category,address token,"
    "uint256 minBalance,address attester,bytes32 claimType,uint256 bond)", indexed=2)
GROUP_CLOSED = Event("GroupClosed(uint256 groupId,address owner,uint256 bond)", indexed=2)
MEMBER_APPLIED = Event("MemberApplied(uint256 groupId,address account)", indexed=2)
MEMBER_JOINED = Event("MemberJoined(uint256 groupId,address account,address by)", indexed=3)
MEMBER_LEFT = Event("MemberLeft(uint256 groupId,address account)", indexed=2)
MEMBER_REMOVED = Event("MemberRemoved(uint256 groupId,address account,address by,bool mayRejoin)", indexed=3)
MODERATOR_ADDED = Event("ModeratorAdded(uint256 groupId,address account)", indexed=2)
MODERATOR_REMOVED = Event("ModeratorRemoved(uint256 groupId,address account)", indexed=2)

# Every event of the groups precompile (app/modules.py maps its logs to ABCI events).
EVENTS = (GROUP_CREATED, GROUP_CLOSED, MEMBER_APPLIED, MEMBER_JOINED, MEMBER_LEFT, MEMBER_REMOVED,
          MODERATOR_ADDED, MODERATOR_REMOVED)
