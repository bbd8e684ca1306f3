"""contracts/interfaces/IGroups.sol and the precompile agree: the same functions (signatures,
return types, payable and view flags) and the same events (signatures and indexed arguments)."""

from abci_app.middleware import groups
from abci_app.middleware.groups import events

from ..abi import assert_events_match, assert_functions_match


def test_functions_match_the_interface():
    assert_functions_match("IGroups", groups.PRECOMPILE)


def test_events_match_the_interface():
    assert_events_match("IGroups", groups.EVENTS, events)
