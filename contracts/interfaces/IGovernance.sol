// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The governance precompile at 0x000000000000000000000000000000000000CC07
/// @notice Anyone submits a proposal with at least minInitialDeposit (msg.value). Anyone adds to its
/// deposit while it is in its deposit period; reaching minDeposit opens the vote for votingPeriod
/// seconds, and a proposal that never reaches it expires and its deposits are burned (open slots
/// are not free to hold). Accounts with bonded
/// stake vote yes, abstain, no or veto, and may change their vote until it ends; a validator's vote
/// counts for the delegators of its pool who do not vote themselves. At the end of the block that
/// ends the vote: below the quorum of the bonded stake it is rejected; veto above the veto
/// threshold of all votes vetoes it and burns its deposit; otherwise yes above the threshold of
/// yes + no + veto passes it, and it is carried out in that block. After the vote deposits are
/// returned, unless it was vetoed. Every bad call reverts with a reason string and changes nothing;
/// DELEGATECALL and CALLCODE are refused.
interface IGovernance {
    struct Proposal {
        uint8 kind;             // 1 text, 2 param change, 3 community spend, 4 software upgrade, 5 cancel upgrade
        uint8 status;           // 0 unknown, 1 deposit, 2 voting, 3 passed, 4 rejected, 5 vetoed, 6 expired, 7 failed
        address proposer;
        uint64 submitTime;      // unix seconds (block time)
        uint64 depositEnd;
        uint64 votingEnd;       // 0 until the deposit reaches minDeposit
        uint256 deposit;        // wei, all deposits
        uint256 value;          // param change: the new value; spend: the amount; upgrade: the height
        address recipient;      // community spend only
        uint64 endedHeight;     // the block that ended it (0 while open)
        uint256 yes;            // the final tally in wei of bonded stake (zeros while open)
        uint256 abstain;
        uint256 no;
        uint256 veto;
        uint256 bonded;         // the bonded stake the votes were measured against
        string title;
        string description;
        string target;          // param change: "module.param"; upgrade and cancel: the plan name
        string info;            // software upgrade: what operators need (binaries, checksums)
        string outcome;         // why it ended as it did ("passed", "quorum not reached", "not applied: ...")
    }

    struct Tally {
        uint256 yes;
        uint256 abstain;
        uint256 no;
        uint256 veto;
        uint256 bonded;
    }

    struct Params {
        uint256 minDeposit;         // wei that opens the vote (default 10,000 CMT)
        uint256 minInitialDeposit;  // wei a submission must bring (default 1,000 CMT)
        uint64 depositPeriod;       // seconds (default 2 days)
        uint64 votingPeriod;        // seconds (default 2 days)
        uint16 quorum;              // bps of the bonded stake (default 3,340)
        uint16 threshold;           // bps of yes + no + veto (default 5,000)
        uint16 vetoThreshold;       // bps of all votes (default 3,340)
        uint16 maxActiveProposals;  // in deposit or voting at once (default 20)
    }

    struct UpgradePlan {
        string name;                // height 0: none scheduled
        uint256 height;
        string info;
        uint256 proposalId;
    }

    event ProposalSubmitted(uint256 indexed proposalId, address indexed proposer, uint8 kind, string title,
        string target, uint256 value);
    event Deposited(uint256 indexed proposalId, address indexed depositor, uint256 amount, uint256 total);
    event VotingStarted(uint256 indexed proposalId, uint256 votingEnd);
    event Voted(uint256 indexed proposalId, address indexed voter, uint8 option);

    // ---- proposals (msg.value is the first deposit) ----

    /// title 1 to 140 bytes, description at most 10,000 bytes (every submit).
    function submitText(string calldata title, string calldata description) external payable
        returns (uint256 proposalId);

    /// param: "module.param" (staking, economics, coupons, ads, arbitration, identity, groups,
    /// governance); the changed params must pass the module's rules now and when applied.
    function submitParamChange(string calldata title, string calldata description, string calldata param,
        uint256 value) external payable returns (uint256 proposalId);

    /// Paid from the community pool when it passes, if the pool holds the amount then.
    function submitCommunitySpend(string calldata title, string calldata description, address recipient,
        uint256 amount) external payable returns (uint256 proposalId);

    /// name: 1 to 64 of a-z 0-9 . _ -; height after this block; info at most 1,024 bytes. Passing
    /// replaces any plan scheduled before.
    function submitUpgrade(string calldata title, string calldata description, string calldata name,
        uint256 height, string calldata info) external payable returns (uint256 proposalId);

    /// Cancels the plan `name` if it is still the scheduled one when this passes.
    function submitCancelUpgrade(string calldata title, string calldata description, string calldata name)
        external payable returns (uint256 proposalId);

    /// While the proposal is in its deposit period; at most 50 depositors per proposal, each bringing
    /// at least minDeposit / 50 the first time (then any amount).
    function deposit(uint256 proposalId) external payable;

    /// option: 1 yes, 2 abstain, 3 no, 4 veto. The sender must hold a delegation (a validator's
    /// operator holds its self-stake); a second vote replaces the first.
    function vote(uint256 proposalId, uint8 option) external;

    // ---- views ----

    function proposal(uint256 proposalId) external view returns (Proposal memory);
    /// The final tally once the vote ended; the running one while it is open.
    function tally(uint256 proposalId) external view returns (Tally memory);
    function voteOf(uint256 proposalId, address voter) external view returns (uint8 option);
    function depositOf(uint256 proposalId, address depositor) external view returns (uint256 amount);
    function proposalCount() external view returns (uint256);
    function activeProposals() external view returns (uint256[] memory);
    /// CMT the community pool holds (a share of each block's mint: economics.community_pool_bps).
    function communityPool() external view returns (uint256);
    function upgradePlan() external view returns (UpgradePlan memory);
    function params() external view returns (Params memory);
}
