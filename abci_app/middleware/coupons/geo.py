"""Integer-only distances on the Earth, identical on every machine (DESIGN.md §7, §8).

Positions are microdegrees (signed integers). The distance is the equirectangular approximation
  dy = dlat,  dx = dlon * cos(mean latitude)
converted to metres with a fixed rational (metres per microdegree on a sphere of radius
6,371,008.8 m). No floats, no trigonometry from `math`: the cosine comes from a table of
cos(k * 0.1 degree) * 10**9 computed once at import by an integer Taylor series, with linear
interpolation between entries. Within 0.5% of the haversine distance up to 100 km at latitudes up
to +-70 degrees (tests/middleware/coupons/test_geo.py checks it against a float reference).
"""

from math import isqrt  # integer square root: exact and deterministic

MICRO = 10**6
LAT_LIMIT_E6 = 90 * MICRO
LON_LIMIT_E6 = 180 * MICRO
FULL_TURN_E6 = 360 * MICRO

COS_SCALE = 10**9                 # table values are cos * 10**9
TABLE_STEP_E6 = 100_000           # one entry every 0.1 degree
TABLE_ENTRIES = 90 * MICRO // TABLE_STEP_E6 + 1   # 0.0 .. 90.0 degrees: 901 entries

# Metres per microdegree of arc: 2 * pi * 6,371,008.8 / 360e6 = 0.11119507973... m, kept as the
# integer number of nanometres (111,195,080 nm; relative error 2e-9).
NM_PER_MICRODEGREE = 111_195_080
NM_PER_M = 10**9

_FIXED = 10**30                   # fixed-point scale for building the table
_PI_FIXED = 3_141_592_653_589_793_238_462_643_383_280   # pi * 10**30, rounded


def _cos_fixed(angle_fixed: int) -> int:
    """cos(angle) * 10**30 for 0 <= angle <= pi/2 (radians * 10**30), by its Taylor series."""
    total, term, n = _FIXED, _FIXED, 0
    square = angle_fixed * angle_fixed // _FIXED
    while term:
        n += 2
        term = -(term * square // _FIXED) // ((n - 1) * n)
        total += term
    return total


def _build_cos_table() -> tuple[int, ...]:
    table = []
    for k in range(TABLE_ENTRIES):
        value = _cos_fixed(k * _PI_FIXED // 1800)       # k tenths of a degree
        table.append(max(0, (value * COS_SCALE + _FIXED // 2) // _FIXED))
    table[-1] = 0                                       # cos 90 degrees, exactly
    return tuple(table)


COS_TABLE = _build_cos_table()


def cos_e9(lat_e6_doubled: int) -> int:
    """cos(x / 2 microdegrees) * 10**9 for |x| <= 180e6, interpolated linearly in integers.

    Takes twice the angle so the mean of two latitudes (lat1 + lat2) needs no rounding."""
    position = abs(lat_e6_doubled)
    index, offset = divmod(position, 2 * TABLE_STEP_E6)
    if index >= TABLE_ENTRIES - 1:
        return COS_TABLE[-1]
    low, high = COS_TABLE[index], COS_TABLE[index + 1]
    return low - (low - high) * offset // (2 * TABLE_STEP_E6)


def valid_position(lat_e6: int, lon_e6: int) -> bool:
    return -LAT_LIMIT_E6 <= lat_e6 <= LAT_LIMIT_E6 and -LON_LIMIT_E6 <= lon_e6 <= LON_LIMIT_E6


def delta_lon_e6(lon1_e6: int, lon2_e6: int) -> int:
    """lon2 - lon1 the short way round, in [-180e6, 180e6] (so the antimeridian is no wall)."""
    delta = lon2_e6 - lon1_e6
    if delta > LON_LIMIT_E6:
        delta -= FULL_TURN_E6
    elif delta < -LON_LIMIT_E6:
        delta += FULL_TURN_E6
    return delta


def scaled_distance_sq(lat1_e6: int, lon1_e6: int, lat2_e6: int, lon2_e6: int) -> int:
    """The squared distance in (microdegrees * 10**9)**2: dx**2 + dy**2 of the approximation."""
    dx = delta_lon_e6(lon1_e6, lon2_e6) * cos_e9(lat1_e6 + lat2_e6)
    dy = (lat2_e6 - lat1_e6) * COS_SCALE
    return dx * dx + dy * dy


def distance_nm(lat1_e6: int, lon1_e6: int, lat2_e6: int, lon2_e6: int) -> int:
    """The distance in nanometres (floored): fine enough to test the approximation itself."""
    return isqrt(scaled_distance_sq(lat1_e6, lon1_e6, lat2_e6, lon2_e6)
                 * NM_PER_MICRODEGREE * NM_PER_MICRODEGREE) // COS_SCALE


def distance_m(lat1_e6: int, lon1_e6: int, lat2_e6: int, lon2_e6: int) -> int:
    """The distance in whole metres, rounded half up (the distanceMeters view)."""
    return (distance_nm(lat1_e6, lon1_e6, lat2_e6, lon2_e6) + NM_PER_M // 2) // NM_PER_M


def within_radius(lat1_e6: int, lon1_e6: int, lat2_e6: int, lon2_e6: int, radius_m: int) -> bool:
    """distance <= radius, compared exactly on squares (no square root, no rounding):
    scaled_sq * nm_per_ude**2 / 10**18 <= (radius * 10**9)**2."""
    left = scaled_distance_sq(lat1_e6, lon1_e6, lat2_e6, lon2_e6) * NM_PER_MICRODEGREE * NM_PER_MICRODEGREE
    right = (radius_m * NM_PER_M * COS_SCALE) ** 2
    return left <= right
