"""Genesis params: parsed, validated, stored, read back through the params() view."""

import pytest

from abci_app.middleware import coupons

from .conftest import start
from .harness import CREATE, ZERO


def test_defaults_and_round_trip():
    params = coupons.parse_params({})
    assert params == coupons.CouponsParams(max_radius_m=100_000, max_coupons=100_000)
    assert coupons.params_json(params) == {"max_radius_m": 100_000, "max_coupons": 100_000}
    assert coupons.parse_params(coupons.params_json(params)) == params
    assert coupons.parse_params({"max_radius_m": "500", "max_coupons": 7}).max_radius_m == 500


@pytest.mark.parametrize("doc, message", [
    ({"max_radius": 5}, "unknown coupons params: max_radius"),
    ({"max_radius_m": 0}, "max_radius_m must be between 1 and 100000"),
    ({"max_radius_m": 100_001}, "max_radius_m must be between 1 and 100000"),
    ({"max_coupons": 0}, "max_coupons must be between 1 and 4294967295"),
    ({"max_coupons": 2**32}, "max_coupons must be between 1 and 4294967295"),
    ({"max_coupons": -1}, "coupons param max_coupons must be a non-negative integer, got -1"),
    ({"max_coupons": 0}, "max_coupons must be between 1 and 4294967295"),
    ({"max_coupons": "ten"}, "coupons param max_coupons must be a non-negative integer, got 'ten'"),
    ({"max_coupons": True}, "coupons param max_coupons must be a non-negative integer, got True"),
    ({"max_coupons": 1.5}, "coupons param max_coupons must be a non-negative integer, got 1.5"),
])
def test_bad_params_are_refused(doc, message):
    with pytest.raises(ValueError) as raised:
        coupons.parse_params(doc)
    assert str(raised.value) == message


def test_genesis_params_limit_campaigns(tmp_path, keys):
    net = start(tmp_path, keys, {"max_radius_m": 500, "max_coupons": 10})
    try:
        assert net.view(keys[5], "params()", ["uint32", "uint32"]) == (500, 10)
        now = net.now
        net.expect_revert(keys[0], "radius must be between 1 and 500 metres", CREATE, keys[1].address, 1, 1, 0, 0, 501,
                          now, now + 10, ZERO, "", value=1)
        net.expect_revert(keys[0], "max coupons must be between 1 and 10", CREATE, keys[1].address, 1, 11, 0, 0, 500,
                          now, now + 10, ZERO, "", value=11)
        assert net.create(keys[0], keys[1].address, value=1, count=10, radius_m=500) == 1
    finally:
        net.chain.app.close()
