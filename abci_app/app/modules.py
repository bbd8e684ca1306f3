"""The precompiled modules of the chain, in one place: staking and the middleware.

To add a middleware module: list it in abci_app/middleware MODULES (see its __init__.py for the
boundary it must offer). Its precompile is then served, its account exists from genesis,
and its genesis section is parsed and stored, and its precompile's logs become ABCI events.
"""

from .. import governance, staking
from ..middleware import MODULES as MIDDLEWARE

# The modules with the middleware boundary: the middleware, and governance (which may read and
# change the others, so it is not middleware itself).
BOUNDARY_MODULES = (*MIDDLEWARE, governance)

# Governance keeps its vote tally in step with every change of a delegation's shares.
staking.watch_shares(governance.shares_changed)

PRECOMPILES = {staking.ADDRESS: staking.PRECOMPILE, **{m.ADDRESS: m.PRECOMPILE for m in BOUNDARY_MODULES}}

# The precompile logs that become ABCI events (app/events.py): (log address, topic 0) ->
# (the module's EVENT_PREFIX, Event). Logs of ordinary contracts stay EVM logs only.
PRECOMPILE_EVENTS = {
    (m.ADDRESS, event.topic): (m.EVENT_PREFIX, event) for m in (staking, *BOUNDARY_MODULES) for event in m.EVENTS
}
