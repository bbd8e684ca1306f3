"""The coupons records as the rest of the module sees them (state.py stores them)."""

from dataclasses import dataclass

NO_ADDRESS = b"\0" * 20


@dataclass(frozen=True, slots=True)
class Campaign:
    sponsor: bytes              # who escrowed the CMT and may reclaim it after the end
    merchant: bytes             # who is paid when a coupon is redeemed
    coupon_value_wei: int
    max_coupons: int
    lat_e6: int                 # centre, microdegrees (signed)
    lon_e6: int
    radius_m: int
    start_s: int                # claims in [start_s, end_s) of block time
    end_s: int                  # coupons expire here; the sponsor may reclaim from here on
    attester: bytes             # location attester, or NO_ADDRESS for none
    metadata: str
    claimed: int
    redeemed: int
    reclaimed: bool

    @property
    def escrow_wei(self) -> int:
        """What the campaign still holds: every coupon not yet redeemed (until reclaimed)."""
        if self.reclaimed:
            return 0
        return (self.max_coupons - self.redeemed) * self.coupon_value_wei


@dataclass(frozen=True, slots=True)
class Coupon:
    campaign_id: int
    holder: bytes
    redeemed: bool
