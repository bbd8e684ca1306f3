"""The precompiled modules of the chain, in one place: staking and the middleware.

To add a middleware module: import it and list it in MIDDLEWARE (see abci_app/middleware/__init__.py
for the boundary it must offer). Its precompile is then served, its account exists from genesis,
and its genesis section is parsed and stored, and its precompile's logs become ABCI events.
"""

from .. import staking
from ..middleware import ads
from ..middleware import arbitration
from ..middleware import coupons
from ..middleware import groups
from ..middleware import identity

MIDDLEWARE = (
    coupons,
    ads,
    arbitration,
    identity,
    groups,
)

PRECOMPILES = {staking.ADDRESS: staking.PRECOMPILE, **{m.ADDRESS: m.PRECOMPILE for m in MIDDLEWARE}}

# The precompile logs that become ABCI events (app/events.py): (log address, topic 0) ->
# (the module's EVENT_PREFIX, Event). Logs of ordinary contracts stay EVM logs only.
PRECOMPILE_EVENTS = {
    (m.ADDRESS, event.topic): (m.EVENT_PREFIX, event) for m in (staking, *MIDDLEWARE) for event in m.EVENTS
}
