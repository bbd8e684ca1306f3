"""Talking to the coupons precompile the way a wallet does, on the in-process chain of the staking
tests (tests/staking/harness.py), plus readers of the coupons records for assertions."""

from eth_abi import decode
from eth_hash.auto import keccak
from eth_keys import keys as eth_keys_keys

from abci_app.cli.wallet import GWEI
from abci_app.middleware import coupons
from abci_app.middleware.coupons.attestation import attestation_digest
from abci_app.middleware.coupons.views import CAMPAIGN_ABI, COUPON_ABI
from tests.chain import CHAIN_ID
from tests.staking.harness import StakingChain

COUPONS = "0x" + coupons.ADDRESS.hex()
ZERO = "0x" + "00" * 20
CREATE = "createCampaign(address,uint256,uint32,int32,int32,uint32,uint64,uint64,address,string)"
CLAIM = "claim(uint256,int32,int32,uint64,bytes)"
TRANSFER = "transfer(uint256,address)"
REDEEM = "redeem(uint256)"
RECLAIM = "reclaim(uint256)"

# Zurich main station, microdegrees
CENTRE = (47_378_177, 8_540_192)


def sign_attestation(private_key: bytes, campaign_id: int, claimer: str, lat_e6: int, lon_e6: int,
                     deadline_s: int, chain_id: int = CHAIN_ID, address: bytes = coupons.ADDRESS) -> bytes:
    """An attester's signature r || s || v (v in {27, 28}) over the raw digest: no message prefix."""
    digest = attestation_digest(chain_id, address, campaign_id, bytes.fromhex(claimer[2:]), lat_e6, lon_e6,
                                deadline_s)
    signature = eth_keys_keys.PrivateKey(private_key).sign_msg_hash(digest)
    return signature.to_bytes()[:64] + bytes([signature.v + 27])


class CouponsNet:
    """The staking test chain, speaking to 0x...CC02."""

    def __init__(self, net: StakingChain) -> None:
        self.net = net
        self.chain = net.chain

    @property
    def now(self) -> int:
        """The time of the last block; the next block is one second later (unless told)."""
        return self.chain.time_s

    def send(self, key, signature: str, *args, value: int = 0, seconds: int = 1):
        return self.net.send(key, signature, *args, value=value, seconds=seconds, to=COUPONS)

    def ok(self, key, signature: str, *args, value: int = 0, seconds: int = 1, returns: str | None = None):
        result = self.send(key, signature, *args, value=value, seconds=seconds)
        assert result.code == 0, result.log
        if returns:
            (out,) = decode([returns], result.data)
            return out
        return result

    def expect_revert(self, key, reason: str, signature: str, *args, value: int = 0) -> None:
        """Reverts with exactly `reason`; no coupons record, no balance and no supply changes."""
        before = self.snapshot()
        self.net.expect_revert(key, reason, signature, *args, value=value, to=COUPONS)
        assert self.snapshot() == before

    def view(self, key, signature: str, returns: list[str], *args):
        return self.net.view(key, signature, returns, *args, to=COUPONS)

    def create(self, sponsor, merchant: str, value: int = 10 * GWEI, count: int = 3, centre=CENTRE,
               radius_m: int = 1_000, start: int | None = None, end: int | None = None, attester: str = ZERO,
               metadata: str = "10% off coffee", seconds: int = 1) -> int:
        start = self.now if start is None else start
        end = self.now + 1_000 if end is None else end
        return self.ok(sponsor, CREATE, merchant, value, count, centre[0], centre[1], radius_m, start, end,
                       attester, metadata, value=value * count, seconds=seconds, returns="uint256")

    def claim(self, key, campaign_id: int, position=CENTRE, deadline: int = 0, attestation: bytes = b"",
              seconds: int = 1) -> int:
        return self.ok(key, CLAIM, campaign_id, position[0], position[1], deadline, attestation,
                       seconds=seconds, returns="uint256")

    def state(self) -> coupons.CouponsState:
        return coupons.state_view(self.chain.app.reader.state)

    def campaign(self, reader, campaign_id: int) -> tuple:
        """The campaign(uint256) view, called in a transaction by `reader`."""
        (record,) = self.view(reader, "campaign(uint256)", [CAMPAIGN_ABI], campaign_id)
        return record

    def coupon(self, reader, coupon_id: int) -> tuple:
        (record,) = self.view(reader, "coupon(uint256)", [COUPON_ABI], coupon_id)
        return record

    def receipt(self, result) -> dict:
        return self.net.receipt(result)

    def fee(self, result) -> int:
        return self.net.fee(result)

    def logs(self, result) -> list[dict]:
        return self.net.logs(result)

    def snapshot(self) -> tuple:
        """Every coupons record, the funds word, the precompile's balance and the supply."""
        st = self.state()
        campaigns = tuple(st.campaign(i) for i in range(1, st.campaign_count + 1))
        coupon_records = tuple(st.coupon(i) for i in range(1, st.coupon_count + 1))
        return campaigns, coupon_records, st.funds_wei, self.chain.balance(COUPONS), self.chain.supply()

    def assert_funds(self) -> None:
        """funds == the precompile's balance == what the campaigns still escrow == what
        coupons.owed counts (the module is exact); supply intact."""
        st = self.state()
        escrowed = sum(st.campaign(i).escrow_wei for i in range(1, st.campaign_count + 1))
        owed = sum(coupons.owed(self.chain.app.reader.state).values())
        assert st.funds_wei == self.chain.balance(COUPONS) == escrowed == owed
        self.net.assert_supply()


def event_topic(signature: str) -> str:
    return "0x" + keccak(signature.encode()).hex()
