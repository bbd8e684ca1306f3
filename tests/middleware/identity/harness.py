"""Talking to the identity precompile like a wallet: the staking harness pointed at 0x...CC06,
plus a snapshot of everything the identity module stores for the test keys (so a revert can be
shown to change nothing) and the bonds check (funds == balance == the registered bonds == owed)."""

import json

from eth_abi import decode
from eth_hash.auto import keccak

from abci_app.abci import types
from abci_app.middleware import identity

from ...chain import CMT
from ...staking.harness import StakingChain, call_data, staking_state

IDENTITY = "0x" + identity.ADDRESS.hex()
GAS = 1_000_000
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


def canonical(address: str) -> bytes:
    return bytes.fromhex(address[2:])


class IdentityChain(StakingChain):
    """StakingChain whose calls go to the identity precompile by default."""

    keys: list = []

    def call(self, key, signature: str, *args, value: int = 0, seconds: int = 1, gas: int = GAS):
        """One identity call in its own block."""
        return self.send(key, signature, *args, value=value, gas=gas, seconds=seconds, to=IDENTITY)

    def ok(self, key, signature: str, *args, value: int = 0, seconds: int = 1):
        result = self.call(key, signature, *args, value=value, seconds=seconds)
        assert result.code == 0, result.log
        return result

    def revert(self, key, reason: str, signature: str, *args, value: int = 0) -> None:
        self.expect_revert(key, reason, signature, *args, value=value, to=IDENTITY)

    def identity_view(self, signature: str, returns: list[str], *args):
        """An identity view through a transaction (the first key pays the gas)."""
        return self.view(self.keys[0], signature, returns, *args, to=IDENTITY)

    def _query_call(self, path: str, key, signature: str, *args, value: int = 0) -> dict:
        """`/call` or `/estimate` (abci_query): no transaction, at the last committed block."""
        body = {"from": key.address, "to": IDENTITY, "data": "0x" + call_data(signature, *args).hex(),
                "value": str(value)}
        response = self.chain.app.query(types.RequestQuery(path=path, data=json.dumps(body).encode()))
        doc = json.loads(response.value)
        assert response.code == 0 and doc["success"], doc
        return doc

    def ask(self, signature: str, returns: list[str], *args):
        """A view through the `/call` abci_query (the first key asks)."""
        doc = self._query_call("/call", self.keys[0], signature, *args)
        return decode(returns, bytes.fromhex(doc["output"][2:]))

    def estimate(self, key, signature: str, *args, value: int = 0) -> int:
        """The gas a call needs (`/estimate`), transaction included."""
        return self._query_call("/estimate", key, signature, *args, value=value)["gas"]

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


def topic(signature: str) -> str:
    return "0x" + keccak(signature.encode()).hex()


def decode_data(log: dict, types: list[str]) -> tuple:
    return decode(types, bytes.fromhex(log["data"][2:]))
