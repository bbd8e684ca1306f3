"""The groups records as they sit in the precompile's storage (see state.py for where).

Addresses and the claim type are stored as one word (an int) so a record load is one read per field."""

from dataclasses import dataclass

OPEN, APPROVAL, MIN_CMT, MIN_TOKEN, CLAIM = 0, 1, 2, 3, 4   # Group.rule
RULES = (OPEN, APPROVAL, MIN_CMT, MIN_TOKEN, CLAIM)

NONE, PENDING, MEMBER, REMOVED = 0, 1, 2, 3   # Membership.status


@dataclass(frozen=True, slots=True)
class Group:
    """A group. Its members are the `members` set of state.py (its length is the member count);
    `closed` ends every membership at once, without touching them."""

    owner: int              # address as an integer; a member and a moderator for the group's life
    rule: int               # OPEN, APPROVAL, MIN_CMT, MIN_TOKEN or CLAIM
    token: int              # MIN_TOKEN: the ERC-20 asked for balanceOf (else 0)
    min_balance: int        # MIN_CMT (wei) or MIN_TOKEN (the token's units): the least a joiner holds
    attester: int           # CLAIM: the attester the group trusts (else 0)
    claim_type: int         # CLAIM: bytes32 as an integer (else 0)
    bond_wei: int           # paid at creation, back to the owner at close
    created_s: int          # block time of createGroup
    moderator_count: int    # the owner included
    closed: bool
    name: str               # 1 to 64 bytes of UTF-8
    category: str           # 0 to 64 bytes of UTF-8


@dataclass(frozen=True, slots=True)
class Membership:
    """An account's standing in one group."""

    status: int             # NONE, PENDING, MEMBER or REMOVED
    since_s: int            # block time of the last change of status
    moderator: bool         # only while MEMBER
