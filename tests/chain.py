"""Drive the Application in-process as CometBFT would: InitChain, CheckTx, FinalizeBlock, Commit."""

import hashlib
import json
from dataclasses import dataclass, field

from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address
from google.protobuf.timestamp_pb2 import Timestamp

from abci_app.abci import types
from abci_app.app import Application

CHAIN_ID = 1818
GWEI = 10**9
CMT = 10**18
GENESIS_TIME_S = 1_700_000_000


def app_state(accounts: list[LocalAccount], balance_wei: int = 1_000_000 * CMT, **params) -> dict:
    state = {
        "chain_id": CHAIN_ID,
        "accounts": [{"address": a.address, "balance_wei": str(balance_wei)} for a in accounts],
    }
    if params:
        state["params"] = {k: str(v) if isinstance(v, int) else v for k, v in params.items()}
    return state


def transfer(key: LocalAccount, nonce: int, to: str, value_wei: int = 1, *, fee_market: bool = True,
             chain_id: int = CHAIN_ID, gas: int = 21_000, gas_price: int = GWEI, data: bytes = b"") -> bytes:
    tx = {"nonce": nonce, "value": value_wei, "gas": gas, "chainId": chain_id, "data": data}
    if to:
        tx["to"] = to_checksum_address(to)
    if fee_market:
        tx.update(maxFeePerGas=2 * gas_price, maxPriorityFeePerGas=gas_price)
    else:
        tx["gasPrice"] = gas_price
    return bytes(key.sign_transaction(tx).raw_transaction)


@dataclass
class Chain:
    """An Application plus the block bookkeeping CometBFT would do."""

    app: Application
    height: int = 0
    time_s: int = GENESIS_TIME_S
    app_hashes: list[bytes] = field(default_factory=list)

    @classmethod
    def start(cls, db_path: str, state: dict) -> "Chain":
        app = Application(db_path)
        response = app.init_chain(types.RequestInitChain(
            chain_id="miles-test", app_state_bytes=json.dumps(state).encode(), initial_height=1,
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
        block_hash = hashlib.sha256(b"block-%d" % self.height).digest()
        response = self.app.finalize_block(types.RequestFinalizeBlock(
            txs=txs, height=self.height, time=Timestamp(seconds=self.time_s), hash=block_hash,
            proposer_address=b"\x01" * 20,
        ))
        assert len(response.tx_results) == len(txs)
        self.app.commit(types.RequestCommit())
        self.app_hashes.append(response.app_hash)
        return list(response.tx_results)

    def query(self, path: str) -> types.ResponseQuery:
        return self.app.query(types.RequestQuery(path=path))

    def account(self, address: str) -> dict:
        response = self.query(f"/account/{address}")
        assert response.code == 0, response.log
        return json.loads(response.value)

    def balance(self, address: str) -> int:
        return int(self.account(address)["balance"])

    def supply(self) -> int:
        return self.app.reader.sum_balances()
