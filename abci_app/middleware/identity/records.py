"""The identity records as they sit in the precompile's storage (see state.py for where).

Only hashes are kept: a claim's type and data are 32-byte words, never personal data."""

from dataclasses import dataclass

NONE, ISSUED, REVOKED, DROPPED = 0, 1, 2, 3   # Claim.status


@dataclass(frozen=True, slots=True)
class Attester:
    """An attester's registration. `generation` counts registrations: a claim is live only while
    its attester is registered in the generation it was issued in, so leaving ends every claim
    at once without touching them (no loop over claims)."""

    registered: bool
    bond_wei: int
    since_s: int            # block time of the registration
    generation: int         # 1 for the first registration, +1 for each later one
    claims_issued: int      # issueClaim calls in this registration (renewals included)


@dataclass(frozen=True, slots=True)
class Claim:
    """What `attester` says about `subject` under `claimType` (one record per triple)."""

    status: int             # NONE, ISSUED, REVOKED or DROPPED
    generation: int         # the attester's generation when issued
    expiry_s: int           # live while block time < expiry_s
    data_hash: int          # bytes32 as an integer: a salted hash of evidence kept off chain
    issued_s: int           # block time of the last issue (or renewal)
