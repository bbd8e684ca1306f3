// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The groups precompile at 0x000000000000000000000000000000000000CC05
/// @notice Anyone may create a group by sending exactly groupBond (msg.value); the creator is its
/// owner, a member and a moderator. A membership rule admits members: OPEN (join), APPROVAL (join
/// applies; a moderator approves), MIN_CMT (the joiner's CMT balance >= minBalance at join time),
/// MIN_TOKEN (the joiner's balanceOf on the ERC-20 `token` >= minBalance at join time) or CLAIM
/// (the identity precompile's hasClaim(joiner, claimType, attester) at join time; recheck removes a
/// member whose claim stopped counting). A moderator removes members and declines applicants; a
/// removed account cannot join again by itself, only by a moderator's approve. closeGroup (owner)
/// returns the bond and ends every membership at once. Contracts ask isMember(). Every bad call
/// reverts with a reason string and changes nothing; DELEGATECALL and CALLCODE are refused.
interface IGroups {
    struct Group {
        address owner;              // 0 for an unknown id
        string name;                // 1 to 64 bytes
        string category;            // 0 to 64 bytes
        uint8 rule;                 // 0 OPEN, 1 APPROVAL, 2 MIN_CMT, 3 MIN_TOKEN, 4 CLAIM
        address token;              // MIN_TOKEN only
        uint256 minBalance;         // MIN_CMT (wei) and MIN_TOKEN (token units) only
        address attester;           // CLAIM only
        bytes32 claimType;          // CLAIM only
        uint256 bond;               // wei, back to the owner at close
        uint256 memberCount;        // members now (the owner included)
        uint64 createdAt;           // unix seconds (block time)
        bool closed;
        uint256 moderatorCount;     // the owner included
    }

    struct Membership {
        uint8 status;               // 0 none, 1 pending, 2 member, 3 removed (as stored)
        uint64 since;               // unix seconds (block time) of the last change
        bool isModerator;
    }

    struct Params {
        uint256 groupBond;          // wei createGroup must send (default 1,000 CMT)
        uint256 maxModerators;      // per group, the owner included (default 20)
        address identity;           // whose hasClaim CLAIM groups ask (default 0x...CC06)
    }

    event GroupCreated(uint256 indexed groupId, address indexed owner, uint8 rule, string name, string category,
        address token, uint256 minBalance, address attester, bytes32 claimType, uint256 bond);
    event GroupClosed(uint256 indexed groupId, address indexed owner, uint256 bond);
    event MemberApplied(uint256 indexed groupId, address indexed account);
    /// `by`: the account itself (join, and the owner at creation) or the approving moderator.
    event MemberJoined(uint256 indexed groupId, address indexed account, address indexed by);
    event MemberLeft(uint256 indexed groupId, address indexed account);
    /// By a moderator (mayRejoin false: only an approve brings it back) or by recheck (true).
    event MemberRemoved(uint256 indexed groupId, address indexed account, address indexed by, bool mayRejoin);
    event ModeratorAdded(uint256 indexed groupId, address indexed account);
    /// Also when a moderator leaves or is removed from the group.
    event ModeratorRemoved(uint256 indexed groupId, address indexed account);

    // ---- groups ----

    /// msg.value == groupBond. The rule's own fields must be set and the others zero.
    function createGroup(string calldata name, string calldata category, uint8 rule, address token,
        uint256 minBalance, address attester, bytes32 claimType) external payable returns (uint256 groupId);
    /// Owner only: the bond comes back; no membership counts any more.
    function closeGroup(uint256 groupId) external;

    // ---- moderators (owner only) ----

    function addModerator(uint256 groupId, address account) external;
    function removeModerator(uint256 groupId, address account) external;

    // ---- members ----

    /// By the group's rule; an APPROVAL group records an application.
    function join(uint256 groupId) external;
    /// Moderator: an applicant or a removed account becomes a member.
    function approve(uint256 groupId, address account) external;
    /// A member or applicant (not the owner) goes; it may join again.
    function leave(uint256 groupId) external;
    /// Moderator: removes a member or declines an applicant (not the owner; a moderator only by the owner).
    function removeMember(uint256 groupId, address account) external;
    /// Anyone, in a CLAIM group: removes a member whose claim no longer counts.
    function recheck(uint256 groupId, address account) external;

    // ---- views ----

    /// True only for a current member of an existing group that is not closed; never reverts.
    function isMember(uint256 groupId, address account) external view returns (bool);
    function group(uint256 groupId) external view returns (Group memory);
    function membership(uint256 groupId, address account) external view returns (Membership memory);
    /// At most `limit` (1 to 100) members from `offset`; gas per entry.
    function members(uint256 groupId, uint256 offset, uint256 limit) external view returns (address[] memory);
    function groupCount() external view returns (uint256);
    function params() external view returns (Params memory);
}
