"""Events attached to transaction results, so `tx_search` finds transactions by their Ethereum facts
and by what the precompiles did (docs/reference.md, "ABCI events").

A precompile log becomes an ABCI event of type `<module prefix>.<event name in snake_case>`, a
leading word equal to the prefix dropped (CouponClaimed under "coupon" -> `coupon.claimed`,
Delegated under "stake" -> `stake.delegated`), with one indexed attribute per event argument,
keyed by its Solidity name: `tx_search "coupon.claimed.campaignId=5"`.
"""

import re

import structlog

from .. import governance
from ..governance.records import KIND_NAMES, STATUS_NAMES
from ..abci import types
from ..evm import LogRecord, TxOutcome
from ..precompiles import Event
from ..staking import EndBlock, ValidatorUpdate
from .modules import PRECOMPILE_EVENTS

log = structlog.get_logger(__name__)


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


def event_type(prefix: str, name: str) -> str:
    """("coupon", "CouponClaimed") -> "coupon.claimed"; ("arbitration", "OrderOpened") ->
    "arbitration.order_opened"; ("coupon", "CampaignCreated") -> "coupon.campaign_created"."""
    words = [w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+", name)]
    if len(words) > 1 and words[0] == prefix:
        words = words[1:]
    return f"{prefix}.{'_'.join(words)}"


def render(type_: str, value) -> str:
    """An event argument as an attribute value: an address or bytes as 0x lowercase hex, integers
    in decimal, bool as true/false, a string as itself, an array as its elements comma-joined."""
    if type_.endswith("]"):
        element = type_[:type_.rindex("[")]
        return ",".join(render(element, v) for v in value)
    if isinstance(value, bytes):          # bytesN, bytes, or the keccak topic of an indexed dynamic value
        return "0x" + value.hex()
    if type_ == "address":
        return value.lower()
    if type_ == "bool":
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    return str(value)


# (log address, topic 0) -> (ABCI event type, Event), from the modules' registry.
_EVENTS: dict[tuple[bytes, int], tuple[str, Event]] = {
    key: (event_type(prefix, event.name), event) for key, (prefix, event) in PRECOMPILE_EVENTS.items()
}


def precompile_event(record: LogRecord) -> types.Event | None:
    """The ABCI event of a precompile's log; None for a log of an ordinary contract."""
    if not record.topics:
        return None
    known = _EVENTS.get((record.address, record.topics[0]))
    if known is None:
        return None
    type_, event = known
    try:
        values = event.decode(record.topics, record.data)
    except Exception:                      # cannot happen for the precompiles' own logs; skip, never fail
        log.warning("undecodable_precompile_log", address="0x" + record.address.hex(), event=event.signature)
        return None
    return types.Event(type=type_, attributes=[
        _attribute(name, render(t, v)) for name, t, v in zip(event.names, event.types, values)
    ])


def tx_events(outcome: TxOutcome) -> list[types.Event]:
    """A transaction's events: `eth`, then one per precompile log, in log order (none if it failed:
    a reverted transaction has no logs)."""
    events = [eth_tx_event(outcome)]
    for record in outcome.logs:
        event = precompile_event(record)
        if event is not None:
            events.append(event)
    return events


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


def proposal_events(ended: list[governance.Ended]) -> list[types.Event]:
    """`gov.proposal_ended` for each proposal the block ended: its id, kind, status (passed,
    rejected, vetoed, expired, failed), why, the final tally, its deposit and whether it was burned."""
    return [
        types.Event(type="gov.proposal_ended", attributes=[
            _attribute("proposalId", str(e.proposal_id)), _attribute("kind", KIND_NAMES[e.proposal.kind]),
            _attribute("status", STATUS_NAMES[e.proposal.status]), _attribute("outcome", e.proposal.outcome),
            _attribute("yes", str(e.proposal.yes_wei)), _attribute("abstain", str(e.proposal.abstain_wei)),
            _attribute("no", str(e.proposal.no_wei)), _attribute("veto", str(e.proposal.veto_wei)),
            _attribute("bonded", str(e.proposal.bonded_wei)), _attribute("deposit", str(e.proposal.deposit_wei)),
            _attribute("burned", "true" if e.burned else "false"),
        ])
        for e in ended
    ]
