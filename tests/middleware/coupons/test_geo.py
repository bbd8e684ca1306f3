"""The chain's integer distance against a float haversine reference (which lives only here):
within 0.5% up to 100 km at latitudes up to +-70 degrees, across the antimeridian too, and the
claim boundary in the right place (0.99 r inside, 1.01 r outside)."""

import math

import pytest

from abci_app.middleware.coupons import geo

from .harness import CLAIM

EARTH_RADIUS_M = 6_371_008.8
LATITUDES = range(-70, 71, 10)
BEARINGS = range(0, 360, 20)
DISTANCES_M = (100, 1_000, 5_000, 20_000, 50_000, 100_000)
LONGITUDES = (0.0, 8.54, -122.42, 179.95, -179.95)    # the last two reach across the antimeridian


def haversine_m(lat1_e6: int, lon1_e6: int, lat2_e6: int, lon2_e6: int) -> float:
    p1, p2 = math.radians(lat1_e6 / 1e6), math.radians(lat2_e6 / 1e6)
    dp, dl = p2 - p1, math.radians((lon2_e6 - lon1_e6) / 1e6)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def destination_e6(lat_deg: float, lon_deg: float, bearing_deg: float, distance_m: float) -> tuple[int, int]:
    """The point `distance_m` along the great circle from (lat, lon) at `bearing`, in microdegrees."""
    p1, l1, theta = math.radians(lat_deg), math.radians(lon_deg), math.radians(bearing_deg)
    d = distance_m / EARTH_RADIUS_M
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(theta))
    l2 = l1 + math.atan2(math.sin(theta) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    lon = (math.degrees(l2) + 180.0) % 360.0 - 180.0
    return round(math.degrees(p2) * 1e6), round(lon * 1e6)


def _grid():
    for lat in LATITUDES:
        for lon in LONGITUDES:
            for bearing in BEARINGS:
                for distance in DISTANCES_M:
                    start = (lat * 1_000_000, round(lon * 1e6))
                    yield start, destination_e6(lat, lon, bearing, distance)


def test_cos_table_matches_the_cosine():
    assert len(geo.COS_TABLE) == 901 and geo.COS_TABLE[0] == 10**9 and geo.COS_TABLE[-1] == 0
    for k, value in enumerate(geo.COS_TABLE):
        assert abs(value - math.cos(math.radians(k / 10)) * 1e9) <= 0.5 + 1e-6, k
    for doubled in range(-180_000_000, 180_000_001, 1_234_567):
        assert abs(geo.cos_e9(doubled) - math.cos(math.radians(doubled / 2e6)) * 1e9) < 500   # 5e-7


def test_only_integers():
    assert all(type(v) is int for v in geo.COS_TABLE)
    assert type(geo.distance_nm(1, 2, 3, 4)) is int and type(geo.distance_m(1, 2, 3, 4)) is int


def test_within_half_a_percent_of_haversine_up_to_100_km():
    worst = 0.0
    for start, end in _grid():
        reference = haversine_m(*start, *end)
        error = abs(geo.distance_nm(*start, *end) / 1e9 - reference) / reference
        worst = max(worst, error)
        assert error < 0.005, (start, end, reference)
        assert abs(geo.distance_m(*start, *end) - reference) <= reference * 0.005 + 0.5
    assert worst < 0.001    # in fact far better than promised


def test_distance_is_symmetric_and_zero_at_the_same_point():
    for start, end in list(_grid())[::37]:
        assert geo.distance_nm(*start, *end) == geo.distance_nm(*end, *start)
        assert geo.distance_nm(*start, *start) == 0


def test_antimeridian_is_the_short_way_round():
    assert geo.delta_lon_e6(179_999_000, -179_999_000) == 2_000
    assert geo.delta_lon_e6(-179_999_000, 179_999_000) == -2_000
    assert geo.delta_lon_e6(-180_000_000, 180_000_000) == 0
    assert geo.delta_lon_e6(0, 180_000_000) == 180_000_000
    near = geo.distance_m(0, 179_999_000, 0, -179_999_000)
    assert near == round(haversine_m(0, 179_999_000, 0, 180_001_000))        # 222 m, not 40,000 km
    assert geo.distance_m(10_000_000, -180_000_000, 10_000_000, 180_000_000) == 0


@pytest.mark.parametrize("radius_m", [10, 100, 1_000, 10_000, 100_000])
def test_claim_boundary(radius_m):
    for lat in (-70, -45, 0, 30, 60, 70):
        for lon in (0.0, 179.99):
            for bearing in range(0, 360, 30):
                centre = (lat * 1_000_000, round(lon * 1e6))
                inside = destination_e6(lat, lon, bearing, 0.99 * radius_m)
                outside = destination_e6(lat, lon, bearing, 1.01 * radius_m)
                assert geo.within_radius(*centre, *inside, radius_m), (centre, bearing)
                assert not geo.within_radius(*centre, *outside, radius_m), (centre, bearing)


def test_within_radius_is_exact_at_the_boundary():
    # one degree of latitude is exactly 111,195,080,000,000 nm (111,195.08 m)
    assert geo.distance_nm(0, 0, 1_000_000, 0) == 111_195_080_000_000
    assert not geo.within_radius(0, 0, 1_000_000, 0, 111_195)
    assert geo.within_radius(0, 0, 1_000_000, 0, 111_196)
    # 0.1 degree is 11,119.508 m
    assert not geo.within_radius(0, 0, 100_000, 0, 11_119) and geo.within_radius(0, 0, 100_000, 0, 11_120)
    assert geo.within_radius(0, 0, 0, 0, 1)


def test_claims_at_099_r_inside_and_101_r_outside_on_chain(net, keys):
    radius = 2_000
    centre = (-33_856_784, 151_215_297)                 # Sydney
    campaign_id = net.create(keys[0], keys[1].address, centre=centre, radius_m=radius, count=4)
    for bearing, key in ((45, keys[2]), (200, keys[3])):
        outside = destination_e6(centre[0] / 1e6, centre[1] / 1e6, bearing, 1.01 * radius)
        net.expect_revert(key, "position outside the campaign area", CLAIM, campaign_id, *outside, 0, b"")
        inside = destination_e6(centre[0] / 1e6, centre[1] / 1e6, bearing, 0.99 * radius)
        assert net.claim(key, campaign_id, inside) > 0
    distance = net.view(keys[5], "distanceMeters(int32,int32,int32,int32)", ["uint256"], *centre, *inside)
    assert distance == (geo.distance_m(*centre, *inside),) and abs(distance[0] - 0.99 * radius) <= 2
