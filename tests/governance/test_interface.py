"""contracts/interfaces/IGovernance.sol and the precompile agree: the same functions (signatures,
return types, payable and view flags) and the same events (signatures and indexed arguments)."""

from abci_app import governance
from abci_app.governance import events

from ..middleware.abi import assert_events_match, assert_functions_match


def test_functions_match_the_interface():
    assert_functions_match("IGovernance", governance.PRECOMPILE)


def test_events_match_the_interface():
    assert_events_match("IGovernance", governance.EVENTS, events)
