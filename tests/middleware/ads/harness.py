"""Talking to the ads precompile like a wallet: the staking harness pointed at 0x...CC04, plus a
snapshot of everything the ads module stores (so a revert can be shown to change nothing)."""

from eth_abi import decode
from eth_hash.auto import keccak

from abci_app.middleware import ads

from ...chain import CMT
from ...staking.harness import StakingChain, staking_state

ADS = "0x" + ads.ADDRESS.hex()
GAS = 3_000_000

OPT_IN = "optIn(uint256,uint32,uint256)"
CREATE = "createCampaign(uint256,uint32,uint256,uint64,string)"
SEND = "sendMessage(uint256,address)"
CAMPAIGN_ABI = ["(address,uint256,uint32,uint256,uint64,string,uint256,uint256,uint256,uint256,uint256,"
                "uint64,uint64,uint64,bool)"]

__all__ = ["ADS", "CMT", "AdsChain", "ads_state"]


def ads_state(keys, params: dict | None = None) -> dict:
    """Genesis: funded keys (1,000,000 CMT each), two staking validators, the ads params."""
    state = staking_state(keys)
    if params is not None:
        state["ads"] = params
    return state


def canonical(address: str) -> bytes:
    return bytes.fromhex(address[2:])


class AdsChain(StakingChain):
    """StakingChain whose calls go to the ads precompile by default."""

    keys: list = []

    def call(self, key, signature: str, *args, value: int = 0, seconds: int = 1):
        """One ads call in its own block (gas limit 3,000,000)."""
        return self.send(key, signature, *args, value=value, gas=GAS, seconds=seconds, to=ADS)

    def ok(self, key, signature: str, *args, value: int = 0, seconds: int = 1):
        result = self.call(key, signature, *args, value=value, seconds=seconds)
        assert result.code == 0, result.log
        return result

    def returned_id(self, key, signature: str, *args, value: int = 0) -> int:
        (value_id,) = decode(["uint256"], self.ok(key, signature, *args, value=value).data)
        return value_id

    def revert(self, key, reason: str, signature: str, *args, value: int = 0) -> None:
        self.expect_revert(key, reason, signature, *args, value=value, to=ADS)

    def ads_view(self, signature: str, returns: list[str], *args):
        """An ads view through a transaction (the first key pays the gas)."""
        return self.view(self.keys[0], signature, returns, *args, to=ADS)

    def campaign(self, campaign_id: int) -> tuple:
        (record,) = self.ads_view("campaign(uint256)", CAMPAIGN_ABI, campaign_id)
        return record

    def state(self) -> ads.AdsState:
        return ads.state_view(self.chain.app.reader.state)

    def snapshot(self) -> tuple:
        """Staking's snapshot plus every ads record: campaigns, messages, the keys' profiles,
        inboxes and blocks, and the funds total."""
        st = self.state()
        users = [canonical(k.address) for k in self.keys]
        campaigns = tuple((st.campaign(i), st.content(i)) for i in range(1, st.campaign_count + 1))
        received = tuple(st.received(i, u) for i in range(1, st.campaign_count + 1) for u in users)
        messages = tuple(st.message(i) for i in range(1, st.message_count + 1))
        people = tuple((st.profile(u), tuple(st.inbox(u)), tuple(st.is_blocked(u, a) for a in users)) for u in users)
        return super().snapshot(), campaigns, received, messages, people, st.funds_wei, st.params()

    def assert_funds(self) -> None:
        """The funds total is the precompile's balance, and the campaigns' budgets and reservations
        add up to it, as does ads.owed (the module is exact); the supply is unchanged."""
        st = self.state()
        held = 0
        for i in range(1, st.campaign_count + 1):
            c = st.campaign(i)
            assert c.deposit_wei == c.budget_wei + c.reserved_wei + c.spent_wei + c.refunded_wei
            held += c.budget_wei + c.reserved_wei
        assert st.funds_wei == self.chain.balance(ADS) == held == sum(ads.owed(self.chain.app.reader.state).values())
        self.assert_supply()


def topic(signature: str) -> str:
    return "0x" + keccak(signature.encode()).hex()
