"""Drive the Application in-process exactly as CometBFT would: InitChain, CheckTx, FinalizeBlock,
Commit. For tests and the in-process benchmark; block hashes and times are made up but fixed."""

import hashlib
import json
from dataclasses import dataclass, field

from google.protobuf.timestamp_pb2 import Timestamp

from ..abci import types
from .application import Application

GENESIS_TIME_S = 1_700_000_000


@dataclass
class InProcessChain:
    """An Application plus the block bookkeeping CometBFT would do."""

    app: Application
    height: int = 0
    time_s: int = GENESIS_TIME_S
    app_hashes: list[bytes] = field(default_factory=list)

    @classmethod
    def start(cls, db_path: str, app_state: dict) -> "InProcessChain":
        app = Application(db_path)
        response = app.init_chain(types.RequestInitChain(
            chain_id="miles-inprocess", app_state_bytes=json.dumps(app_state).encode(), initial_height=1,
            time=Timestamp(seconds=GENESIS_TIME_S),
        ))
        chain = cls(app)
        chain.app_hashes.append(response.app_hash)
        return chain

    def check(self, raw: bytes, recheck: bool = False) -> types.ResponseCheckTx:
        kind = types.CheckTxType.RECHECK if recheck else types.CheckTxType.NEW
        return self.app.check_tx(types.RequestCheckTx(tx=raw, type=kind))

    def block(self, txs: list[bytes], seconds: int = 1) -> list[types.ExecTxResult]:
        """FinalizeBlock then Commit; returns the per-transaction results."""
        self.height += 1
        self.time_s += seconds
        response = self.app.finalize_block(types.RequestFinalizeBlock(
            txs=txs, height=self.height, time=Timestamp(seconds=self.time_s),
            hash=hashlib.sha256(b"block-%d" % self.height).digest(), proposer_address=b"\x01" * 20,
        ))
        if len(response.tx_results) != len(txs):
            raise AssertionError("FinalizeBlock must return one result per transaction")
        self.app.commit(types.RequestCommit())
        self.app_hashes.append(response.app_hash)
        return list(response.tx_results)

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
