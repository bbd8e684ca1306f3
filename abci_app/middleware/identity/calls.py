"""The identity precompile's Solidity functions (contracts/interfaces/IIdentity.sol).

Each call is thin: CHECKS (a bad call reverts with a reason and changes nothing; the order of the
issue checks is rules.issue_refusal), GAS (the fixed cost per function; the framework adds gas per
stored word and per log), EFFECTS through state.py, EVENTS. CMT enters only as the bond of
registerAttester and leaves only through ctx.pay in unregisterAttester; `funds` follows both.
Every call touches a fixed number of records: nothing loops over claims or attesters.
"""

import dataclasses

from eth_utils import to_canonical_address

from ...errors import CallError
from ...precompiles import CallContext, address_int, function
from . import events, rules, views
from .records import DROPPED, ISSUED, REVOKED, Attester, Claim
from .state import IdentityState

GAS_REGISTER = 30_000
GAS_UNREGISTER = 30_000
GAS_ISSUE = 25_000
GAS_REVOKE = 15_000
GAS_DROP = 15_000
GAS_VIEW = 3_000


def _word(value: bytes) -> int:
    return int.from_bytes(value, "big")


class IdentityCalls:
    """The functions of the identity precompile."""

    # ---- attesters ---------------------------------------------------------------------------

    @function("registerAttester()", gas=GAS_REGISTER, payable=True)
    def register_attester(self, ctx: CallContext) -> None:
        st = IdentityState(ctx.storage)
        # CHECKS
        attester = st.attester(ctx.sender)
        if attester.registered:
            raise CallError("already an attester")
        minimum = st.params().min_attester_bond_wei
        if ctx.value_wei < minimum:
            raise CallError(f"bond below the minimum of {minimum} wei")
        # EFFECTS: a new generation, so claims of an earlier registration stay dead
        st.set_attester(ctx.sender, Attester(registered=True, bond_wei=ctx.value_wei, since_s=ctx.now_s,
                                             generation=attester.generation + 1, claims_issued=0))
        st.attesters.add(ctx.sender)
        st.add_funds(ctx.value_wei)
        # EVENTS
        ctx.emit(events.ATTESTER_REGISTERED, ctx.sender, ctx.value_wei)

    @function("unregisterAttester()", gas=GAS_UNREGISTER)
    def unregister_attester(self, ctx: CallContext) -> None:
        """Leave and take the bond back; every claim of this registration stops counting."""
        st = IdentityState(ctx.storage)
        # CHECKS
        attester = st.attester(ctx.sender)
        if not attester.registered:
            raise CallError("not an attester")
        # EFFECTS: the generation is kept, so hasClaim sees `registered` false now and a
        # generation mismatch after any later registration
        st.set_attester(ctx.sender, dataclasses.replace(attester, registered=False, bond_wei=0))
        st.attesters.remove(ctx.sender)
        st.add_funds(-attester.bond_wei)
        ctx.pay(ctx.sender, attester.bond_wei)
        # EVENTS
        ctx.emit(events.ATTESTER_UNREGISTERED, ctx.sender, attester.bond_wei)

    # ---- claims ------------------------------------------------------------------------------

    @function("issueClaim(address,bytes32,uint64,bytes32)", gas=GAS_ISSUE)
    def issue_claim(self, ctx: CallContext, subject: str, claim_type: bytes, expiry_s: int,
                    data_hash: bytes) -> None:
        st = IdentityState(ctx.storage)
        subject = to_canonical_address(subject)
        # CHECKS
        attester = st.attester(ctx.sender)
        claim = st.claim(ctx.sender, subject, claim_type)
        refusal = rules.issue_refusal(attester, claim, subject=address_int(subject), claim_type=_word(claim_type),
                                      expiry_s=expiry_s, now_s=ctx.now_s)
        if refusal:
            raise CallError(refusal)
        # EFFECTS: a new claim, or a renewal of the one there (revoked or from an earlier registration)
        st.set_claim(ctx.sender, subject, claim_type,
                     Claim(ISSUED, attester.generation, expiry_s, _word(data_hash), ctx.now_s))
        st.set_attester(ctx.sender, dataclasses.replace(attester, claims_issued=attester.claims_issued + 1))
        st.count_claim()
        # EVENTS
        ctx.emit(events.CLAIM_ISSUED, ctx.sender, subject, claim_type, expiry_s, data_hash)

    @function("revokeClaim(address,bytes32)", gas=GAS_REVOKE)
    def revoke_claim(self, ctx: CallContext, subject: str, claim_type: bytes) -> None:
        st = IdentityState(ctx.storage)
        subject = to_canonical_address(subject)
        # CHECKS
        attester = st.attester(ctx.sender)
        if not attester.registered:
            raise CallError("not an attester")
        claim = st.claim(ctx.sender, subject, claim_type)
        if not rules.is_current(claim, attester):
            raise CallError("no such claim")
        # EFFECTS
        st.set_claim(ctx.sender, subject, claim_type, dataclasses.replace(claim, status=REVOKED))
        # EVENTS
        ctx.emit(events.CLAIM_REVOKED, ctx.sender, subject, claim_type)

    @function("dropClaim(address,bytes32)", gas=GAS_DROP)
    def drop_claim(self, ctx: CallContext, attester: str, claim_type: bytes) -> None:
        """The subject removes a claim about itself, for good: the attester cannot issue it again."""
        st = IdentityState(ctx.storage)
        attester = to_canonical_address(attester)
        # CHECKS
        claim = st.claim(attester, ctx.sender, claim_type)
        if claim.status != ISSUED:
            raise CallError("no such claim")
        # EFFECTS
        st.set_claim(attester, ctx.sender, claim_type, dataclasses.replace(claim, status=DROPPED))
        # EVENTS
        ctx.emit(events.CLAIM_DROPPED, attester, ctx.sender, claim_type)

    # ---- views -------------------------------------------------------------------------------

    @function("hasClaim(address,bytes32,address)", gas=GAS_VIEW, view=True, returns=("bool",))
    def has_claim(self, ctx: CallContext, subject: str, claim_type: bytes, attester: str) -> bool:
        st = IdentityState(ctx.storage)
        attester = to_canonical_address(attester)
        claim = st.claim(attester, to_canonical_address(subject), claim_type)
        return rules.is_live(claim, st.attester(attester), ctx.now_s)

    @function("getClaim(address,bytes32,address)", gas=GAS_VIEW, view=True, returns=(views.CLAIM_ABI,))
    def get_claim(self, ctx: CallContext, subject: str, claim_type: bytes, attester: str) -> tuple:
        return views.claim_tuple(IdentityState(ctx.storage), to_canonical_address(subject), claim_type,
                                 to_canonical_address(attester), ctx.now_s)

    @function("attester(address)", gas=GAS_VIEW, view=True, returns=(views.ATTESTER_ABI,))
    def attester(self, ctx: CallContext, address: str) -> tuple:
        return views.attester_tuple(IdentityState(ctx.storage), to_canonical_address(address))

    @function("totals()", gas=GAS_VIEW, view=True, returns=("uint256", "uint256", "uint256"))
    def totals(self, ctx: CallContext) -> tuple[int, int, int]:
        """(attesters registered, claims issued ever, CMT bonded in wei)."""
        st = IdentityState(ctx.storage)
        return len(st.attesters), st.claim_count, st.funds_wei

    @function("params()", gas=GAS_VIEW, view=True, returns=(views.PARAMS_ABI,))
    def params(self, ctx: CallContext) -> tuple:
        return views.params_tuple(IdentityState(ctx.storage).params())
