"""Events attached to transaction results, so `tx_search` finds transactions by their Ethereum facts."""

from ..abci import types
from ..evm import TxOutcome


def _attribute(key: str, value: str) -> types.EventAttribute:
    return types.EventAttribute(key=key, value=value, index=True)


def eth_tx_event(outcome: TxOutcome) -> types.Event:
    """`eth.hash`, `eth.from`, `eth.to` (or `eth.contract` for a deployment), all indexed."""
    attributes = [
        _attribute("hash", "0x" + outcome.tx_hash.hex()),
        _attribute("from", "0x" + outcome.sender.hex()),
    ]
    if outcome.to:
        attributes.append(_attribute("to", "0x" + outcome.to.hex()))
    if outcome.contract_address:
        attributes.append(_attribute("contract", "0x" + outcome.contract_address.hex()))
    return types.Event(type="eth", attributes=attributes)
