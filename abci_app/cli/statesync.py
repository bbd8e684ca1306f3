"""CometBFT's side of a state sync stopped right after it recorded the app's restore.

CometBFT v0.38 records a state sync (its state at the snapshot height H and the commit of H) as
soon as the app's restore checks out, and cannot start again until block sync has saved block
H + 1: stopped in between (and it stops when the app is killed), it panics at every start with
"state (H) and store (0) height mismatch" (cometbft/cometbft#1077). Until a block is committed on
it, the app's restore is unconfirmed, and CometBFT's stores hold nothing a new state sync does not
give back. So before starting CometBFT, `miles start` and LocalNode reset its stores in that case:
it state-syncs again, and the app takes the snapshot over its unconfirmed restore.
"""

from pathlib import Path

import structlog

from ..app.snapshots import unconfirmed_restore
from ..store import Store
from . import cometbft

log = structlog.get_logger(__name__)


def redo_unconfirmed_state_sync(binary: Path, cometbft_home: Path, app_db: Path) -> bool:
    """Reset CometBFT's stores if it state-syncs and the app's state is an unconfirmed restore;
    whether it did. Call it with CometBFT stopped (the app may run)."""
    if not app_db.exists() or not cometbft.state_sync_enabled(cometbft_home):
        return False
    store = Store(str(app_db), read_only=True)
    try:
        height = unconfirmed_restore(store)
    finally:
        store.close()
    if height is None:
        return False
    log.warning("cometbft_state_reset", restored_height=height, home=str(cometbft_home),
                reason="the app's restore is unconfirmed: CometBFT state-syncs again")
    cometbft.reset_state(binary, cometbft_home)
    return True
