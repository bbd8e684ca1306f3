"""Events attached to transaction results, so `tx_search` finds transactions by their Ethereum facts."""

from ..abci import types
from ..evm import TxOutcome
from ..staking import EndBlock, ValidatorUpdate


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


def validator_update(update: ValidatorUpdate) -> types.ValidatorUpdate:
    return types.ValidatorUpdate(pub_key=types.PublicKey(ed25519=update.pubkey), power=update.power)


def block_events(ended: EndBlock) -> list[types.Event]:
    """FinalizeBlock's events (block_search and block_results show them): `mint` (amount, supply),
    `rewards` per rewarded validator (commission, delegators' share), `stake.slash`,
    `stake.unbonding_completed`."""
    events = [types.Event(type="mint", attributes=[
        _attribute("amount", str(ended.minted_wei)), _attribute("supply", str(ended.supply_wei)),
    ])]
    events += [
        types.Event(type="rewards", attributes=[
            _attribute("validator", "0x" + r.operator.hex()), _attribute("commission", str(r.commission_wei)),
            _attribute("delegators", str(r.delegators_wei)),
        ])
        for r in ended.rewards
    ]
    events += [
        types.Event(type="stake.slash", attributes=[
            _attribute("operator", "0x" + s.operator.hex()), _attribute("reason", s.reason),
            _attribute("burned", str(s.burned_wei)), _attribute("jailed_until", str(s.jailed_until_s)),
        ])
        for s in ended.slashes
    ]
    events += [
        types.Event(type="stake.unbonding_completed", attributes=[
            _attribute("delegator", "0x" + u.delegator.hex()), _attribute("candidate", "0x" + u.candidate.hex()),
            _attribute("amount", str(u.amount_wei)),
        ])
        for u in ended.paid
    ]
    return events
