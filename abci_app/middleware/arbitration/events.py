"""The arbitration events (EVM logs of 0x...CC03), as declared in IArbitration.sol.
Ids and addresses are indexed topics; the rest is ABI-encoded data."""

from ...precompiles import Event

ARBITER_JOINED = Event("ArbiterJoined(address arbiter,uint256 amount,uint256 stake)", indexed=1)
ARBITER_LEFT = Event("ArbiterLeft(address arbiter,uint256 amount,uint64 unbondingUntil)", indexed=1)
STAKE_WITHDRAWN = Event("StakeWithdrawn(address arbiter,uint256 amount)", indexed=1)
GROUP_ARBITER_JOINED = Event("GroupArbiterJoined(uint256 groupId,address arbiter,uint256 amount,uint256 stake)",
                             indexed=2)
GROUP_ARBITER_LEFT = Event(
    "GroupArbiterLeft(uint256 groupId,address arbiter,uint256 amount,uint64 unbondingUntil)", indexed=2)
GROUP_STAKE_WITHDRAWN = Event("GroupStakeWithdrawn(uint256 groupId,address arbiter,uint256 amount)", indexed=2)
ORDER_IN_GROUP = Event("OrderInGroup(uint256 id,uint256 groupId)", indexed=2)
ORDER_ACCEPTED = Event("OrderAccepted(uint256 id,address seller)", indexed=2)
ORDER_OPENED = Event(
    "OrderOpened(uint256 id,address buyer,address seller,bytes32 orderRef,uint256 escrow,"
    "uint256 feeReserve,uint64 deliveryDeadline)", indexed=3)
DELIVERY_CONFIRMED = Event(
    "DeliveryConfirmed(uint256 id,address buyer,address seller,uint256 toSeller,uint256 feeReturned)", indexed=3)
ORDER_REFUNDED = Event("OrderRefunded(uint256 id,address seller,address buyer,uint256 amount)", indexed=3)
DISPUTE_RAISED = Event("DisputeRaised(uint256 id,address by,string reason,uint256 fee,uint64 drawHeight)", indexed=2)
ARBITERS_DRAWN = Event("ArbitersDrawn(uint256 id,address[] arbiters,uint64 seedHeight,uint64 votingEnds)", indexed=1)
VOTED = Event("Voted(uint256 id,address arbiter,bool refundBuyer)", indexed=2)
ARBITER_PENALIZED = Event("ArbiterPenalized(uint256 id,address arbiter,uint256 amount)", indexed=2)
ARBITER_REWARDED = Event("ArbiterRewarded(uint256 id,address arbiter,uint256 amount)", indexed=2)
DISPUTE_RESOLVED = Event(
    "DisputeResolved(uint256 id,bool refundBuyer,uint256 votesRefund,uint256 votesRelease,"
    "uint256 toWinner,uint256 perVoter)", indexed=1)
ORDER_SETTLED = Event(
    "OrderSettled(uint256 id,address seller,address buyer,uint256 toSeller,uint256 feeReturned)", indexed=3)
REVIEWED = Event("Reviewed(uint256 id,address reviewer,address subject,uint8 stars,string comment)", indexed=3)

# Every event of the arbitration precompile (app/modules.py maps its logs to ABCI events).
EVENTS = (
    ARBITER_JOINED, ARBITER_LEFT, STAKE_WITHDRAWN, GROUP_ARBITER_JOINED, GROUP_ARBITER_LEFT, GROUP_STAKE_WITHDRAWN,
    ORDER_OPENED, ORDER_IN_GROUP, ORDER_ACCEPTED, DELIVERY_CONFIRMED, ORDER_REFUNDED,
    DISPUTE_RAISED, ARBITERS_DRAWN, VOTED, ARBITER_PENALIZED, ARBITER_REWARDED, DISPUTE_RESOLVED, ORDER_SETTLED,
    REVIEWED,
)
