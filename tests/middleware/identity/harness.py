"""Talking to the identity precompile like a wallet: the staking harness pointed at 0x...CC06,
plus a snapshot of everything the identity module stores for the test keys (so a revert can be
shown to change nothing) and the bonds check (funds == balance == the registered bonds == owed)."""

from eth_hash.auto import keccak

from abci_app.middleware import identity

from ...chain import CMT
from ...staking.harness import staking_state
from ..harness import ModuleChain, canonical, decode_data, topic  # noqa: F401  (re-exported for the tests)

IDENTITY = "0x" + identity.ADDRESS.hex()
MIN_BOND = 100 * CMT

REGISTER = "registerAttester()"
UNREGISTER = "unregisterAttester()"
ISSUE = "issueClaim(address,bytes32,uint64,bytes32)"
REVOKE = "revokeClaim(address,bytes32)"
DROP = "dropClaim(address,bytes32)"
HAS = "hasClaim(address,bytes32,address)"
GET = "getClaim(address,bytes32,address)"
CLAIM_ABI = ["(uint8,uint64,bytes32,uint64,bool)"]
ATTESTER_ABI = ["(bool,uint256,uint64,uint64,uint64)"]

PHONE = keccak(b"miles.phone.verified")
SELLER = keccak(b"miles.seller.verified")
TYPES = (PHONE, SELLER)

__all__ = ["CMT", "IDENTITY", "IdentityChain", "identity_state"]


def identity_state(keys, params: dict | None = None) -> dict:
    """Genesis: funded keys (1,000,000 CMT each), two staking validators, the identity params."""
    state = staking_state(keys)
    if params is not None:
        state["identity"] = params
    return state


class IdentityChain(ModuleChain):
    """ModuleChain pointed at the identity precompile."""

    ADDRESS = IDENTITY

    def identity_view(self, signature: str, returns: list[str], *args):
        """An identity view through a transaction (the first key pays the gas)."""
        return self.module_view(signature, returns, *args)

    def has_claim(self, subject, claim_type: bytes, attester) -> bool:
        (answer,) = self.identity_view(HAS, ["bool"], subject.address, claim_type, attester.address)
        return answer

    def claim(self, subject, claim_type: bytes, attester) -> tuple:
        (record,) = self.identity_view(GET, CLAIM_ABI, subject.address, claim_type, attester.address)
        return record

    def state(self) -> identity.IdentityState:
        return identity.state_view(self.chain.app.reader.state)

    def snapshot(self) -> tuple:
        """Staking's snapshot plus every identity record among the keys: attesters, claims of
        every type in TYPES, the registered set, the totals."""
        st = self.state()
        people = [canonical(k.address) for k in self.keys]
        attesters = tuple(st.attester(a) for a in people)
        claims = tuple(st.claim(a, s, t) for a in people for s in people for t in TYPES)
        return (super().snapshot(), attesters, claims, tuple(st.attesters), st.claim_count, st.funds_wei,
                self.chain.balance(IDENTITY))

    def assert_bonds(self) -> None:
        """The funds total is the precompile's balance, the bonds of the registered attesters and
        identity.owed (the module is exact); the supply is unchanged."""
        st = self.state()
        bonds = sum(st.attester(a).bond_wei for a in st.attesters)
        assert st.funds_wei == self.chain.balance(IDENTITY) == bonds \
            == sum(identity.owed(self.chain.app.reader.state).values())
        self.assert_supply()

