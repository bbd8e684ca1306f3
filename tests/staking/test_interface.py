"""contracts/interfaces/IStaking.sol and the staking precompile agree: the same functions and the
same events, with the same argument names (the keys of the `stake.*` ABCI event attributes)."""

from abci_app import staking
from abci_app.contracts import load_contract
from abci_app.precompiles import Event
from abci_app.staking import calls

from ..middleware.abi import abi_signature, interface_events, module_events


def test_functions_match_the_interface():
    interface = {abi_signature(e) for e in load_contract("IStaking").abi if e["type"] == "function"}
    assert interface == {f.signature for f in staking.PRECOMPILE.functions.values()}


def test_events_match_the_interface():
    assert module_events(staking.EVENTS) == interface_events("IStaking")
    assert set(staking.EVENTS) == {v for v in vars(calls).values() if isinstance(v, Event)}
