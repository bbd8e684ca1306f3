"""A query worker: a process of its own that answers the expensive queries (query.OFFLOADED_ROUTES)
from the committed state, so they never hold up the process that runs blocks (issue 14).

`python -m abci_app.app.query_worker DB SECONDARY SETTINGS_JSON`. It opens the app's RocksDB
as a secondary (a read-only follower with its own folder SECONDARY), lowers its own priority so
the kernel favours the node, and answers frames on stdin with frames on stdout (query_pool.py's
protocol) until stdin closes. Each request names the height the app had committed when it asked;
the worker first catches up with the app's writes until it sees that block (Commit writes a block
in one atomic batch, so it sees all of it or none), then answers exactly as the app would
(query.answer_query), within the time budget: past it, code 44.
"""

import json
import os
import signal
import sys

import structlog

from ..abci import types
from ..evm.reader import StateReader
from ..logs import configure_logging
from ..store import Overlay, Store, keys
from . import codes
from .application import VM
from .genesis import parse_genesis
from .pruning import state_root_at
from .query import CommittedView, answer_query
from .query_pool import NICENESS, READY, read_frame, split_request, write_frame
from .settings import AppSettings

log = structlog.get_logger(__name__)


class OverBudget(BaseException):
    """The query's time is up. A BaseException, so no `except Exception` on the way (a precompile's
    bug guard, the answer's INTERNAL guard) mistakes it for a failure of the call itself."""


class Answerer:
    """The committed state as the app's secondary sees it, and the answers to queries on it."""

    def __init__(self, store: Store, settings: AppSettings) -> None:
        self.store = store
        self.settings = settings
        self.height = 0
        self.genesis = None
        self._armed = False
        signal.signal(signal.SIGALRM, self._time_is_up)

    def _time_is_up(self, signum, frame) -> None:
        if self._armed:
            self._armed = False
            raise OverBudget()

    def _committed_height(self) -> int:
        return int.from_bytes(self.store.get(keys.META_HEIGHT) or b"\0", "big")

    def view_at(self, height: int) -> CommittedView | None:
        """The app's committed view at `height` (catching up first if this worker is behind)."""
        if self.height < height:
            self.store.catch_up()
            self.height = self._committed_height()
        if self.genesis is None and (stored := self.store.get(keys.META_GENESIS)) is not None:
            self.genesis = parse_genesis(stored)
        root = state_root_at(self.store, height) if self.height >= height else None
        if root is None or self.genesis is None:
            return None
        return CommittedView(self.store, self.genesis, height,
                             StateReader(VM, Overlay(self.store), root, self.genesis.chain_id))

    def answer(self, req: types.RequestQuery, height: int) -> types.ResponseQuery:
        """`req` answered at the app's committed `height`, within the time budget."""
        budget_s = self.settings.query_timeout_ms / 1000
        try:
            self._armed = True
            signal.setitimer(signal.ITIMER_REAL, budget_s)
            view = self.view_at(height)
            if view is None:
                return types.ResponseQuery(code=codes.INTERNAL, log=f"the query worker cannot see block {height}")
            response = answer_query(req, view, self.settings)
        except OverBudget:
            log.warning("query_over_budget", path=req.path, budget_ms=self.settings.query_timeout_ms)
            return types.ResponseQuery(code=codes.QUERY_TIMEOUT, height=height, log=(
                f"the query ran past this node's time budget of {budget_s:g} s (app.query_timeout_ms) "
                "and was abandoned"))
        finally:
            self._armed = False
            signal.setitimer(signal.ITIMER_REAL, 0)
        return response


def main(argv: list[str] | None = None) -> int:
    db_path, secondary, settings_json = argv if argv is not None else sys.argv[1:]
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the app ends us
    answers = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)  # whatever prints (a log line) goes to stderr, never into the answers
    configure_logging()  # as the app's: JSON unless stderr is a terminal
    requests = os.fdopen(os.dup(0), "rb", buffering=0)
    os.nice(NICENESS)
    os.makedirs(secondary, exist_ok=True)
    answerer = Answerer(Store(db_path, secondary=secondary), AppSettings(**json.loads(settings_json)))
    write_frame(answers, READY)
    while (frame := read_frame(requests)) is not None:
        height, req = split_request(frame)
        write_frame(answers, answerer.answer(req, height).SerializeToString())
    return 0


if __name__ == "__main__":
    sys.exit(main())
