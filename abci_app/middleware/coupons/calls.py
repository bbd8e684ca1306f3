"""The coupons precompile's Solidity functions (contracts/interfaces/ICoupons.sol).

Each call is thin: CHECKS (a bad call reverts with a reason and changes nothing), GAS beyond the
fixed cost, EFFECTS on the state, EVENTS. All escrowed CMT sits in the precompile's balance; it
comes in as msg.value and leaves only through ctx.pay, and the `funds` word follows it exactly.
"""

import dataclasses

from eth_utils import to_canonical_address

from ...errors import CallError
from ...precompiles import CallContext, Event, function
from ..group_membership import NO_GROUP, check_restriction, is_member
from . import attestation, geo, rules
from .records import NO_ADDRESS, Campaign, Coupon
from .state import CouponsState
from .views import CouponsViews

GAS_CREATE = 60_000
GAS_CLAIM = 40_000
GAS_ATTESTATION = 3_000          # like the ecrecover precompile
GAS_TRANSFER = 20_000
GAS_REDEEM = 25_000
GAS_RECLAIM = 25_000
GAS_RESTRICT = 20_000

CAMPAIGN_CREATED = Event(
    "CampaignCreated(uint256 campaignId,address sponsor,address merchant,uint256 couponValue,"
    "uint32 maxCoupons,int32 latE6,int32 lonE6,uint32 radiusMeters,uint64 startTime,uint64 endTime,"
    "address attester)", indexed=3)
COUPON_CLAIMED = Event(
    "CouponClaimed(uint256 couponId,uint256 campaignId,address claimer,int32 latE6,int32 lonE6)", indexed=3)
COUPON_TRANSFERRED = Event("CouponTransferred(uint256 couponId,address from,address to)", indexed=3)
COUPON_REDEEMED = Event(
    "CouponRedeemed(uint256 couponId,uint256 campaignId,address merchant,address holder,uint256 value)", indexed=3)
CAMPAIGN_RECLAIMED = Event("CampaignReclaimed(uint256 campaignId,address sponsor,uint256 amount)", indexed=2)
CAMPAIGN_RESTRICTED = Event("CampaignRestricted(uint256 campaignId,uint256 groupId)", indexed=2)

# Every event of the coupons precompile (app/modules.py maps its logs to ABCI events).
EVENTS = (
    CAMPAIGN_CREATED, COUPON_CLAIMED, COUPON_TRANSFERRED, COUPON_REDEEMED, CAMPAIGN_RECLAIMED, CAMPAIGN_RESTRICTED,
)


def _campaign(st: CouponsState, campaign_id: int) -> Campaign:
    campaign = st.campaign(campaign_id)
    if campaign is None:
        raise CallError("no such campaign")
    return campaign


def _held_coupon(st: CouponsState, coupon_id: int, holder: bytes) -> Coupon:
    coupon = st.coupon(coupon_id)
    if coupon is None:
        raise CallError("no such coupon")
    if coupon.holder != holder:
        raise CallError("not the coupon holder")
    if coupon.redeemed:
        raise CallError("coupon already redeemed")
    return coupon


def _check_attestation(ctx: CallContext, campaign_id: int, campaign: Campaign, lat_e6: int, lon_e6: int,
                       deadline_s: int, signature: bytes) -> None:
    if campaign.attester == NO_ADDRESS:
        if signature:
            raise CallError("campaign has no attester: attestation must be empty")
        return
    if not signature:
        raise CallError("campaign requires a location attestation")
    if deadline_s < ctx.now_s:
        raise CallError("attestation deadline has passed")
    ctx.charge(GAS_ATTESTATION)
    digest = attestation.attestation_digest(ctx.chain_id, ctx.address, campaign_id, ctx.sender,
                                            lat_e6, lon_e6, deadline_s)
    if attestation.recover_attester(digest, signature) != campaign.attester:
        raise CallError("attestation not signed by the campaign's attester")


class CouponsCalls(CouponsViews):
    """The functions of the coupons precompile (views inherited from CouponsViews)."""

    @function("createCampaign(address,uint256,uint32,int32,int32,uint32,uint64,uint64,address,string)",
              gas=GAS_CREATE, returns=("uint256",), payable=True)
    def create_campaign(self, ctx: CallContext, merchant: str, coupon_value_wei: int, max_coupons: int,
                        lat_e6: int, lon_e6: int, radius_m: int, start_s: int, end_s: int, attester: str,
                        metadata: str) -> int:
        st = CouponsState(ctx.storage)
        merchant_address, attester_address = to_canonical_address(merchant), to_canonical_address(attester)
        # CHECKS
        rules.validate_campaign(st.params(), ctx.now_s, merchant_address, coupon_value_wei, max_coupons,
                                lat_e6, lon_e6, radius_m, start_s, end_s, metadata)
        escrow = rules.escrow_wei(coupon_value_wei, max_coupons)
        if ctx.value_wei != escrow:
            raise CallError(f"value must be exactly couponValue * maxCoupons = {escrow} wei")
        # EFFECTS
        campaign_id = st.add_campaign(Campaign(
            sponsor=ctx.sender, merchant=merchant_address, coupon_value_wei=coupon_value_wei,
            max_coupons=max_coupons, lat_e6=lat_e6, lon_e6=lon_e6, radius_m=radius_m, start_s=start_s,
            end_s=end_s, attester=attester_address, metadata=metadata, claimed=0, redeemed=0, reclaimed=False))
        st.set_funds_wei(st.funds_wei + escrow)
        # EVENTS
        ctx.emit(CAMPAIGN_CREATED, campaign_id, ctx.sender, merchant_address, coupon_value_wei, max_coupons,
                 lat_e6, lon_e6, radius_m, start_s, end_s, attester_address)
        return campaign_id

    @function("claim(uint256,int32,int32,uint64,bytes)", gas=GAS_CLAIM, returns=("uint256",))
    def claim(self, ctx: CallContext, campaign_id: int, lat_e6: int, lon_e6: int, deadline_s: int,
              signature: bytes) -> int:
        st = CouponsState(ctx.storage)
        # CHECKS
        campaign = _campaign(st, campaign_id)
        if ctx.now_s < campaign.start_s:
            raise CallError("campaign has not started")
        if ctx.now_s >= campaign.end_s:
            raise CallError("campaign has ended")
        if campaign.claimed >= campaign.max_coupons:
            raise CallError("no coupons left")
        if st.claimed_by(campaign_id, ctx.sender):
            raise CallError("already claimed a coupon of this campaign")
        group_id = st.campaign_group(campaign_id)
        if group_id != NO_GROUP and not is_member(ctx, group_id, ctx.sender):
            raise CallError("not a member of the campaign's group")
        rules.validate_position(lat_e6, lon_e6)
        if not geo.within_radius(campaign.lat_e6, campaign.lon_e6, lat_e6, lon_e6, campaign.radius_m):
            raise CallError("position outside the campaign area")
        _check_attestation(ctx, campaign_id, campaign, lat_e6, lon_e6, deadline_s, signature)
        # EFFECTS
        coupon_id = st.add_coupon(Coupon(campaign_id=campaign_id, holder=ctx.sender, redeemed=False))
        st.set_claimed_by(campaign_id, ctx.sender, coupon_id)
        st.set_campaign(campaign_id, dataclasses.replace(campaign, claimed=campaign.claimed + 1))
        # EVENTS
        ctx.emit(COUPON_CLAIMED, coupon_id, campaign_id, ctx.sender, lat_e6, lon_e6)
        return coupon_id

    @function("restrictToGroup(uint256,uint256)", gas=GAS_RESTRICT)
    def restrict_to_group(self, ctx: CallContext, campaign_id: int, group_id: int) -> None:
        """Only members of the group may claim from now on (group_membership.check_restriction;
        create the campaign with a later start time and restrict it before the start, so no claim
        can come first)."""
        st = CouponsState(ctx.storage)
        # CHECKS
        campaign = _campaign(st, campaign_id)
        if campaign.sponsor != ctx.sender:
            raise CallError("only the campaign's sponsor may restrict it")
        check_restriction(ctx, group_id, current_group=st.campaign_group(campaign_id),
                          too_late="coupons already claimed" if campaign.claimed else "", role="sponsor")
        # EFFECTS
        st.set_campaign_group(campaign_id, group_id)
        # EVENTS
        ctx.emit(CAMPAIGN_RESTRICTED, campaign_id, group_id)

    @function("transfer(uint256,address)", gas=GAS_TRANSFER)
    def transfer(self, ctx: CallContext, coupon_id: int, to: str) -> None:
        st = CouponsState(ctx.storage)
        receiver = to_canonical_address(to)
        # CHECKS
        coupon = _held_coupon(st, coupon_id, ctx.sender)
        if receiver == NO_ADDRESS:
            raise CallError("cannot transfer to the zero address")
        if receiver == ctx.sender:
            raise CallError("cannot transfer to yourself")
        # EFFECTS
        st.set_coupon(coupon_id, dataclasses.replace(coupon, holder=receiver))
        # EVENTS
        ctx.emit(COUPON_TRANSFERRED, coupon_id, ctx.sender, receiver)

    @function("redeem(uint256)", gas=GAS_REDEEM)
    def redeem(self, ctx: CallContext, coupon_id: int) -> None:
        st = CouponsState(ctx.storage)
        # CHECKS
        coupon = _held_coupon(st, coupon_id, ctx.sender)
        campaign = st.campaign(coupon.campaign_id)
        if ctx.now_s >= campaign.end_s:
            raise CallError("campaign has ended: the coupon expired")
        # EFFECTS
        st.set_coupon(coupon_id, dataclasses.replace(coupon, redeemed=True))
        st.set_campaign(coupon.campaign_id, dataclasses.replace(campaign, redeemed=campaign.redeemed + 1))
        st.set_funds_wei(st.funds_wei - campaign.coupon_value_wei)
        ctx.pay(campaign.merchant, campaign.coupon_value_wei)
        # EVENTS
        ctx.emit(COUPON_REDEEMED, coupon_id, coupon.campaign_id, campaign.merchant, ctx.sender,
                 campaign.coupon_value_wei)

    @function("reclaim(uint256)", gas=GAS_RECLAIM, returns=("uint256",))
    def reclaim(self, ctx: CallContext, campaign_id: int) -> int:
        st = CouponsState(ctx.storage)
        # CHECKS
        campaign = _campaign(st, campaign_id)
        if campaign.sponsor != ctx.sender:
            raise CallError("only the campaign's sponsor may reclaim")
        if ctx.now_s < campaign.end_s:
            raise CallError("campaign has not ended")
        if campaign.reclaimed:
            raise CallError("campaign already reclaimed")
        # EFFECTS
        amount = rules.reclaimable_wei(campaign)
        st.set_campaign(campaign_id, dataclasses.replace(campaign, reclaimed=True))
        st.set_funds_wei(st.funds_wei - amount)
        ctx.pay(campaign.sponsor, amount)
        # EVENTS
        ctx.emit(CAMPAIGN_RECLAIMED, campaign_id, campaign.sponsor, amount)
        return amount
