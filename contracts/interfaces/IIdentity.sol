// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The identity precompile at 0x000000000000000000000000000000000000CC06
/// @notice Anyone may register as an attester by bonding CMT (msg.value, at least minAttesterBond).
/// An attester issues claims about subjects: (subject, claimType, expiry, dataHash), one per
/// (attester, subject, claimType); issuing again renews it. Only hashes are stored, never personal
/// data: claimType names a kind of claim (e.g. keccak256("miles.phone.verified")) and dataHash is a
/// salted hash of the evidence the attester keeps off chain. The attester may revoke a claim; the
/// subject may drop a claim about itself, for good. Contracts and groups ask hasClaim(): true while
/// the claim is issued, not expired (block time), and its attester is still registered in the
/// registration it was issued in. unregisterAttester returns the bond and ends every claim of that
/// registration (registering again does not revive them). Every bad call reverts with a reason
/// string and changes nothing; DELEGATECALL and CALLCODE are refused.
interface IIdentity {
    struct Attester {
        bool registered;
        uint256 bond;               // wei held while registered
        uint64 since;               // unix seconds (block time) of the registration
        uint64 generation;          // registrations so far: a claim counts only in its own
        uint64 claimsIssued;        // issueClaim calls in this registration (renewals included)
    }

    struct Claim {
        uint8 status;               // 0 none, 1 issued, 2 revoked, 3 dropped (as stored)
        uint64 expiry;              // unix seconds (block time); counts while block time < expiry
        bytes32 dataHash;
        uint64 issuedAt;            // unix seconds (block time) of the last issue or renewal
        bool valid;                 // what hasClaim answers now
    }

    struct Params {
        uint256 minAttesterBond;    // wei (default 100 CMT)
    }

    event AttesterRegistered(address indexed attester, uint256 bond);
    event AttesterUnregistered(address indexed attester, uint256 bond);
    event ClaimIssued(address indexed attester, address indexed subject, bytes32 indexed claimType, uint64 expiry,
        bytes32 dataHash);
    event ClaimRevoked(address indexed attester, address indexed subject, bytes32 indexed claimType);
    event ClaimDropped(address indexed attester, address indexed subject, bytes32 indexed claimType);

    // ---- attesters ----

    /// msg.value is the bond, at least minAttesterBond. Not while registered.
    function registerAttester() external payable;
    /// Returns the whole bond; every claim of this registration stops counting.
    function unregisterAttester() external;

    // ---- claims ----

    /// By a registered attester: subject not 0, claimType not 0, expiry in the future, and the
    /// subject has not dropped this claim. Renews a claim already there (new expiry and dataHash).
    function issueClaim(address subject, bytes32 claimType, uint64 expiry, bytes32 dataHash) external;
    /// By the attester, for a claim of its present registration (expired or not).
    function revokeClaim(address subject, bytes32 claimType) external;
    /// By the subject, for an issued claim about itself; the attester cannot issue it again.
    function dropClaim(address attester, bytes32 claimType) external;

    // ---- views ----

    function hasClaim(address subject, bytes32 claimType, address attester) external view returns (bool);
    function getClaim(address subject, bytes32 claimType, address attester) external view returns (Claim memory);
    function attester(address account) external view returns (Attester memory);
    /// attesters registered now; claims issued ever (renewals included); funds: the bonds (wei) held.
    function totals() external view returns (uint256 attesters, uint256 claims, uint256 funds);
    function params() external view returns (Params memory);
}
