"""The bare py-evm baseline: the same signed transactions applied with py-evm alone.

Same fork and precompiles (so claims run), but py-evm's own account database and executor (no flat
account cache, no batched trie commit, apply validates each transaction again), same BlockExecution,
on an in-memory AtomicDB: no ABCI, no CheckTx, no store overlay, no receipts, no staking or
economics at block boundaries.
Decoding and sender recovery are inside the clock (py-evm needs the sender too).
"""

import time

from eth.db.atomic import AtomicDB

from ..app.application import BARE_VM, EMPTY_ROOT
from ..app.driver import GENESIS_TIME_S
from ..app.genesis import parse_genesis
from ..app.modules import BOUNDARY_MODULES, PRECOMPILES
from ..evm import BlockContext, BlockExecution, TxLimits
from ..evm.fork import PRECOMPILE_CODE
from ..evm.tx import decode_tx
from .workloads import Workload

COINBASE = b"\xcb" * 20


class BareEvm:
    def __init__(self, app_state: dict) -> None:
        import json
        self.genesis = parse_genesis(json.dumps(app_state).encode())
        params = self.genesis.params
        self.limits = TxLimits(chain_id=self.genesis.chain_id, max_tx_bytes=params.max_tx_bytes,
                               block_gas_limit=params.block_gas_limit, min_gas_price_wei=params.min_gas_price_wei)
        self.db = AtomicDB()
        self.height = 0
        execution = self._execution(EMPTY_ROOT)
        for address, balance in self.genesis.balances_wei:
            execution.state.set_balance(address, balance)
        for address in sorted(PRECOMPILES):
            execution.state.set_code(address, PRECOMPILE_CODE)
            execution.state.set_nonce(address, 1)
        for module in BOUNDARY_MODULES:
            module.init_genesis(execution.state, self.genesis.middleware[module.NAME])
        self.root = execution.finish()

    def _execution(self, root: bytes) -> BlockExecution:
        self.height += 1
        params = self.genesis.params
        ctx = BlockContext(height=self.height, timestamp_s=GENESIS_TIME_S + self.height, prev_randao=b"\0" * 32,
                           gas_limit=params.block_gas_limit, base_fee_wei=params.min_gas_price_wei, coinbase=COINBASE)
        return BlockExecution(BARE_VM, self.db, root, ctx, self.genesis.chain_id)

    def block(self, txs: list[bytes]) -> None:
        execution = self._execution(self.root)
        for raw in txs:
            outcome = execution.apply(decode_tx(raw, self.limits))
            if not outcome.success:
                raise RuntimeError(f"a baseline tx failed: {outcome.error}")
        self.root = execution.finish()


def measure_bare_evm(workload: Workload, block_txs: int) -> dict:
    evm = BareEvm(workload.genesis())
    for block in workload.setup:
        evm.block(block)
    started = time.perf_counter()
    for block in workload.blocks(block_txs):
        evm.block(block)
    elapsed = time.perf_counter() - started
    return {"txs": len(workload.timed), "tx_per_s": len(workload.timed) / elapsed}
