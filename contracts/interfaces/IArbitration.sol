// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The arbitration precompile at 0x000000000000000000000000000000000000CC03
/// @notice Arbitrated escrow. A buyer escrows CMT for a seller with openOrder; `feeBps` of it is
/// the arbitration fee reserve. confirmDelivery (buyer) pays the seller the escrow less the reserve
/// and gives the reserve back to the buyer (no dispute happened, nobody earned it); refund (seller)
/// returns the whole escrow. Until deliveryDeadline + disputeWindowSeconds either party may
/// raiseDispute, paying `disputeFee`: it records a draw height `drawDelayBlocks` blocks on and
/// draws nobody. From the block after it, the first of drawArbiters (anyone), vote or settle draws
/// up to `arbitersPerCase` (odd) distinct arbiters from the staked pool, never the buyer or the
/// seller, only members eligible at the seed block: the lowest keccak(seed || address), seed =
/// keccak(hash of the draw block || order id) (drawn later than BLOCKHASH reaches, the latest
/// block at the draw height plus a multiple of 256). Nobody who sends or includes the dispute
/// knows the panel. Each arbiter votes once within `votingSeconds` of the draw. The majority of
/// votes cast decides (a tie goes to the buyer); the majority voters share the fee reserve plus
/// the penalties of silent arbiters (`arbiterPenaltyBps` of their stake), the remainder of that
/// division goes to the winning party; every voter gets an equal share of the dispute fee (the
/// remainder to the first in draw order); a dispute without any vote refunds the buyer the whole
/// escrow plus the penalties, and the dispute fee to whoever raised it. Every state times out
/// through settle(), which anyone may call: an open order past its dispute window pays the seller
/// (reserve back to the buyer), a dispute not drawn yet is drawn, a dispute past its voting period
/// is decided. An order records what each party received when it ended (paidToBuyer,
/// paidToSeller). Arbiters leave with leavePool (no open case) and withdraw after
/// `unbondingSeconds`. Every bad call reverts with a reason string and changes nothing.
/// A group (IGroups at 0x...CC05) has its own pool of experts: members join it with joinGroupPool.
/// An order opened in a group (the seller a member) draws its panel from that pool, among those
/// members when the dispute was raised; when fewer than arbitersPerCase qualify, from the global
/// pool (panelGroup 0).
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
        uint256 disputeFee;      // wei the raiser paid (0 if never disputed)
        uint64 drawHeight;       // the panel is drawn from this block's hash, from the block after it
        uint64 seedHeight;       // the block whose hash drew the panel, 0: not drawn yet
        uint256 paidToBuyer;     // wei the buyer received when the order ended
        uint256 paidToSeller;    // wei the seller received when the order ended
        uint256 groupId;         // the group the order was opened in, 0: none
        uint256 panelGroup;      // the pool the panel came from: groupId, or 0 (global; also before the draw)
        uint64 acceptedAt;       // when the seller accepted the order, 0: not accepted
    }

    struct Arbiter {
        uint256 stake;           // wei bonded in the pool (after penalties)
        uint256 unbondingAmount; // wei that left the pool
        uint64 unbondingUntil;   // withdrawable from this time
        uint256 openCases;
        bool inPool;
    }

    /// What an address's ended orders say about it (the arbitration README defines each field).
    struct Credit {
        uint256 ordersAsBuyer;   // ended orders it bought
        uint256 volumeAsBuyer;   // wei: their escrows
        uint256 ordersAsSeller;  // ended orders it sold
        uint256 volumeAsSeller;  // wei: their escrows
        uint256 disputesWon;     // decided disputes whose outcome went its way
        uint256 disputesLost;    // decided disputes whose outcome went the other way
        uint256 reviewsReceived; // reviews its counterparties wrote about it
        uint256 starsReceived;   // their stars, summed
        uint64 firstActivity;    // block time its first order ended, 0: none yet
        uint64 lastActivity;     // block time its latest order ended
    }

    struct Params {
        uint256 minArbiterStake;
        uint8 arbitersPerCase;
        uint16 feeBps;
        uint64 disputeWindowSeconds;
        uint64 votingSeconds;
        uint16 arbiterPenaltyBps;
        uint64 unbondingSeconds;
        uint256 disputeFee;
        uint16 drawDelayBlocks;
    }

    event ArbiterJoined(address indexed arbiter, uint256 amount, uint256 stake);
    event ArbiterLeft(address indexed arbiter, uint256 amount, uint64 unbondingUntil);
    event StakeWithdrawn(address indexed arbiter, uint256 amount);
    event GroupArbiterJoined(uint256 indexed groupId, address indexed arbiter, uint256 amount, uint256 stake);
    event GroupArbiterLeft(uint256 indexed groupId, address indexed arbiter, uint256 amount, uint64 unbondingUntil);
    event GroupStakeWithdrawn(uint256 indexed groupId, address indexed arbiter, uint256 amount);
    event OrderInGroup(uint256 indexed id, uint256 indexed groupId);
    event OrderAccepted(uint256 indexed id, address indexed seller);
    event OrderOpened(uint256 indexed id, address indexed buyer, address indexed seller, bytes32 orderRef,
                      uint256 escrow, uint256 feeReserve, uint64 deliveryDeadline);
    event DeliveryConfirmed(uint256 indexed id, address indexed buyer, address indexed seller, uint256 toSeller,
                            uint256 feeReturned);
    event OrderRefunded(uint256 indexed id, address indexed seller, address indexed buyer, uint256 amount);
    event DisputeRaised(uint256 indexed id, address indexed by, string reason, uint256 fee, uint64 drawHeight);
    event ArbitersDrawn(uint256 indexed id, address[] arbiters, uint64 seedHeight, uint64 votingEnds);
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
    /// The same three for a group's pool: joining requires membership of the group (leaving and
    /// withdrawing do not). The stake, the minimum and the unbonding are as in the global pool.
    function joinGroupPool(uint256 groupId) external payable;
    function leaveGroupPool(uint256 groupId) external;
    function withdrawGroupStake(uint256 groupId) external;

    // ---- orders ----
    /// Escrow msg.value for `seller` (not the buyer, not 0, not a system address); returns the id.
    function openOrder(address seller, bytes32 orderRef, uint64 deliveryDeadline) external payable returns (uint256);
    /// openOrder in a group whose member the seller is: a dispute is decided by the group's arbiters.
    function openGroupOrder(address seller, bytes32 orderRef, uint64 deliveryDeadline, uint256 groupId)
        external payable returns (uint256);
    /// The seller, order open, once: takes the order on. Only an accepted order counts on the
    /// seller's side of credit (its end, the buyer's review, a dispute the seller loses), so nobody
    /// writes into a seller's record with orders it never agreed to.
    function acceptOrder(uint256 id) external;
    function confirmDelivery(uint256 id) external;
    function refund(uint256 id) external;
    /// Buyer or seller, order open, until deliveryDeadline + disputeWindowSeconds; reason 1..280
    /// bytes; msg.value exactly disputeFee. Draws nobody: see drawArbiters.
    function raiseDispute(uint256 id, string calldata reason) external payable;
    /// Anyone, from the block after the dispute's drawHeight: draws its arbiters (vote and settle
    /// do it too when they come first).
    function drawArbiters(uint256 id) external;
    /// A drawn arbiter, once, before votingEnds.
    function vote(uint256 id, bool refundBuyer) external;
    /// Anyone: an open order past its dispute window, a dispute not drawn yet (draws it), or a
    /// dispute past its voting period.
    function settle(uint256 id) external;
    /// Buyer or seller, once each, after the order ended; stars 1..5, comment up to 280 bytes.
    /// The stars go into the counterparty's credit; the buyer reviews only an order the seller accepted.
    function review(uint256 id, uint8 stars, string calldata comment) external;

    // ---- views ----
    function order(uint256 id) external view returns (Order memory);
    function orderCount() external view returns (uint256);
    function arbiter(address account) external view returns (Arbiter memory);
    function pool() external view returns (address[] memory);
    function groupArbiter(uint256 groupId, address account) external view returns (Arbiter memory);
    function groupPool(uint256 groupId) external view returns (address[] memory);
    function caseArbiters(uint256 id) external view returns (address[] memory arbiters, uint8[] memory votes);
    /// The account's credit record, kept as each of its orders ends and each review of it is
    /// written, and its score: 0..999, 0 without an ended order (the formula is in the README).
    function credit(address account) external view returns (Credit memory record, uint256 score);
    /// Stakes + unbonding stakes + escrows of running orders: always this precompile's balance.
    function funds() external view returns (uint256);
    function params() external view returns (Params memory);
}
