"""The coupon rules as pure functions of their inputs (DESIGN.md §7): no clock, no storage."""

from ...errors import CallError
from . import geo
from .params import CouponsParams
from .records import Campaign

MAX_METADATA_BYTES = 1_000


def validate_campaign(params: CouponsParams, now_s: int, merchant: bytes, coupon_value_wei: int,
                      max_coupons: int, lat_e6: int, lon_e6: int, radius_m: int, start_s: int, end_s: int,
                      metadata: str) -> None:
    """Every createCampaign argument except the escrowed value; CallError names the first fault."""
    if merchant == b"\0" * 20:
        raise CallError("merchant must not be the zero address")
    if coupon_value_wei == 0:
        raise CallError("coupon value must be positive")
    if not 1 <= max_coupons <= params.max_coupons:
        raise CallError(f"max coupons must be between 1 and {params.max_coupons}")
    validate_position(lat_e6, lon_e6)
    if not 1 <= radius_m <= params.max_radius_m:
        raise CallError(f"radius must be between 1 and {params.max_radius_m} metres")
    if end_s <= start_s:
        raise CallError("end time must be after start time")
    if end_s <= now_s:
        raise CallError("end time must be in the future")
    if len(metadata.encode()) > MAX_METADATA_BYTES:
        raise CallError(f"metadata longer than {MAX_METADATA_BYTES} bytes")


def validate_position(lat_e6: int, lon_e6: int) -> None:
    if not -geo.LAT_LIMIT_E6 <= lat_e6 <= geo.LAT_LIMIT_E6:
        raise CallError("latitude out of range (-90e6..90e6 microdegrees)")
    if not -geo.LON_LIMIT_E6 <= lon_e6 <= geo.LON_LIMIT_E6:
        raise CallError("longitude out of range (-180e6..180e6 microdegrees)")


def escrow_wei(coupon_value_wei: int, max_coupons: int) -> int:
    """What a sponsor must send to create a campaign: every coupon paid for up front."""
    return coupon_value_wei * max_coupons


def claim_window_open(campaign: Campaign, now_s: int) -> bool:
    return campaign.start_s <= now_s < campaign.end_s


def reclaimable_wei(campaign: Campaign) -> int:
    """What the sponsor gets back after the end: every coupon not redeemed (claimed or not)."""
    return (campaign.max_coupons - campaign.redeemed) * campaign.coupon_value_wei
