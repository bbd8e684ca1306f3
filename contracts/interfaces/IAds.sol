// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The opt-in ads precompile at 0x000000000000000000000000000000000000CC04
/// @notice Users opt in with an interest mask (one bit per interest tag), a coarse region code and
/// the smallest reward they want per message; only that is stored, never a position (regionCode is
/// an opaque code chosen by the wallet, 0 meaning "no region"). Advertisers fund campaigns with CMT
/// (msg.value is the budget) and send messages to matching users: each message reserves its reward
/// from the budget. The recipient accepts (the reward is paid to them) or rejects (the reward goes
/// back to the budget, or to the advertiser once the campaign is closed). After its end time the
/// advertiser closes the campaign and gets the unreserved budget back; messages still pending stay
/// answerable, so no CMT is ever stuck. Every bad call reverts with a reason string and changes
/// nothing.
interface IAds {
    struct Campaign {
        address advertiser;
        uint256 interestMask;
        uint32 regionCode;          // 0: any region
        uint256 rewardPerMessage;   // wei
        uint64 endTime;             // unix seconds (block time); messages may be sent before it
        string content;
        uint256 deposit;            // wei paid in at creation: deposit = budget + reserved + spent + refunded
        uint256 budget;             // unreserved: what new messages draw from and closing refunds
        uint256 reserved;           // held for pending messages
        uint256 spent;              // paid to users who accepted
        uint256 refunded;           // returned to the advertiser (at close, and rejects after close)
        uint64 sent;
        uint64 accepted;
        uint64 rejected;
        bool closed;
    }

    struct Message {
        uint256 campaignId;
        address user;
        uint256 reward;             // wei reserved when the message was sent
        uint8 status;               // 0 pending, 1 accepted, 2 rejected
        uint64 sentAt;              // unix seconds (block time)
    }

    struct Params {
        uint32 maxContentBytes;     // UTF-8 bytes of a campaign's content (default 1,024)
        uint32 maxInbox;            // pending messages per user (default 100)
        uint32 answerSeconds;       // after this, anyone may expire an unanswered message (default 30 days)
    }

    event OptedIn(address indexed user, uint256 interestMask, uint32 regionCode, uint256 minReward);
    event OptedOut(address indexed user);
    event AdvertiserBlocked(address indexed user, address indexed advertiser);
    event AdvertiserUnblocked(address indexed user, address indexed advertiser);
    event CampaignCreated(uint256 indexed campaignId, address indexed advertiser, uint256 budget,
        uint256 rewardPerMessage, uint64 endTime);
    event MessageSent(uint256 indexed messageId, uint256 indexed campaignId, address indexed user, uint256 reward);
    event MessageAccepted(uint256 indexed messageId, uint256 indexed campaignId, address indexed user,
        uint256 reward);
    /// toAdvertiser: the campaign was closed, so the reward went to the advertiser, not the budget.
    event MessageRejected(uint256 indexed messageId, uint256 indexed campaignId, address indexed user,
        uint256 reward, bool toAdvertiser);
    event CampaignClosed(uint256 indexed campaignId, address indexed advertiser, uint256 refund);
    event CampaignRestricted(uint256 indexed campaignId, uint256 indexed groupId);

    // ---- users ----

    /// interestMask != 0. Calling again replaces the profile.
    function optIn(uint256 interestMask, uint32 regionCode, uint256 minReward) external;
    /// Erases the profile; no new message arrives, pending ones may still be accepted or rejected.
    function optOut() external;
    /// Blocks new messages from an advertiser (pending ones stay answerable).
    function blockAdvertiser(address advertiser) external;
    function unblockAdvertiser(address advertiser) external;

    /// Pays the reserved reward to the caller, the message's recipient. Once per message.
    function accept(uint256 messageId) external;
    /// Returns the reserved reward to the campaign's budget (to the advertiser if it is closed).
    function reject(uint256 messageId) external;
    /// Anyone, once a message has waited `answerSeconds` unanswered: released as by reject(), so
    /// no reserved reward stays in escrow for ever.
    function expire(uint256 messageId) external;

    // ---- advertisers ----

    /// msg.value is the budget (> 0 and >= rewardPerMessage > 0); endTime in the future;
    /// interestMask != 0; content at most maxContentBytes. Returns the campaign id (from 1).
    function createCampaign(uint256 interestMask, uint32 regionCode, uint256 rewardPerMessage, uint64 endTime,
        string calldata content) external payable returns (uint256 campaignId);
    /// By the campaign's advertiser, before its end time, to an opted-in user who matches (interests
    /// overlap; campaign region 0 or the user's; reward >= the user's minimum), has not blocked the
    /// advertiser, has not had this campaign and has room in their inbox. Reserves one reward.
    /// Returns the message id (from 1).
    function sendMessage(uint256 campaignId, address user) external returns (uint256 messageId);
    /// By the advertiser, at or after endTime: refunds the unreserved budget. Once.
    function closeCampaign(uint256 campaignId) external;
    /// By the advertiser, a member of the group (IGroups at 0x...CC05), before any message is
    /// sent, once: from then on only the group's members may receive the campaign's messages.
    function restrictToGroup(uint256 campaignId, uint256 groupId) external;

    // ---- views ----

    function profile(address user) external view
        returns (bool optedIn, uint256 interestMask, uint32 regionCode, uint256 minReward);
    function campaign(uint256 campaignId) external view returns (Campaign memory);
    function message(uint256 messageId) external view returns (Message memory);
    /// The group whose members alone may receive the campaign's messages (0: anyone).
    function campaignGroup(uint256 campaignId) external view returns (uint256 groupId);
    /// The user's pending message ids.
    function inbox(address user) external view returns (uint256[] memory);
    function isBlocked(address user, address advertiser) external view returns (bool);
    /// campaigns and messages created so far; funds: the CMT (wei) the precompile holds.
    function totals() external view returns (uint256 campaigns, uint256 messages, uint256 funds);
    function params() external view returns (Params memory);
}
