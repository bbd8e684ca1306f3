// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The staking precompile at 0x000000000000000000000000000000000000CC01
/// @notice Delegated proof of stake: candidates declare with an ed25519 consensus key and a
/// self-stake; anyone delegates CMT to them; the top `maxValidators` active, unjailed candidates by
/// tokens become CometBFT validators (power = tokens / 1e18, capped at `maxPowerShareBps` of the
/// total). Stake is held as shares of each candidate's pool, so slashing lowers every share at once.
/// Undelegated CMT is paid out automatically after `unbondingSeconds` of block time.
/// Every bad call reverts with a reason string and changes nothing.
interface IStaking {
    struct Candidate {
        address operator;
        bytes32 pubKey;         // ed25519 consensus key (the one CometBFT signs with)
        bytes32 nextPubKey;     // a rotation waiting for the next validator-set update, or 0
        uint256 tokens;         // wei bonded to the pool (self-stake and delegations, after slashes)
        uint256 shares;         // total shares of the pool
        uint256 selfShares;     // the operator's own shares
        uint16 commissionBps;
        bool active;            // false after deactivate() or withdrawCandidacy()
        bool jailed;
        uint64 jailedUntil;     // unix seconds; type(uint64).max: jailed for good (double sign)
        uint256 power;          // current CometBFT voting power, 0 when not a validator
        string name;
        string website;
        string details;
    }

    struct Delegation {
        address candidate;
        uint256 shares;
        uint256 tokens;         // what the shares are worth now
    }

    struct Unbonding {
        address candidate;
        uint256 amount;         // wei, paid out at completionTime (less any later slash)
        uint64 startHeight;
        uint64 completionTime;  // unix seconds (block time)
    }

    struct Params {
        uint16 minSelfStakeRatioBps;
        uint256 minDelegation;
        uint16 maxValidators;
        uint64 unbondingSeconds;
        uint16 maxCommissionChangeBps;  // per day
        uint16 maxPowerShareBps;
        uint16 slashDoubleSignBps;
        uint16 slashDowntimeBps;
        uint32 downtimeWindow;
        uint32 downtimeMaxMissed;
        uint64 jailSeconds;
        uint256 minUndelegation;     // wei; an undelegation of less must take the whole delegation
    }

    event CandidacyDeclared(address indexed candidate, bytes32 pubKey, uint256 selfStake, uint16 commissionBps);
    event CandidacyUpdated(address indexed candidate, bytes32 nextPubKey);
    event CommissionChanged(address indexed candidate, uint16 commissionBps);
    event CandidacyWithdrawn(address indexed candidate);
    event CandidateActivated(address indexed candidate);
    event CandidateDeactivated(address indexed candidate);
    event Delegated(address indexed delegator, address indexed candidate, uint256 amount, uint256 shares);
    event Undelegated(address indexed delegator, address indexed candidate, uint256 amount, uint64 completionTime);
    event Redelegated(address indexed delegator, address indexed from, address indexed to, uint256 amount);
    /// Rewards paid to a delegator: on withdrawal, and whenever its delegation changes.
    event RewardsWithdrawn(address indexed delegator, address indexed candidate, uint256 amount);
    event CommissionWithdrawn(address indexed candidate, uint256 amount);

    /// msg.value is the self-stake. commissionBps in [0, 10000].
    function declareCandidacy(bytes32 pubKey, uint16 commissionBps, string calldata name, string calldata website,
        string calldata details) external payable;
    /// pubKey 0 keeps the key; another key replaces it at the next validator-set update.
    function updateCandidacy(bytes32 pubKey, string calldata name, string calldata website, string calldata details)
        external;
    /// At most maxCommissionChangeBps away from the rate of a day ago.
    function setCommission(uint16 commissionBps) external;
    /// Leaves the candidate list: every delegation, self-stake included, starts unbonding.
    function withdrawCandidacy() external;
    /// Back into the running after deactivate(), or after a downtime jail has ended.
    function activate() external;
    function deactivate() external;

    function delegate(address candidate) external payable;
    function undelegate(address candidate, uint256 amount) external;
    function redelegate(address from, address to, uint256 amount) external;

    function candidate(address operator) external view returns (Candidate memory);
    function candidates() external view returns (address[] memory);
    /// The current validator set, ranked, with their powers.
    function validators() external view returns (address[] memory operators, uint256[] memory powers);
    function delegation(address delegator, address candidate) external view returns (uint256 shares, uint256 tokens);
    function delegations(address delegator) external view returns (Delegation[] memory);
    function unbondings(address delegator) external view returns (Unbonding[] memory);
    function params() external view returns (Params memory);

    /// Pays the caller's rewards from one candidate's pool.
    function withdrawRewards(address candidate) external;
    /// Pays the caller's rewards from every pool it delegates to.
    function withdrawAllRewards() external;
    /// Pays the caller (a candidate) its accumulated commission.
    function withdrawCommission() external;
    function pendingRewards(address delegator, address candidate) external view returns (uint256);
    function pendingCommission(address candidate) external view returns (uint256);
    /// total = genesis + minted - burned (== the sum of all balances); annualProvision: this
    /// inflation year's mint (8% of the supply at the year's start).
    function supply() external view returns (uint256 total, uint256 minted, uint256 burned, uint256 cap,
        uint256 annualProvision);
}
