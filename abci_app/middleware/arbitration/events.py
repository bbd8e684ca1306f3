"""The arbitration events (EVM logs of 0x...CC03), as declared in IArbitration.sol.
Ids and addresses are indexed topics; the rest is ABI-encoded data."""

from ...precompiles import Event

ARBITER_JOINED = Event("ArbiterJoined(address,uint256,uint256)", indexed=1)
ARBITER_LEFT = Event("ArbiterLeft(address,uint256,uint64)", indexed=1)
STAKE_WITHDRAWN = Event("StakeWithdrawn(address,uint256)", indexed=1)
ORDER_OPENED = Event("OrderOpened(uint256,address,address,bytes32,uint256,uint256,uint64)", indexed=3)
DELIVERY_CONFIRMED = Event("DeliveryConfirmed(uint256,address,address,uint256,uint256)", indexed=3)
ORDER_REFUNDED = Event("OrderRefunded(uint256,address,address,uint256)", indexed=3)
DISPUTE_RAISED = Event("DisputeRaised(uint256,address,string,uint64)", indexed=2)
ARBITERS_DRAWN = Event("ArbitersDrawn(uint256,address[])", indexed=1)
VOTED = Event("Voted(uint256,address,bool)", indexed=2)
ARBITER_PENALIZED = Event("ArbiterPenalized(uint256,address,uint256)", indexed=2)
ARBITER_REWARDED = Event("ArbiterRewarded(uint256,address,uint256)", indexed=2)
DISPUTE_RESOLVED = Event("DisputeResolved(uint256,bool,uint256,uint256,uint256,uint256)", indexed=1)
ORDER_SETTLED = Event("OrderSettled(uint256,address,address,uint256,uint256)", indexed=3)
REVIEWED = Event("Reviewed(uint256,address,address,uint8,string)", indexed=3)
