"""contracts/interfaces/IIdentity.sol and the precompile agree: the same functions (signatures,
return types, payable and view flags) and the same events (signatures and indexed arguments)."""

from abci_app.middleware import identity
from abci_app.middleware.identity import events

from ..abi import assert_events_match, assert_functions_match


def test_functions_match_the_interface():
    assert_functions_match("IIdentity", identity.PRECOMPILE)


def test_events_match_the_interface():
    assert_events_match("IIdentity", identity.EVENTS, events)
