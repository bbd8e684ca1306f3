// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The arbitration precompile at 0x000000000000000000000000000000000000CC03
/// @notice Arbitrated escrow. A buyer escrows CMT for a seller with openOrder; `feeBps` of it is
/// the arbitration fee reserve. confirmDelivery (buyer) pays the seller the escrow less the reserve
/// and gives the reserve back to the buyer (no dispute happened, nobody earned it); refund (seller)
/// returns the whole escrow. Until deliveryDeadline + disputeWindowSeconds either party may
/// raiseDispute: `arbitersPerCase` (odd) distinct arbiters are drawn from the staked pool, never the
/// buyer or the seller, seeded by keccak(previous block hash || order id). Each votes once within
/// `votingSeconds`. The majority of votes cast decides (a tie goes to the buyer); the majority
/// voters share the fee reserve plus the penalties of silent arbiters (`arbiterPenaltyBps` of their
/// stake), the remainder of that division goes to the winning party; a dispute without any vote
/// refunds the buyer the whole escrow plus the penalties. Every state times out through settle(),
/// which anyone may call: an open order past its dispute window pays the seller (reserve back to
/// the buyer), a dispute past its voting period is decided. Arbiters leave with leavePool (no open
/// case) and withdraw after `unbondingSeconds`. Every bad call reverts with a reason string and
/// changes nothing.
interface IArbitration {
    /// Order.state: 1 Open, 2 Disputed, 3 Confirmed, 4 Refunded, 5 Settled (timeout), 6 Resolved
    /// Order.outcome: 0 none yet, 1 released to the seller, 2 refunded to the buyer
    /// caseArbiters votes: 0 not voted, 1 refund the buyer, 2 release to the seller
    struct Order {
        uint256 id;
        address buyer;
        address seller;
        bytes32 orderRef;
        uint256 escrow;          // wei, fee reserve included
        uint256 feeReserve;      // wei
        uint64 deliveryDeadline; // unix seconds (block time)
        uint64 openedAt;
        uint8 state;
        uint8 outcome;
        address disputedBy;      // 0 if never disputed
        string disputeReason;
        uint64 disputedAt;
        uint64 votingEnds;
        uint8 arbiterCount;
        uint8 votesRefund;
        uint8 votesRelease;
        uint64 endedAt;          // 0 while the order runs
        uint8 buyerStars;        // the buyer's review of the seller, 0: none
        uint8 sellerStars;       // the seller's review of the buyer, 0: none
    }

    struct Arbiter {
        uint256 stake;           // wei bonded in the pool (after penalties)
        uint256 unbondingAmount; // wei that left the pool
        uint64 unbondingUntil;   // withdrawable from this time
        uint256 openCases;
        bool inPool;
    }

    struct Params {
        uint256 minArbiterStake;
        uint8 arbitersPerCase;
        uint16 feeBps;
        uint64 disputeWindowSeconds;
        uint64 votingSeconds;
        uint16 arbiterPenaltyBps;
        uint64 unbondingSeconds;
    }

    event ArbiterJoined(address indexed arbiter, uint256 amount, uint256 stake);
    event ArbiterLeft(address indexed arbiter, uint256 amount, uint64 unbondingUntil);
    event StakeWithdrawn(address indexed arbiter, uint256 amount);
    event OrderOpened(uint256 indexed id, address indexed buyer, address indexed seller, bytes32 orderRef,
                      uint256 escrow, uint256 feeReserve, uint64 deliveryDeadline);
    event DeliveryConfirmed(uint256 indexed id, address indexed buyer, address indexed seller, uint256 toSeller,
                            uint256 feeReturned);
    event OrderRefunded(uint256 indexed id, address indexed seller, address indexed buyer, uint256 amount);
    event DisputeRaised(uint256 indexed id, address indexed by, string reason, uint64 votingEnds);
    event ArbitersDrawn(uint256 indexed id, address[] arbiters);
    event Voted(uint256 indexed id, address indexed arbiter, bool refundBuyer);
    event ArbiterPenalized(uint256 indexed id, address indexed arbiter, uint256 amount);
    event ArbiterRewarded(uint256 indexed id, address indexed arbiter, uint256 amount);
    event DisputeResolved(uint256 indexed id, bool refundBuyer, uint256 votesRefund, uint256 votesRelease,
                          uint256 toWinner, uint256 perVoter);
    event OrderSettled(uint256 indexed id, address indexed seller, address indexed buyer, uint256 toSeller,
                       uint256 feeReturned);
    event Reviewed(uint256 indexed id, address indexed reviewer, address indexed subject, uint8 stars,
                   string comment);

    // ---- arbiter pool ----
    /// Stake CMT (msg.value) and join the pool; joining again adds stake. The stake after the call
    /// must reach minArbiterStake (an arbiter penalized below it is not drawn until it tops up).
    function joinPool() external payable;
    /// Leave the pool (no open case): the whole stake unbonds for unbondingSeconds (added to any
    /// earlier unbonding amount, whose clock restarts).
    function leavePool() external;
    /// Pay back the unbonded stake once its time has come.
    function withdrawStake() external;

    // ---- orders ----
    /// Escrow msg.value for `seller` (not the buyer, not 0, not a system address); returns the id.
    function openOrder(address seller, bytes32 orderRef, uint64 deliveryDeadline) external payable returns (uint256);
    function confirmDelivery(uint256 id) external;
    function refund(uint256 id) external;
    /// Buyer or seller, order open, until deliveryDeadline + disputeWindowSeconds; reason 1..280 bytes.
    function raiseDispute(uint256 id, string calldata reason) external;
    function vote(uint256 id, bool refundBuyer) external;
    /// Anyone: an open order past its dispute window, or a dispute past its voting period.
    function settle(uint256 id) external;
    /// Buyer or seller, once each, after the order ended; stars 1..5, comment up to 280 bytes.
    function review(uint256 id, uint8 stars, string calldata comment) external;

    // ---- views ----
    function order(uint256 id) external view returns (Order memory);
    function orderCount() external view returns (uint256);
    function arbiter(address account) external view returns (Arbiter memory);
    function pool() external view returns (address[] memory);
    function caseArbiters(uint256 id) external view returns (address[] memory arbiters, uint8[] memory votes);
    /// Reviews received: how many and the sum of their stars.
    function reputation(address account) external view returns (uint256 count, uint256 starTotal);
    /// Stakes + unbonding stakes + escrows of running orders: always this precompile's balance.
    function funds() external view returns (uint256);
    function params() external view returns (Params memory);
}
