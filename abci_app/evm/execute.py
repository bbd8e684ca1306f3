"""Running a block's transactions on py-evm, straight on the state (DESIGN.md §9).

One state per block: each transaction is checked against the state (nonce, funds, block gas),
applied, and on a py-evm refusal reverted to its snapshot. Of the base fee py-evm burns, the
minimum part (`fee_floor_wei` a gas) is credited to the reward pool; what congestion added above
it stays burned and is counted in `fees_burned_wei` (economics/fee_market.py).

Failures are split in two (DESIGN.md §8), here and only here:
- TX_FAULTS are properties of the transaction: the same bytes on the same state fail the same way
  on every node. `apply` turns them into a TxRejected kind; the block goes on.
- Anything else (an I/O error, MemoryError, a missing trie node, a bug in our code or a
  precompile's, which the precompile framework raises as PrecompileFault) escapes `apply`: the
  application stops the node before Commit, so it never commits a state the others do not have.
"""

from dataclasses import dataclass

from eth._utils.address import generate_contract_address
from eth.abc import AtomicDatabaseAPI, ComputationAPI, VirtualMachineAPI
from eth.exceptions import VMError
from eth.vm.chain_context import ChainContext
from eth_utils import ValidationError

from .. import errors
from ..economics import split_base_fee
from .fork import Header
from .receipts import LogRecord, TxOutcome, revert_reason
from .tx import DecodedTx

# py-evm's refusals of a transaction that its computations do not catch (e.g. a creation message
# over the initcode limit raises OutOfGas before any computation runs); decode_tx checks every
# rule we know of first, so these are a second line, never the first.
TX_FAULTS = (VMError, ValidationError)


@dataclass(frozen=True, slots=True)
class BlockContext:
    """What the EVM sees of the block: all from CometBFT's agreed block data."""

    height: int
    timestamp_s: int
    prev_randao: bytes
    gas_limit: int
    base_fee_wei: int
    coinbase: bytes
    prev_hashes: tuple[bytes, ...] = ()


def make_header(ctx: BlockContext, state_root: bytes, gas_used: int = 0) -> Header:
    return Header(
        difficulty=0,
        block_number=ctx.height,
        gas_limit=ctx.gas_limit,
        gas_used=gas_used,
        timestamp=ctx.timestamp_s,
        coinbase=ctx.coinbase,
        state_root=state_root,
        mix_hash=ctx.prev_randao,
        base_fee_per_gas=ctx.base_fee_wei,
    )


def build_state(vm: type[VirtualMachineAPI], db: AtomicDatabaseAPI, state_root: bytes, ctx: BlockContext,
                chain_id: int):
    return vm.build_state(db, make_header(ctx, state_root), ChainContext(chain_id), ctx.prev_hashes)


def check_account(dtx: DecodedTx, nonce: int, balance_wei: int) -> None:
    """The stateful checks of DESIGN.md §2: the exact next nonce, funds for value and max gas."""
    if dtx.nonce < nonce:
        raise errors.NonceTooLow(f"nonce {dtx.nonce} already used, account nonce is {nonce}")
    if dtx.nonce > nonce:
        raise errors.NonceTooHigh(f"nonce {dtx.nonce} leaves a gap, account nonce is {nonce}")
    if balance_wei < dtx.max_cost_wei:
        raise errors.InsufficientFunds(
            f"balance {balance_wei} below value + gas * max fee = {dtx.max_cost_wei}"
        )


class BlockExecution:
    """The state of one block being executed."""

    def __init__(self, vm: type[VirtualMachineAPI], db: AtomicDatabaseAPI, state_root: bytes, ctx: BlockContext,
                 chain_id: int, fee_floor_wei: int | None = None):
        self.ctx = ctx
        self.vm = vm
        self.state = build_state(vm, db, state_root, ctx, chain_id)
        self.gas_used = 0
        self.fee_floor_wei = ctx.base_fee_wei if fee_floor_wei is None else fee_floor_wei
        self.fees_burned_wei = 0
        self.tips_wei: list[int] = []   # each executed tx's effective tip (the fee oracle's input)

    def apply(self, dtx: DecodedTx) -> TxOutcome:
        """Apply one transaction, or raise a TxRejected kind having changed nothing."""
        if self.gas_used + dtx.gas > self.ctx.gas_limit:
            raise errors.BlockGasExhausted(
                f"block gas {self.gas_used} + {dtx.gas} exceeds limit {self.ctx.gas_limit}"
            )
        state = self.state
        if dtx.max_fee_per_gas < self.ctx.base_fee_wei:
            raise errors.GasPriceTooLow(
                f"max fee {dtx.max_fee_per_gas} below this block's base fee {self.ctx.base_fee_wei}")
        check_account(dtx, state.get_nonce(dtx.sender), state.get_balance(dtx.sender))
        snapshot = state.snapshot()
        try:
            computation = state.apply_transaction(dtx.tx)
        except TX_FAULTS as exc:
            state.revert(snapshot)
            raise errors.MalformedTx(f"refused by the EVM: {type(exc).__name__}: {exc}") from None
        gas_used = self.vm.finalize_gas_used(dtx.tx, computation)
        credited, burned = split_base_fee(gas_used, self.ctx.base_fee_wei, self.fee_floor_wei)
        state.delta_balance(self.ctx.coinbase, credited)
        self.fees_burned_wei += burned
        state.lock_changes()
        self.gas_used += gas_used
        outcome = self._outcome(dtx, computation, gas_used)
        self.tips_wei.append(outcome.effective_gas_price_wei - self.ctx.base_fee_wei)
        return outcome

    def _outcome(self, dtx: DecodedTx, computation: ComputationAPI, gas_used: int) -> TxOutcome:
        tx = dtx.tx
        created = None
        if not tx.to:
            created = generate_contract_address(dtx.sender, tx.nonce)
        failed = computation.is_error
        return TxOutcome(
            tx_hash=dtx.hash,
            sender=dtx.sender,
            to=tx.to or None,
            nonce=tx.nonce,
            value_wei=tx.value,
            success=not failed,
            gas_used=gas_used,
            cumulative_gas_used=self.gas_used,
            effective_gas_price_wei=min(
                tx.max_fee_per_gas, self.ctx.base_fee_wei + tx.max_priority_fee_per_gas
            ),
            contract_address=None if failed else created,
            logs=() if failed else tuple(
                LogRecord(address, tuple(topics), data)
                for address, topics, data in computation.get_log_entries()
            ),
            output=computation.output,
            error=revert_reason(computation) if failed else "",
        )

    def finish(self) -> bytes:
        """Write the block's state into the database and return the new state root."""
        self.state.persist()
        return self.state.state_root
