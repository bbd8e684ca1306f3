"""The chain's ABCI application: routes CometBFT's calls to genesis, mempool, EVM and store.

FinalizeBlock executes and stages; Commit writes the staged block in one atomic batch (state,
receipts, height, app hash), so a crash at any instant leaves the last committed block intact and
CometBFT's handshake replays the rest (DESIGN.md §3).
"""

import asyncio
import json
import os
import sys
import time
from collections import deque

import structlog
from eth_hash.auto import keccak

from .. import errors, governance, staking
from ..abci import Application as BaseApplication
from ..abci import tx_wire_size, types
from ..economics import next_base_fee
from ..evm import BlockContext, BlockExecution, DecodedTx, TxCache, TxLimits, encode_receipt
from ..evm.accounts import FlatAccounts
from ..evm.fork import PRECOMPILE_CODE, make_vm
from ..evm.prefetch import nodes_on_paths
from ..evm.reader import StateReader
from ..evm.trie_batch import NodeJournal
from ..store import Overlay, Store, keys
from . import chain_records, codes, fee_oracle, history, pruning, snapshots, upgrades
from .events import block_events, proposal_events, tx_events, validator_update
from .genesis import Genesis, current_params, parse_genesis
from .genesis_accounts import genesis_accounts_root
from .mempool import MempoolView
from .metrics import AppMetrics
from .modules import BOUNDARY_MODULES, PRECOMPILES
from .ordering import ByTip
from .query import OFFLOADED_ROUTES, CommittedView, answer_query, route_of
from .query_pool import QueryPool
from .settings import AppSettings

log = structlog.get_logger(__name__)

APP_VERSION = 1
BLOCKHASH_WINDOW = chain_records.WINDOW
EXIT_STORE_FAILED = 3   # Commit could not write the block
EXIT_NODE_FAULT = 4     # FinalizeBlock or Commit met a fault that is not a property of a transaction
EMPTY_ROOT = bytes.fromhex("56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421")
VM = make_vm(PRECOMPILES)
BARE_VM = make_vm(PRECOMPILES, bare=True)  # py-evm's own account database and executor (benchmark baseline)


class Application(BaseApplication):
    def __init__(self, db_path: str, metrics: AppMetrics | None = None, settings: AppSettings = AppSettings()) -> None:
        self.settings = settings
        self.on_fatal = stop_process  # what a node-local fault does (stop before Commit); tests watch it instead
        self.upgrade_handlers = upgrades.known_handlers()  # the upgrade plans this binary carries
        self.store = Store(db_path)
        self._db_path = db_path
        self._queries: QueryPool | None = None  # the query workers, once started
        self.snapshotter = snapshots.Snapshotter(self.store)  # state-sync snapshots, off the Commit path
        self.metrics = metrics or AppMetrics()
        self.metrics.watch_state_size(self.store.size_bytes)
        self.height = int.from_bytes(self.store.get(keys.META_HEIGHT) or b"\0", "big")
        self.app_hash = self.store.get(keys.META_APP_HASH) or b""
        self.state_root = self.store.get(keys.META_STATE_ROOT) or EMPTY_ROOT
        stored_genesis = self.store.get(keys.META_GENESIS)
        self.genesis: Genesis | None = parse_genesis(stored_genesis) if stored_genesis else None
        self._recent_hashes: deque[bytes] = deque(self._load_recent_hashes(), BLOCKHASH_WINDOW)
        self._overlay: Overlay | None = None
        self._staged: dict[bytes, bytes | None] = {}
        self._pending_block: tuple[int, bytes] | None = None
        # Where the next FinalizeBlock starts: the committed state (or InitChain's, with its staged
        # genesis and its overlay's journal). A FinalizeBlock never committed (CometBFT died in
        # between) is dropped back to it.
        self._base: tuple[bytes, dict[bytes, bytes | None], NodeJournal | None] = (self.state_root, {}, None)
        self._counted = self.store.get(keys.META_NODE_COUNTS) is not None  # pruning.py: counts complete
        if settings.keep_recent and self.height and not self._counted:
            log.warning("pruning_off", reason="this store has no node counts (made before incremental pruning, "
                        "or restored without them): it keeps every version")
        self._txs: TxCache | None = None
        self.accounts = FlatAccounts()  # the committed state's accounts, for blocks and CheckTx
        self.accounts.advance(self.state_root)
        self._reset_views()
        self.metrics.committed(self.height, self._validator_count())

    # ---- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        if self._queries is not None:
            self._queries.close()
            self._queries = None
        self.snapshotter.close()
        self.store.close()

    def _validator_count(self) -> int | None:
        """Validators in the committed state (for metrics only; None before genesis)."""
        if self.reader is None:
            return None
        try:
            return len(staking.state_view(self.reader.state).validators)
        except Exception:
            log.exception("metrics_validator_count_failed")
            return None

    def _load_recent_hashes(self) -> list[bytes]:
        """From the committed state (chain_records), where the app hash proves them."""
        return chain_records.recent_hashes(self._state_at(self.state_root), self.height) if self.height else []

    def _state_at(self, root: bytes):
        """A read-only py-evm state at `root` on the store (storage reads need no chain id)."""
        return StateReader(VM, Overlay(self.store), root, chain_id=0).state

    def _reset_views(self, db: Overlay | None = None) -> None:
        """After Commit (or at start): fresh committed-state reader and mempool view.

        Between InitChain and the first Commit the genesis state exists only in the overlay, so
        the views read it from there.
        """
        if self.genesis is None:
            self.reader = None
            self.mempool = None
            self.params = None
            return
        db = db if db is not None else Overlay(self.store, self.accounts)
        self.reader = StateReader(VM, db, self.state_root, self.genesis.chain_id)
        self.params = params = current_params(self.genesis, self.reader.state)  # the next block's
        limits = TxLimits(chain_id=self.genesis.chain_id, max_tx_bytes=params.max_tx_bytes,
                          block_gas_limit=params.block_gas_limit, min_gas_price_wei=params.min_gas_price_wei)
        if self._txs is None or self._txs.limits != limits:  # at start, and after a proposal changed them
            self._txs = TxCache(limits)
        self.mempool = MempoolView(self.reader.nonce_and_balance)
        self.base_fee_wei = chain_records.base_fee(self.reader.state, params.min_gas_price_wei)  # the next block's

    # ---- ABCI: info and genesis ------------------------------------------------------------

    def info(self, req: types.RequestInfo) -> types.ResponseInfo:
        return types.ResponseInfo(
            data="miles",
            version="0.1.0",
            app_version=APP_VERSION,
            last_block_height=self.height,
            last_block_app_hash=self.app_hash,
        )

    def init_chain(self, req: types.RequestInitChain) -> types.ResponseInitChain:
        genesis = parse_genesis(req.app_state_bytes)
        genesis_json = genesis.to_json()  # what the store keeps, and chain_records proves
        overlay = Overlay(self.store, journal=NodeJournal())
        ctx = self._block_context(req.initial_height, req.time.seconds, b"\0" * 32, genesis.params.block_gas_limit,
                                  genesis.params.min_gas_price_wei)
        accounts_root = genesis_accounts_root(self.store, genesis.balances_wei, genesis.accounts_file,
                                              self.settings.genesis_accounts_file)
        execution = BlockExecution(VM, overlay, accounts_root, ctx, genesis.chain_id)
        for address in sorted(PRECOMPILES):
            execution.state.set_code(address, PRECOMPILE_CODE)
            execution.state.set_nonce(address, 1)
        chain_records.init_genesis(execution.state, genesis_json)
        validators = staking.init_genesis(execution.state, genesis.staking, req.time.seconds, genesis.supply_wei,
                                          genesis.mint_params)
        for module in BOUNDARY_MODULES:
            module.init_genesis(execution.state, genesis.middleware[module.NAME])
        self.state_root = execution.finish()
        self.app_hash = self.state_root
        self.genesis = genesis
        self._overlay = overlay
        self._staged = {keys.META_GENESIS: genesis_json, **pruning.genesis_marks(req.initial_height)}
        self._counted = True
        self._base = (self.state_root, dict(self._staged), overlay.journal.copy())
        self._pending_block = None
        self._reset_views(overlay)
        log.info("init_chain", chain_id=req.chain_id, evm_chain_id=genesis.chain_id,
                 accounts=len(genesis.balances_wei) + (genesis.accounts_file.accounts if genesis.accounts_file else 0),
                 supply_wei=str(genesis.supply_wei))
        return types.ResponseInitChain(app_hash=self.app_hash, validators=[validator_update(v) for v in validators])

    # ---- ABCI: mempool ---------------------------------------------------------------------

    def check_tx(self, req: types.RequestCheckTx) -> types.ResponseCheckTx:
        started = time.perf_counter()
        response = self._check_tx(req)
        self.metrics.check_answered(response.code, req.type == types.CheckTxType.RECHECK,
                                    time.perf_counter() - started)
        return response

    def _check_tx(self, req: types.RequestCheckTx) -> types.ResponseCheckTx:
        if self.genesis is None:
            return types.ResponseCheckTx(code=codes.INTERNAL, log="chain not initialised")
        try:
            dtx = self._txs.decode(req.tx)
            if dtx.max_fee_per_gas < self.settings.min_gas_price_wei:  # this node's own floor (CheckTx only)
                raise errors.GasPriceTooLow(
                    f"gas price {dtx.max_fee_per_gas} below this node's minimum {self.settings.min_gas_price_wei}")
            if dtx.max_fee_per_gas < self.base_fee_wei:
                raise errors.GasPriceTooLow(
                    f"max fee {dtx.max_fee_per_gas} below the next block's base fee {self.base_fee_wei}")
            self.mempool.admit(dtx)
            self._txs.keep(dtx)
        except errors.TxRejected as exc:
            return types.ResponseCheckTx(code=codes.code_for(exc), log=str(exc))
        except Exception:
            log.exception("check_tx_bug")
            return types.ResponseCheckTx(code=codes.INTERNAL, log="internal error")
        return types.ResponseCheckTx(code=codes.OK, gas_wanted=dtx.gas)

    # ---- ABCI: proposals -------------------------------------------------------------------

    def prepare_proposal(self, req: types.RequestPrepareProposal) -> types.ResponsePrepareProposal:
        """Take mempool transactions by effective tip (app/ordering.py), each that fits the byte
        and gas limits (bytes counted as CometBFT counts them, with their protobuf framing). One
        that does not fit is skipped, with its sender's later ones (their nonces follow it), rather
        than ending the block: a tx with a huge gas limit cannot keep the others out. One that
        cannot pay the base fee waits."""
        decoded = []
        for raw in req.txs:
            try:
                decoded.append(self._txs.decode(raw))
            except errors.TxRejected:
                continue
            except Exception:  # a bug in decoding: leave the tx out rather than fail the proposal
                log.exception("prepare_proposal_decode_bug")
        chosen, size, gas = [], 0, 0
        ordered = ByTip(decoded, self.base_fee_wei)
        for dtx in ordered:
            wire = tx_wire_size(dtx.raw)
            if size + wire > req.max_tx_bytes or gas + dtx.gas > self.params.block_gas_limit:
                ordered.hold_back(dtx.sender)
                continue
            chosen.append(dtx.raw)
            size += wire
            gas += dtx.gas
        return types.ResponsePrepareProposal(txs=chosen)

    def process_proposal(self, req: types.RequestProcessProposal) -> types.ResponseProcessProposal:
        """Reject a proposal with an undecodable transaction or more gas than a block allows,
        at the first tx that shows it (decoding is the work: a proposer's junk buys no more).

        A proposal this node cannot judge (a bug in decoding, a local fault) is rejected too: that
        costs at most a round, and keeps such a tx out of FinalizeBlock. The decodings of an
        accepted proposal are kept for its FinalizeBlock."""
        status = types.ResponseProcessProposal.ProposalStatus
        gas, decoded = 0, []
        try:
            for raw in req.txs:
                decoded.append(self._txs.decode(raw))
                gas += decoded[-1].gas
                if gas > self.params.block_gas_limit:
                    return types.ResponseProcessProposal(status=status.REJECT)
        except errors.TxRejected:
            return types.ResponseProcessProposal(status=status.REJECT)
        except Exception:
            log.exception("process_proposal_decode_bug", height=req.height)
            return types.ResponseProcessProposal(status=status.REJECT)
        for dtx in decoded:
            self._txs.keep(dtx)
        return types.ResponseProcessProposal(status=status.ACCEPT)

    # ---- ABCI: blocks ----------------------------------------------------------------------

    def _block_context(self, height: int, time_s: int, block_hash: bytes, gas_limit: int,
                       base_fee_wei: int) -> BlockContext:
        return BlockContext(
            height=height,
            timestamp_s=time_s,
            prev_randao=block_hash.rjust(32, b"\0")[:32],
            gas_limit=gas_limit,
            base_fee_wei=base_fee_wei,
            coinbase=staking.REWARD_POOL,
            prev_hashes=tuple(reversed(self._recent_hashes)),
        )

    def finalize_block(self, req: types.RequestFinalizeBlock) -> types.ResponseFinalizeBlock:
        """Execute the block. A transaction's own fault fails that transaction (evm/execute.py);
        any other fault stops the node here, before Commit, so it never commits a state (or a
        receipt) the other nodes do not have. CometBFT replays the block after a restart."""
        self.snapshotter.block_started()  # a snapshot being built steps aside until Commit
        try:
            return self._finalize_block(req)
        except (upgrades.UpgradeNeeded, upgrades.UpgradeEarly) as exc:
            needed = isinstance(exc, upgrades.UpgradeNeeded)
            info = upgrades.write_info(self._db_path, exc.plan) if needed else None
            log.critical("upgrade_needed" if needed else "upgrade_too_early", height=req.height, plan=exc.plan.name,
                         plan_height=exc.plan.height, info=exc.plan.info, message=str(exc),
                         upgrade_info=str(info) if info else None)
            print(str(exc), file=sys.stderr, flush=True)
            self._discard_uncommitted()
            self.on_fatal(upgrades.EXIT_UPGRADE_NEEDED if needed else upgrades.EXIT_UPGRADE_EARLY)
            raise
        except Exception as exc:
            log.critical("block_execution_failed", height=req.height, error=f"{type(exc).__name__}: {exc}",
                         action="stopping before Commit: nothing of this block was written. Fix the cause "
                                "(disk, memory; otherwise report this log as a bug) and restart; CometBFT "
                                "replays the block", exc_info=True)
            self._discard_uncommitted()
            self.on_fatal(EXIT_NODE_FAULT)
            raise

    def _finalize_block(self, req: types.RequestFinalizeBlock) -> types.ResponseFinalizeBlock:
        started = time.perf_counter()  # wall clock for the log and metrics only, never for state
        if self._pending_block is not None:
            # CometBFT restarted between our FinalizeBlock and its Commit and now replays the
            # block: execute it again from the committed state, not on top of the lost attempt.
            log.warning("uncommitted_block_discarded", height=self._pending_block[0], replayed=req.height)
            self._discard_uncommitted()
        if self._overlay is None:
            self._overlay = Overlay(self.store, self.accounts, journal=NodeJournal())
        self._read_accounts_ahead(req.txs)
        params = self.params  # from the committed state (_reset_views), as the base fee
        base_fee = self.base_fee_wei
        ctx = self._block_context(req.height, req.time.seconds, req.hash, params.block_gas_limit, base_fee)
        execution = BlockExecution(VM, self._overlay, self.state_root, ctx, self.genesis.chain_id,
                                   fee_floor_wei=params.min_gas_price_wei)
        upgraded = upgrades.start_block(execution.state, req.height, self.upgrade_handlers)
        if upgraded:
            log.warning("upgrade_applied", height=req.height, plan=upgraded)
        results, tx_hashes = [], []
        for index, raw in enumerate(req.txs):
            results.append(self._execute(execution, raw, req.height, index, tx_hashes))
        staking.burn_fees(execution.state, execution.fees_burned_wei)
        chain_records.record_base_fee(execution.state, next_base_fee(
            base_fee, execution.gas_used, params.block_gas_limit, params.min_gas_price_wei))
        decided = governance.end_block(execution.state, req.height, req.time.seconds)
        ended = staking.end_block(execution.state, req.height, req.time.seconds, _votes(req), _double_signs(req))
        chain_records.record_block(execution.state, req.height, req.hash)
        self.state_root = app_hash = execution.finish()
        prune_started = time.perf_counter()
        if self._counted:
            journal = self._overlay.journal
            self._staged.update(pruning.stage(self.store, req.height, journal.inserted, journal.removed,
                                              self.settings.keep_recent))
        self._staged.update(history.stage(self.store, req.height, self.settings.keep_blocks))
        self.prune_seconds = prune_seconds = time.perf_counter() - prune_started  # for metrics and benchmarks
        block = {
            "hash": req.hash.hex(), "height": req.height, "time_s": req.time.seconds,
            "app_hash": app_hash.hex(), "gas_used": execution.gas_used, "gas_limit": params.block_gas_limit,
            "base_fee_wei": base_fee,
            "txs": tx_hashes, "proposer": req.proposer_address.hex(),
        }
        self._staged[keys.block_key(req.height)] = json.dumps(block, sort_keys=True).encode()
        tips_key, tips = fee_oracle.record(req.height, execution.tips_wei)
        self._staged[tips_key] = tips
        self._staged[keys.META_HEIGHT] = req.height.to_bytes(8, "big")
        self._staged[keys.META_APP_HASH] = app_hash
        self._staged[keys.META_STATE_ROOT] = self.state_root
        self._pending_block = (req.height, req.hash)
        seconds = time.perf_counter() - started
        self.metrics.block_finalized(len(req.txs), execution.gas_used, seconds, ended.supply_wei)
        log.info("block_finalized", height=req.height, txs=len(req.txs), gas_used=execution.gas_used,
                 duration_ms=round(seconds * 1000, 2), prune_ms=round(prune_seconds * 1000, 2),
                 app_hash=app_hash.hex()[:16])
        return types.ResponseFinalizeBlock(
            tx_results=results, app_hash=app_hash, events=block_events(ended) + proposal_events(decided),
            validator_updates=[validator_update(v) for v in ended.updates],
        )

    def _read_accounts_ahead(self, txs) -> None:
        """The trie nodes of the block's senders and recipients that no cache holds, read a
        level at a time before the block runs (evm/prefetch.py)."""
        addresses = set()
        for raw in txs:
            try:
                dtx = self._txs.decode(raw)
            except errors.TxRejected:
                continue  # its own result says why, when the block reaches it
            addresses.add(dtx.sender)
            if dtx.tx.to:
                addresses.add(dtx.tx.to)
        wanted = [keccak(address) for address in addresses if not self.accounts.has(address)]
        if wanted:
            self._overlay.read_ahead(nodes_on_paths(
                lambda hashes: self.store.get_many([keys.state_key(h) for h in hashes]), self.state_root, wanted))

    def _discard_uncommitted(self) -> None:
        """Back to where the next FinalizeBlock starts: the committed state (or InitChain's, whose
        overlay holds the genesis state: kept, with its journal; the lost attempt's nodes in it
        are content-addressed, never wrong)."""
        self.state_root, staged, journal = self._base
        self._staged = dict(staged)
        self._pending_block = None
        if journal is None:
            self._overlay = None
        else:
            self._overlay.journal = journal.copy()

    def _execute(self, execution: BlockExecution, raw: bytes, height: int, index: int,
                 tx_hashes: list[str]) -> types.ExecTxResult:
        try:
            dtx: DecodedTx = self._txs.decode(raw)
            outcome = execution.apply(dtx)
        except errors.TxRejected as exc:
            return types.ExecTxResult(code=codes.code_for(exc), log=str(exc))
        receipt = outcome.to_json(height, index)
        self._staged[keys.receipt_key(outcome.tx_hash)] = encode_receipt(receipt)
        tx_hashes.append("0x" + outcome.tx_hash.hex())
        return types.ExecTxResult(
            code=codes.OK if outcome.success else codes.EXECUTION_FAILED,
            log=outcome.error,
            data=outcome.output,
            gas_wanted=dtx.gas,
            gas_used=outcome.gas_used,
            events=tx_events(outcome),
        )

    def commit(self, req: types.RequestCommit) -> types.ResponseCommit:
        """Write the staged block, with its state, in one atomic batch; then reset CheckTx."""
        height = self._pending_block[0]
        writes = self._overlay.pending() if self._overlay is not None else {}
        writes.update(self._staged)
        try:
            self.store.write(writes)
        except Exception as exc:  # a full disk, a failing device: nothing of the block was written
            log.critical("store_write_failed", height=height, error=str(exc),
                         action="stopping: free disk space (or fix the device) and restart; "
                                "CometBFT replays the block, nothing is lost")
            self.on_fatal(EXIT_STORE_FAILED)
            raise
        try:
            self._after_commit()
        except Exception as exc:
            log.critical("after_commit_failed", height=height, error=f"{type(exc).__name__}: {exc}",
                         action="stopping: the block is on disk, this process's view of it is not; restart",
                         exc_info=True)
            self.on_fatal(EXIT_NODE_FAULT)
            raise
        return types.ResponseCommit()

    def _after_commit(self) -> None:
        """The committed block becomes this process's view: CheckTx, queries, housekeeping."""
        height, block_hash = self._pending_block
        self.height = height
        self.app_hash = self.state_root
        self._base = (self.state_root, {}, None)
        self._pending_block = None
        self._recent_hashes.append(block_hash)
        self._overlay = None
        self._staged = {}
        self.accounts.advance(self.state_root)
        self._reset_views()
        self.metrics.committed(height, self._validator_count())
        self._maintain(height)

    def _maintain(self, height: int) -> None:
        """Local housekeeping after a commit: a state-sync snapshot now and then. (Pruning is
        part of each block's write: pruning.py.) Nodes with other settings still agree."""
        self.snapshotter.block_done()  # a snapshot being built goes on (snapshots.Snapshotter)
        interval = self.settings.snapshot_interval
        if interval and height % interval == 0:  # state sync: built in its own thread, failures logged
            self.snapshotter.start(height, self.state_root, self.settings.snapshot_keep)

    # ---- ABCI: queries ---------------------------------------------------------------------

    def query(self, req: types.RequestQuery) -> types.ResponseQuery:
        """The answer, here and now (query.answer_query): what the query workers answer too."""
        if self.reader is None:
            return types.ResponseQuery(code=codes.QUERY_NOT_FOUND, log="chain not initialised")
        return answer_query(req, CommittedView(self.store, self.genesis, self.height, self.reader), self.settings)

    async def query_async(self, req: types.RequestQuery) -> types.ResponseQuery:
        """What the ABCI servers await: a query that runs the EVM or reads much of the store
        (query.OFFLOADED_ROUTES) goes to the query workers, once started (query_pool.py), and
        is answered at the height committed now; the loop runs blocks meanwhile. Any other
        query, and any before the first Commit, is answered here."""
        if self._queries is None or self.height == 0 or route_of(req.path) not in OFFLOADED_ROUTES:
            return self.query(req)
        answer = await asyncio.wrap_future(self._queries.submit(req, self.height))
        self.metrics.worker_answered(answer.code)
        return answer

    def start_query_workers(self) -> None:
        """Answer the expensive queries in worker processes from now on (a node does; tests that
        drive the app in process need not)."""
        if self._queries is None:
            self._queries = QueryPool(self._db_path, self.settings)

    # ---- ABCI: state sync (snapshots.py) ---------------------------------------------------

    _restoring: snapshots.Restore | None = None  # the accepted snapshot being restored

    def list_snapshots(self, req: types.RequestListSnapshots) -> types.ResponseListSnapshots:
        return types.ResponseListSnapshots(snapshots=[s.to_abci() for s in snapshots.listed(self.store)])

    def load_snapshot_chunk(self, req: types.RequestLoadSnapshotChunk) -> types.ResponseLoadSnapshotChunk:
        return types.ResponseLoadSnapshotChunk(
            chunk=snapshots.load_chunk(self.store, req.height, req.format, req.chunk))

    def offer_snapshot(self, req: types.RequestOfferSnapshot) -> types.ResponseOfferSnapshot:
        """Only a node without committed state (or with an unconfirmed restore) restores; CometBFT
        skips InitChain then: the genesis comes with the snapshot, checked against the state that
        req.app_hash, the light-client-verified anchor, proves."""
        result, self._restoring = snapshots.offer(self.store, req.snapshot, req.app_hash, self.height,
                                                  self._state_at)
        return types.ResponseOfferSnapshot(result=result)

    def apply_snapshot_chunk(self, req: types.RequestApplySnapshotChunk) -> types.ResponseApplySnapshotChunk:
        if self._restoring is None:
            return types.ResponseApplySnapshotChunk(result=types.ResponseApplySnapshotChunk.ABORT)
        response, restored = self._restoring.apply(self.store, req.index, req.chunk, req.sender)
        if restored is not None or response.result == types.ResponseApplySnapshotChunk.REJECT_SNAPSHOT:
            self._restoring = None  # done, or CometBFT offers another snapshot next
        if restored is not None:
            self._load_restored(restored)
        return response

    def _load_restored(self, restored: snapshots.Restored) -> None:
        """The restored snapshot is now the committed state on disk: take it up as startup does,
        so Info answers its height and app hash and FinalizeBlock goes on at height + 1."""
        self.height = restored.height
        self.app_hash = restored.app_hash
        self.state_root = restored.app_hash
        self._base = (self.state_root, {}, None)
        self.genesis = parse_genesis(restored.genesis)
        self._counted = self.store.get(keys.META_NODE_COUNTS) is not None
        self._recent_hashes = deque(self._load_recent_hashes(), BLOCKHASH_WINDOW)
        self._overlay = None
        self._staged = {}
        self._pending_block = None
        self._txs = None
        self.accounts.advance(self.state_root)
        self._reset_views()
        self.metrics.committed(self.height, self._validator_count())


def stop_process(exit_code: int) -> None:
    """Crash-only: a node whose Commit could not reach the disk must not serve on from memory.
    Every committed block is a synced atomic batch, so exiting here loses nothing."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(exit_code)


def _votes(req: types.RequestFinalizeBlock) -> list[tuple[bytes, int, bool]]:
    """(validator address, power, signed) for every validator of the last commit."""
    commit = types.BlockIDFlag.BLOCK_ID_FLAG_COMMIT
    return [(vote.validator.address, vote.validator.power, vote.block_id_flag == commit)
            for vote in req.decided_last_commit.votes]


def _double_signs(req: types.RequestFinalizeBlock) -> list[tuple[bytes, int]]:
    duplicate = types.MisbehaviorType.DUPLICATE_VOTE
    return [(m.validator.address, m.height) for m in req.misbehavior if m.type == duplicate]
