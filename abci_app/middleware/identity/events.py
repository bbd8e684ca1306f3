"""The identity events (EVM logs of 0x...CC06), as declared in IIdentity.sol.
Addresses and the claim type are indexed topics; the rest is ABI-encoded data."""

from ...precompiles import Event

ATTESTER_REGISTERED = Event("AttesterRegistered(address attester,uint256 bond)", indexed=1)
ATTESTER_UNREGISTERED = Event("AttesterUnregistered(address attester,uint256 bond)", indexed=1)
CLAIM_ISSUED = Event(
    "ClaimIssued(address attester,address subject,bytes32 claimType,uint64 expiry,bytes32 dataHash)", indexed=3)
CLAIM_REVOKED = Event("ClaimRevoked(address attester,address subject,bytes32 claimType)", indexed=3)
CLAIM_DROPPED = Event("ClaimDropped(address attester,address subject,bytes32 claimType)", indexed=3)

# Every event of the identity precompile (app/modules.py maps its logs to ABCI events).
EVENTS = (ATTESTER_REGISTERED, ATTESTER_UNREGISTERED, CLAIM_ISSUED, CLAIM_REVOKED, CLAIM_DROPPED)
