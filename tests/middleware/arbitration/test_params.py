"""Genesis params of arbitration: defaults, parsing, validation, and how a chain stores them."""

import re

import pytest

from abci_app.middleware import arbitration
from abci_app.middleware.arbitration.params import WEI_PER_CMT, ArbitrationParams

from .harness import PARAMS_ABI, ArbitrationChain, arbitration_state


def test_defaults():
    p = arbitration.parse_params({})
    assert p == ArbitrationParams(10_000 * WEI_PER_CMT, 3, 100, 3 * 86_400, 3 * 86_400, 500, 7 * 86_400,
                                  WEI_PER_CMT, 2)


def test_round_trip_and_decimal_strings():
    p = arbitration.parse_params({"min_arbiter_stake_wei": "5", "arbiters_per_case": 5, "fee_bps": "0"})
    assert (p.min_arbiter_stake_wei, p.arbiters_per_case, p.fee_bps) == (5, 5, 0)
    assert arbitration.parse_params(arbitration.params_json(p)) == p


@pytest.mark.parametrize("doc, message", [
    ({"colour": 1}, "unknown arbitration params: colour"),
    ({"fee_bps": -1}, "must be a non-negative integer"),
    ({"fee_bps": True}, "must be a non-negative integer"),
    ({"fee_bps": 1.5}, "must be a non-negative integer"),
    ({"fee_bps": "1e3"}, "must be a non-negative integer"),
    ({"arbiters_per_case": 2}, "arbiters_per_case must be odd"),
    ({"arbiters_per_case": 0}, "arbiters_per_case must be odd"),
    ({"arbiters_per_case": 23}, "arbiters_per_case must be odd"),
    ({"min_arbiter_stake_wei": 0}, "min_arbiter_stake_wei must be at least 1 wei"),
    ({"min_arbiter_stake_wei": 2**128}, "min_arbiter_stake_wei must be below"),
    ({"fee_bps": 10_000}, "fee_bps must be below 10000"),
    ({"arbiter_penalty_bps": 10_001}, "arbiter_penalty_bps must be at most 10000"),
    ({"voting_seconds": 0}, "voting_seconds must be at least 1"),
    ({"unbonding_seconds": 2**32}, "unbonding_seconds must be below 2**32"),
    ({"dispute_fee_wei": 2**128}, "dispute_fee_wei must be below 2**128 wei"),
    ({"draw_delay_blocks": 0}, "draw_delay_blocks must be 1 to 128"),
    ({"draw_delay_blocks": 129}, "draw_delay_blocks must be 1 to 128"),
])
def test_bad_params_are_refused(doc, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        arbitration.parse_params(doc)


def test_not_an_object():
    with pytest.raises(ValueError, match="must be an object"):
        arbitration.parse_params([1])


def test_chain_with_default_params(tmp_path, keys):
    net = ArbitrationChain.start(str(tmp_path / "db"), arbitration_state(keys, {}))
    net.keys = keys
    try:
        assert net.arb_view("params()", PARAMS_ABI) == (
            (10_000 * WEI_PER_CMT, 3, 100, 3 * 86_400, 3 * 86_400, 500, 7 * 86_400, WEI_PER_CMT, 2),)
    finally:
        net.chain.app.close()


def test_chain_refuses_bad_genesis(tmp_path, keys):
    with pytest.raises(Exception, match="arbitration: arbitration param arbiters_per_case must be odd"):
        ArbitrationChain.start(str(tmp_path / "db"), arbitration_state(keys, {"arbiters_per_case": 4}))
