"""Where every coupons record lives in the storage of the coupons precompile (0x...CC02).

This module alone knows the layout (README.md lists it). Records go through flat "rows" of
words: addresses as integers (one word instead of a length word and a chunk) and signed
coordinates in two's complement.
"""

import dataclasses
from dataclasses import dataclass

from ...precompiles import ModuleState, Storage, WordSet, address_int, int_address, slot_of
from .params import CouponsParams
from .records import Campaign, Coupon

ADDRESS = bytes.fromhex("000000000000000000000000000000000000cc02")

_WORD = 2**256


def _signed_word(value: int) -> int:
    return value % _WORD


def _signed(word: int) -> int:
    return word - _WORD if word >= _WORD // 2 else word


@dataclass(frozen=True, slots=True)
class _CampaignRow:
    sponsor: int
    merchant: int
    coupon_value_wei: int
    max_coupons: int
    lat_e6: int
    lon_e6: int
    radius_m: int
    start_s: int
    end_s: int
    attester: int
    metadata: str
    claimed: int
    redeemed: int
    reclaimed: bool


@dataclass(frozen=True, slots=True)
class _CouponRow:
    campaign_id: int
    holder: int
    redeemed: bool


class CouponsState(ModuleState):
    PARAMS = CouponsParams

    # ---- totals (params and funds come from ModuleState) ------------------------------------

    @property
    def campaign_count(self) -> int:
        return self.storage.word(slot_of("campaign_count"))

    @property
    def coupon_count(self) -> int:
        return self.storage.word(slot_of("coupon_count"))

    # ---- campaigns -----------------------------------------------------------------------------

    def campaign(self, campaign_id: int) -> Campaign | None:
        if not 1 <= campaign_id <= self.campaign_count:
            return None
        row = self.storage.load(_CampaignRow, slot_of("campaign", campaign_id))
        return Campaign(**{
            **dataclasses.asdict(row),
            "sponsor": int_address(row.sponsor), "merchant": int_address(row.merchant),
            "attester": int_address(row.attester), "lat_e6": _signed(row.lat_e6), "lon_e6": _signed(row.lon_e6),
        })

    def set_campaign(self, campaign_id: int, campaign: Campaign) -> None:
        row = _CampaignRow(**{
            **{f.name: getattr(campaign, f.name) for f in dataclasses.fields(campaign)},
            "sponsor": address_int(campaign.sponsor), "merchant": address_int(campaign.merchant),
            "attester": address_int(campaign.attester), "lat_e6": _signed_word(campaign.lat_e6),
            "lon_e6": _signed_word(campaign.lon_e6),
        })
        self.storage.save(slot_of("campaign", campaign_id), row)

    def add_campaign(self, campaign: Campaign) -> int:
        campaign_id = self.campaign_count + 1
        self.storage.set_word(slot_of("campaign_count"), campaign_id)
        self.set_campaign(campaign_id, campaign)
        return campaign_id

    def campaign_group(self, campaign_id: int) -> int:
        """The group whose members alone may claim the campaign's coupons (0: anyone)."""
        return self.storage.word(slot_of("campaign_group", campaign_id))

    def set_campaign_group(self, campaign_id: int, group_id: int) -> None:
        self.storage.set_word(slot_of("campaign_group", campaign_id), group_id)

    def claimed_by(self, campaign_id: int, claimer: bytes) -> int:
        """The coupon `claimer` claimed from the campaign, or 0."""
        return self.storage.word(slot_of("claimed_by", campaign_id, claimer))

    def set_claimed_by(self, campaign_id: int, claimer: bytes, coupon_id: int) -> None:
        self.storage.set_word(slot_of("claimed_by", campaign_id, claimer), coupon_id)

    # ---- coupons -------------------------------------------------------------------------------

    def coupon(self, coupon_id: int) -> Coupon | None:
        if not 1 <= coupon_id <= self.coupon_count:
            return None
        row = self.storage.load(_CouponRow, slot_of("coupon", coupon_id))
        return Coupon(row.campaign_id, int_address(row.holder), row.redeemed)

    def _save_coupon(self, coupon_id: int, coupon: Coupon) -> None:
        self.storage.save(slot_of("coupon", coupon_id),
                          _CouponRow(coupon.campaign_id, address_int(coupon.holder), coupon.redeemed))

    def set_coupon(self, coupon_id: int, coupon: Coupon) -> None:
        """Update an existing coupon; a new holder moves it between the holders' lists."""
        previous = self.coupon(coupon_id)
        if previous.holder != coupon.holder:
            self.coupons_of(previous.holder).remove(coupon_id)
            self.coupons_of(coupon.holder).add(coupon_id)
        self._save_coupon(coupon_id, coupon)

    def add_coupon(self, coupon: Coupon) -> int:
        coupon_id = self.coupon_count + 1
        self.storage.set_word(slot_of("coupon_count"), coupon_id)
        self._save_coupon(coupon_id, coupon)
        self.coupons_of(coupon.holder).add(coupon_id)
        return coupon_id

    def coupons_of(self, holder: bytes) -> WordSet:
        """The coupons an address holds (redeemed ones included), in order of arrival."""
        return WordSet(self.storage, "coupons_of", holder)
