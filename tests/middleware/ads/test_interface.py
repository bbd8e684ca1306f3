"""contracts/interfaces/IAds.sol and the precompile agree: the same functions (signatures, return
types, payable and view flags) and the same events (signatures and indexed arguments)."""

from abci_app.middleware import ads
from abci_app.middleware.ads import calls

from ..abi import assert_events_match, assert_functions_match


def test_functions_match_the_interface():
    assert_functions_match("IAds", ads.PRECOMPILE)


def test_events_match_the_interface():
    assert_events_match("IAds", ads.EVENTS, calls)
