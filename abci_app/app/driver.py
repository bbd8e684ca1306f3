"""Drive the Application in-process exactly as CometBFT would: InitChain, CheckTx, FinalizeBlock,
Commit. For tests and the in-process benchmark; block hashes and times are made up but fixed.

After every Commit the driver checks the supply and every module's solvency (app/solvency.py) and
raises AssertionError naming what broke, so every test that runs blocks checks them. The
benchmark turns it off (`check_solvency=False`): a walk of every account per block would be
timed with the blocks; it checks once at the end instead.
"""

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from google.protobuf.timestamp_pb2 import Timestamp

from ..abci import types
from . import solvency
from .application import Application

GENESIS_TIME_S = 1_700_000_000


@dataclass
class InProcessChain:
    """An Application plus the block bookkeeping CometBFT would do."""

    app: Application
    height: int = 0
    time_s: int = GENESIS_TIME_S
    app_hashes: list[bytes] = field(default_factory=list)
    check_solvency: bool = True         # after every Commit: supply and solvency
    last: types.ResponseFinalizeBlock | None = None

    @classmethod
    def start(cls, db_path: str, app_state: dict, check_solvency: bool = True) -> "InProcessChain":
        app = Application(db_path)
        response = app.init_chain(types.RequestInitChain(
            chain_id="miles-inprocess", app_state_bytes=json.dumps(app_state).encode(), initial_height=1,
            time=Timestamp(seconds=GENESIS_TIME_S),
        ))
        chain = cls(app, check_solvency=check_solvency)
        chain.app_hashes.append(response.app_hash)
        return chain

    def check(self, raw: bytes, recheck: bool = False) -> types.ResponseCheckTx:
        kind = types.CheckTxType.RECHECK if recheck else types.CheckTxType.NEW
        return self.app.check_tx(types.RequestCheckTx(tx=raw, type=kind))

    def block(self, txs: list[bytes], seconds: int = 1, last_commit: types.CommitInfo | None = None,
              misbehavior: Sequence[types.Misbehavior] = ()) -> list[types.ExecTxResult]:
        """FinalizeBlock then Commit (then the solvency check); returns the per-transaction results.
        `last_commit` and `misbehavior` are what CometBFT would pass (none by default)."""
        self.height += 1
        self.time_s += seconds
        self.last = response = self.app.finalize_block(types.RequestFinalizeBlock(
            txs=txs, height=self.height, time=Timestamp(seconds=self.time_s),
            hash=hashlib.sha256(b"block-%d" % self.height).digest(), proposer_address=b"\x01" * 20,
            decided_last_commit=last_commit, misbehavior=misbehavior,
        ))
        if len(response.tx_results) != len(txs):
            raise AssertionError("FinalizeBlock must return one result per transaction")
        self.app.commit(types.RequestCommit())
        self.app_hashes.append(response.app_hash)
        if self.check_solvency:
            self.assert_solvent()
        return list(response.tx_results)

    def assert_solvent(self) -> None:
        """The supply invariant and every module's solvency on the committed state."""
        failures = solvency.check(self.app.reader).failures()
        if failures:
            raise AssertionError(f"after block {self.height}: " + "; ".join(failures))

    def query(self, path: str) -> types.ResponseQuery:
        return self.app.query(types.RequestQuery(path=path))

    def account(self, address: str) -> dict:
        response = self.query(f"/account/{address}")
        if response.code != 0:
            raise LookupError(response.log)
        return json.loads(response.value)

    def balance(self, address: str) -> int:
        return int(self.account(address)["balance"])

    def supply(self) -> int:
        """The sum of all balances, by walking the whole account trie."""
        return self.app.reader.sum_balances()
