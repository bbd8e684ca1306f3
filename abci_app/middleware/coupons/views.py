"""The read-only functions of the coupons precompile: everything stored can be read back."""

from eth_utils import to_canonical_address

from ...errors import CallError
from ...precompiles import CallContext, function
from . import geo, rules
from .state import CouponsState

CAMPAIGN_ABI = "(address,address,uint256,uint32,int32,int32,uint32,uint64,uint64,address,string,uint32,uint32,bool)"
COUPON_ABI = "(uint256,address,bool)"
GAS_VIEW = 5_000
GAS_VIEW_PER_ITEM = 200          # couponsOf: reading one more id
GAS_DISTANCE = 2_000


def campaign_tuple(st: CouponsState, campaign_id: int) -> tuple:
    c = st.campaign(campaign_id)
    if c is None:
        raise CallError("no such campaign")
    return (c.sponsor, c.merchant, c.coupon_value_wei, c.max_coupons, c.lat_e6, c.lon_e6, c.radius_m, c.start_s,
            c.end_s, c.attester, c.metadata, c.claimed, c.redeemed, c.reclaimed)


class CouponsViews:
    """View functions, mixed into CouponsCalls."""

    @function("campaign(uint256)", gas=GAS_VIEW, returns=(CAMPAIGN_ABI,), view=True)
    def campaign(self, ctx: CallContext, campaign_id: int) -> tuple:
        return campaign_tuple(CouponsState(ctx.storage), campaign_id)

    @function("coupon(uint256)", gas=GAS_VIEW, returns=(COUPON_ABI,), view=True)
    def coupon(self, ctx: CallContext, coupon_id: int) -> tuple:
        coupon = CouponsState(ctx.storage).coupon(coupon_id)
        if coupon is None:
            raise CallError("no such coupon")
        return (coupon.campaign_id, coupon.holder, coupon.redeemed)

    @function("couponsOf(address)", gas=GAS_VIEW, returns=("uint256[]",), view=True)
    def coupons_of(self, ctx: CallContext, holder: str) -> list[int]:
        held = CouponsState(ctx.storage).coupons_of(to_canonical_address(holder))
        ctx.charge(GAS_VIEW_PER_ITEM * len(held))
        return list(held)

    @function("claimedBy(uint256,address)", gas=GAS_VIEW, returns=("bool", "uint256"), view=True)
    def claimed_by(self, ctx: CallContext, campaign_id: int, claimer: str) -> tuple[bool, int]:
        st = CouponsState(ctx.storage)
        if st.campaign(campaign_id) is None:
            raise CallError("no such campaign")
        coupon_id = st.claimed_by(campaign_id, to_canonical_address(claimer))
        return coupon_id != 0, coupon_id

    @function("campaignGroup(uint256)", gas=GAS_VIEW, returns=("uint256",), view=True)
    def campaign_group(self, ctx: CallContext, campaign_id: int) -> int:
        """The group whose members alone may claim (0: anyone)."""
        st = CouponsState(ctx.storage)
        if st.campaign(campaign_id) is None:
            raise CallError("no such campaign")
        return st.campaign_group(campaign_id)

    @function("distanceMeters(int32,int32,int32,int32)", gas=GAS_DISTANCE, returns=("uint256",), view=True)
    def distance_meters(self, ctx: CallContext, lat1_e6: int, lon1_e6: int, lat2_e6: int, lon2_e6: int) -> int:
        rules.validate_position(lat1_e6, lon1_e6)
        rules.validate_position(lat2_e6, lon2_e6)
        return geo.distance_m(lat1_e6, lon1_e6, lat2_e6, lon2_e6)

    @function("params()", gas=GAS_VIEW, returns=("uint32", "uint32"), view=True)
    def params(self, ctx: CallContext) -> tuple[int, int]:
        params = CouponsState(ctx.storage).params()
        return params.max_radius_m, params.max_coupons

    @function("totals()", gas=GAS_VIEW, returns=("uint256", "uint256", "uint256"), view=True)
    def totals(self, ctx: CallContext) -> tuple[int, int, int]:
        """(campaigns created, coupons claimed, CMT escrowed in wei)."""
        st = CouponsState(ctx.storage)
        return st.campaign_count, st.coupon_count, st.funds_wei
