"""Read-only answers about identity as Solidity tuples (the ABI types live here, next to the builders)."""

from . import rules
from .params import IdentityParams
from .state import IdentityState

ATTESTER_ABI = "(bool,uint256,uint64,uint64,uint64)"
CLAIM_ABI = "(uint8,uint64,bytes32,uint64,bool)"
PARAMS_ABI = "(uint256)"


def attester_tuple(st: IdentityState, address: bytes) -> tuple:
    """IIdentity.Attester: registered, bond, since, generation, claimsIssued."""
    a = st.attester(address)
    return a.registered, a.bond_wei, a.since_s, a.generation, a.claims_issued


def claim_tuple(st: IdentityState, subject: bytes, claim_type: bytes, attester: bytes, now_s: int) -> tuple:
    """IIdentity.Claim: status (as stored), expiry, dataHash, issuedAt, valid (what hasClaim says)."""
    c = st.claim(attester, subject, claim_type)
    return (c.status, c.expiry_s, c.data_hash.to_bytes(32, "big"), c.issued_s,
            rules.is_live(c, st.attester(attester), now_s))


def params_tuple(params: IdentityParams) -> tuple:
    return (params.min_attester_bond_wei,)
