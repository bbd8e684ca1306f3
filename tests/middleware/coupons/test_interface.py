"""contracts/interfaces/ICoupons.sol says what the precompile does: same functions, same return
types, same events with the same argument names (the compiled ABI in contracts/build/ICoupons.json against the module)."""

from abci_app.middleware import coupons
from abci_app.middleware.coupons import calls

from ..abi import assert_events_match, assert_functions_match


def test_functions_match_the_interface():
    assert_functions_match("ICoupons", coupons.PRECOMPILE)


def test_events_match_the_interface():
    assert_events_match("ICoupons", coupons.EVENTS, calls)
