"""contracts/interfaces/IArbitration.sol says what the precompile does: same functions, return
types, payable/view flags and events (the compiled ABI in contracts/build/IArbitration.json against
the module)."""

from abci_app.middleware import arbitration
from abci_app.middleware.arbitration import events

from ..abi import assert_events_match, assert_functions_match


def test_functions_match_the_interface():
    assert_functions_match("IArbitration", arbitration.PRECOMPILE)


def test_events_match_the_interface():
    assert_events_match("IArbitration", arbitration.EVENTS, events)
    assert len(arbitration.EVENTS) == 19
