"""What the coupons precompile owes (DESIGN.md §6: its balance must cover it), by kind of record.

Exact: a campaign escrows value x coupons up front and every wei leaves whole (a redemption pays
one coupon's value, a reclaim the rest), so the balance equals what is owed unless someone
forces CMT in (a self-destructing contract can).
"""

from .state import CouponsState


def owed(st: CouponsState) -> dict[str, int]:
    """Wei owed until each campaign is reclaimed: its coupons nobody claimed yet (to the sponsor
    after the end) and the claimed coupons not yet redeemed (to the merchant on redemption),
    these counted from the coupon records themselves."""
    campaigns = {i: st.campaign(i) for i in range(1, st.campaign_count + 1)}
    live = {i: c for i, c in campaigns.items() if not c.reclaimed}
    unclaimed = sum((c.max_coupons - c.claimed) * c.coupon_value_wei for c in live.values())
    held = 0
    for coupon_id in range(1, st.coupon_count + 1):
        coupon = st.coupon(coupon_id)
        if not coupon.redeemed and coupon.campaign_id in live:
            held += live[coupon.campaign_id].coupon_value_wei
    return {"unclaimed": unclaimed, "coupons": held}
