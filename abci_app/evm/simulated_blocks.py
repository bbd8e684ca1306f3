"""eth_simulateV1: calls run as transactions in a sequence of simulated blocks built on a
committed one, each block with its own overrides of block fields and of state; nothing is kept.

Each block is executed on the state the previous one left (written into the caller's throwaway
database), so a call sees what the calls before it did, in its block and in earlier ones. The
blocks are real Prague headers: their roots, bloom and hash are computed as Ethereum's, and
BLOCKHASH in a later block answers an earlier simulated block's hash.

Two modes, as the specification names them:
- without validation (the default) a call runs as eth_call does: at gas price 0 whatever fees it
  names, its nonce not checked, only its value checked against the balance;
- with validation it runs as a transaction would: its nonce, its fee against the block's base
  fee, the sender's funds for gas and value and its intrinsic gas are checked, and it pays.

What a request may cost is bounded here (MAX_BLOCKS, the gas of all calls together, the bytes of
its answer, the size of override code) and by the query's time budget. The chain's own modules and
system accounts cannot be overridden: their records are only ever what consensus wrote.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from eth.abc import SignedTransactionAPI, VirtualMachineAPI
from eth.exceptions import Revert, VMError
from eth.rlp.logs import Log
from eth.rlp.receipts import Receipt
from eth.vm.forks.prague.receipts import PragueTypedReceipt
from eth.vm.spoof import SpoofTransaction
from eth_bloom import BloomFilter
from eth_hash.auto import keccak
from eth_utils import ValidationError

from ..economics import next_base_fee
from ..errors import PrecompileFault
from .execute import BlockContext, build_state
from .fork import Header
from .receipts import LogRecord, call_failure, index_trie_root

MAX_BLOCKS = 256                 # blocks in one request, gaps included (the spec's advice)
MAX_INITCODE_SIZE = 49_152       # EIP-3860
MAX_UINT64 = 2**64 - 1
MAX_CODE_SIZE = 24_576           # EIP-170: override code within it (longer code is analysed afresh in every frame)
MAX_ANSWER_BYTES = 4 * 1024 * 1024   # return data and logs of all calls together
MOVABLE_BELOW = 0x100            # Ethereum's precompiles may move; the chain's native ones stay
TRANSFER_EMITTER = bytes.fromhex("ee" * 20)
TRANSFER_TOPIC = int.from_bytes(keccak(b"Transfer(address,address,uint256)"), "big")
EIP7702_PREFIX = b"\xef\x01\x00"   # a delegated EOA's code: still an EOA
LEGACY, ACCESS_LIST, DYNAMIC_FEE = 0, 1, 2
AccessList = tuple[tuple[bytes, tuple[int, ...]], ...]


class SimulationError(Exception):
    """A request the specification refuses as a whole, with its error code."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class AccountOverride:
    nonce: int | None = None
    balance: int | None = None
    code: bytes | None = None
    storage: tuple[tuple[int, int], ...] | None = None   # given: replaces all of the account's storage
    storage_diff: tuple[tuple[int, int], ...] = ()
    move_precompile_to: bytes | None = None


@dataclass(frozen=True, slots=True)
class BlockOverrides:
    number: int | None = None
    time: int | None = None
    gas_limit: int | None = None
    fee_recipient: bytes | None = None
    base_fee: int | None = None
    prev_randao: bytes | None = None


@dataclass(frozen=True, slots=True)
class SimulatedCall:
    sender: bytes
    to: bytes | None          # None: a contract creation
    data: bytes = b""
    value: int = 0
    gas: int | None = None    # None: what is left of the block's gas
    nonce: int | None = None  # None: the sender's next nonce
    type_id: int = DYNAMIC_FEE
    gas_price: int = 0
    max_fee: int = 0
    max_priority_fee: int = 0
    access_list: AccessList = ()


@dataclass(frozen=True, slots=True)
class BlockRequest:
    block: BlockOverrides = BlockOverrides()
    state: tuple[tuple[bytes, AccountOverride], ...] = ()
    calls: tuple[SimulatedCall, ...] = ()


@dataclass(frozen=True, slots=True)
class Parent:
    """The committed block the simulation builds on."""

    number: int
    timestamp: int
    gas_limit: int
    next_base_fee: int                 # the base fee its successor pays
    min_gas_price: int                 # the chain's floor on the base fee (the fee market's minimum)
    coinbase: bytes                    # the block's fee recipient (the reward pool)
    hashes: tuple[bytes, ...]          # its hash and its ancestors', newest first (at most 256)
    system_accounts: frozenset[bytes] = frozenset()   # written by the protocol alone: never overridden


@dataclass(frozen=True, slots=True)
class CallOutcome:
    tx: SignedTransactionAPI   # the call as a transaction with a zero signature (its hash names it)
    sender: bytes
    success: bool
    reverted: bool
    output: bytes
    gas_used: int
    error: str
    logs: tuple[LogRecord, ...]


@dataclass(frozen=True, slots=True)
class SimulatedBlock:
    header: Header
    calls: tuple[CallOutcome, ...] = ()


@dataclass(slots=True)
class _Budget:
    gas: int                           # the gas all calls together may still be given
    answer_bytes: int = MAX_ANSWER_BYTES   # what their return data and logs may still take


def simulate_blocks(vm: type[VirtualMachineAPI], db, state_root: bytes, chain_id: int, parent: Parent,
                    requests: Iterable[BlockRequest], *, validation: bool, trace_transfers: bool,
                    gas_budget: int) -> list[SimulatedBlock]:
    """The simulated blocks of `requests` on the state at `state_root` (after `parent`), the
    gaps their numbers leave filled with empty blocks. `db` takes the blocks' writes and is
    thrown away by the caller. SimulationError for a request the specification refuses."""
    blocks: list[SimulatedBlock] = []
    hashes = list(parent.hashes)
    budget = _Budget(gas_budget)
    precompiles = vm.get_state_class().computation_class._precompiles
    protected = parent.system_accounts | {a for a in precompiles if int.from_bytes(a, "big") >= MOVABLE_BELOW}
    previous = None
    for number, timestamp, request in _plan(parent, requests):
        overrides = request.block
        gas_limit = overrides.gas_limit if overrides.gas_limit is not None else \
            (previous.gas_limit if previous else parent.gas_limit)
        if overrides.base_fee is not None:
            base_fee = overrides.base_fee
        elif not validation:
            base_fee = 0
        elif previous is None:
            base_fee = parent.next_base_fee
        else:
            base_fee = next_base_fee(previous.base_fee_per_gas, previous.gas_used, previous.gas_limit,
                                     parent.min_gas_price)
        ctx = BlockContext(height=number, timestamp_s=timestamp, prev_randao=overrides.prev_randao or b"\0" * 32,
                           gas_limit=gas_limit, base_fee_wei=base_fee,
                           coinbase=overrides.fee_recipient or parent.coinbase, prev_hashes=tuple(hashes[:256]))
        _check_overrides(request.state, protected)
        block_vm = _simulation_vm(vm, _moves(precompiles, request.state), validation=validation,
                                  trace_transfers=trace_transfers)
        state = build_state(block_vm, db, state_root, ctx, chain_id)
        _override_state(state, request.state)
        calls = []
        gas_used = 0
        for call in request.calls:
            outcome = _run(state, block_vm, call, ctx, gas_used, budget, chain_id, validation=validation,
                           fee_floor=min(base_fee, parent.min_gas_price))
            gas_used += outcome.gas_used
            calls.append(outcome)
        state.persist()
        state_root = state.state_root
        previous = _header(ctx, hashes[0], state_root, gas_used, calls)
        hashes.insert(0, previous.hash)
        blocks.append(SimulatedBlock(previous, tuple(calls)))
    return blocks


def _plan(parent: Parent, requests: Iterable[BlockRequest]) -> list[tuple[int, int, BlockRequest]]:
    """(number, time, request) of every block to simulate: numbers increase (a skipped number is
    an empty block), times never decrease; each defaults to the one before plus one."""
    plan: list[tuple[int, int, BlockRequest]] = []
    number, timestamp = parent.number, parent.timestamp
    for request in requests:
        wanted = request.block.number if request.block.number is not None else number + 1
        if wanted <= number:
            raise SimulationError(-38020, f"block number {wanted} is not above the block before it ({number})")
        if wanted - parent.number > MAX_BLOCKS:
            raise SimulationError(-38026, f"at most {MAX_BLOCKS} blocks, gaps included, are simulated at once")
        for gap in range(number + 1, wanted):   # (at most MAX_BLOCKS)
            timestamp += 1
            plan.append((gap, timestamp, BlockRequest()))
        time = request.block.time if request.block.time is not None else timestamp + 1
        if time < timestamp:
            raise SimulationError(-38021, f"block time {time} is below the block before it ({timestamp})")
        if max(time, timestamp) >= MAX_UINT64:
            raise SimulationError(-38021, "block time passes 2**64 - 1")
        number, timestamp = wanted, time
        plan.append((number, timestamp, request))
    return plan


def _check_overrides(overrides: tuple[tuple[bytes, AccountOverride], ...], protected: set[bytes]) -> None:
    for address, override in overrides:
        if address in protected:
            raise SimulationError(-32602, f"{'0x' + address.hex()} is one of the chain's modules or system accounts: "
                                          "only consensus writes it")
        if override.code is not None and len(override.code) > MAX_CODE_SIZE:
            raise SimulationError(-32602, f"override code of {len(override.code)} bytes is over EIP-170's "
                                          f"{MAX_CODE_SIZE}")


def _moves(precompiles: Mapping[bytes, object], overrides: tuple[tuple[bytes, AccountOverride], ...]) -> dict:
    """This block's MovePrecompileToAddress, {precompile address: where it answers}: each block
    starts from the precompiles at home, as geth's."""
    moves: dict[bytes, bytes] = {}
    for address, override in overrides:
        target = override.move_precompile_to
        if target is None:
            continue
        if target == address:
            raise SimulationError(-38022, f"precompile {'0x' + address.hex()} is moved to itself")
        if target in moves.values() or target in precompiles:
            raise SimulationError(-38023, f"two precompiles would answer at {'0x' + target.hex()}")
        if address not in precompiles or int.from_bytes(address, "big") >= MOVABLE_BELOW:
            raise SimulationError(-32602, f"{'0x' + address.hex()} is not one of Ethereum's precompiles")
        moves[address] = target
    return moves


def _simulation_vm(vm: type[VirtualMachineAPI], moves: Mapping[bytes, bytes], *, validation: bool,
                   trace_transfers: bool) -> type[VirtualMachineAPI]:
    """The chain's VM with the precompiles where the request moved them, pricing calls at 0
    without validation, and logging value transfers if asked."""
    state_class = vm.get_state_class()
    computation = state_class.computation_class
    precompiles = {moves.get(address, address): run for address, run in computation._precompiles.items()}
    bases = (_TransferLogs, computation) if trace_transfers else (computation,)
    computation = type("SimulationComputation", bases, {"_precompiles": precompiles})
    state_bases = (state_class,) if validation else (_UnpricedCalls, state_class)
    state = type("SimulationState", state_bases, {"computation_class": computation})
    return vm.configure(__name__="SimulationVM", _state_class=state)


class _TransferLogs:
    """traceTransfers: every value transfer that is kept (a call's or a creation's, at any depth)
    logs an ERC-20 Transfer from TRANSFER_EMITTER, ordered with the other logs where it happened."""

    @classmethod
    def apply_message(cls, state, message, transaction_context, parent_computation=None):
        counter = transaction_context.get_next_log_counter() if message.should_transfer_value and message.value \
            else None
        computation = super().apply_message(state, message, transaction_context, parent_computation)
        if counter is not None and not computation.is_error:
            computation._log_entries.append((counter, TRANSFER_EMITTER, (
                TRANSFER_TOPIC, int.from_bytes(message.sender, "big"),
                int.from_bytes(message.storage_address, "big")), message.value.to_bytes(32, "big")))
        return computation


class _UnpricedCalls:
    """A call without validation pays nothing and is not checked (eth_call): its value is
    checked against the balance where it moves."""

    def get_gas_price(self, transaction) -> int:
        return 0

    def get_tip(self, transaction) -> int:
        return 0

    def validate_transaction(self, transaction) -> None:
        pass


def _override_state(state, overrides: tuple[tuple[bytes, AccountOverride], ...]) -> None:
    for address, override in overrides:
        if override.nonce is not None:
            state.set_nonce(address, override.nonce)
        if override.balance is not None:
            state.set_balance(address, override.balance)
        if override.code is not None:
            state.set_code(address, override.code)
        if override.storage is not None:
            state.delete_storage(address)
        for slot, value in (override.storage or ()) + override.storage_diff:
            state.set_storage(address, slot, value)
    state.lock_changes()


def _run(state, vm: type[VirtualMachineAPI], call: SimulatedCall, ctx: BlockContext, block_gas_used: int,
         budget: _Budget, chain_id: int, *, validation: bool, fee_floor: int) -> CallOutcome:
    """One call as a transaction of its block; SimulationError for one the rules refuse."""
    nonce = state.get_nonce(call.sender)
    if validation and call.nonce is not None and call.nonce != nonce:
        raise SimulationError(-38010 if call.nonce < nonce else -38011,
                              f"nonce {call.nonce} of {'0x' + call.sender.hex()}, whose next nonce is {nonce}")
    left = ctx.gas_limit - block_gas_used
    gas = call.gas if call.gas is not None else min(left, budget.gas)
    if gas > left:
        raise SimulationError(-38015, f"gas {gas} is more than the {left} left of the block's gas limit")
    if gas > budget.gas or budget.gas == 0:
        raise SimulationError(-38026, f"the calls' gas passes this node's call_gas_cap ({budget.gas} left)")
    if call.to is None and len(call.data) > MAX_INITCODE_SIZE:
        raise SimulationError(-38025, f"init code of {len(call.data)} bytes is over {MAX_INITCODE_SIZE}")
    signed, unsigned = _transactions(vm, call, nonce if call.nonce is None else call.nonce, gas, chain_id)
    tx = SpoofTransaction(unsigned, from_=call.sender)
    if tx.intrinsic_gas > gas:
        raise SimulationError(-38013, f"intrinsic gas too low: have {gas}, want {tx.intrinsic_gas}")
    balance = state.get_balance(call.sender)
    if validation:
        _validate(state, call, tx, ctx)
    if balance < call.value + (gas * tx.max_fee_per_gas if validation else 0):
        raise SimulationError(-38014, f"insufficient funds: {'0x' + call.sender.hex()} holds {balance} wei")
    try:
        computation = state.apply_transaction(tx)
        gas_used = vm.finalize_gas_used(tx, computation) if validation else vm.executed_gas(tx, computation)
        if validation:
            state.delta_balance(ctx.coinbase, gas_used * fee_floor)   # as a block pays the reward pool
    except (ValidationError, VMError):   # py-evm's words stay here: overrides put a balance or nonce at its edge
        raise SimulationError(-32000, "invalid transaction: a balance or nonce would leave its range") from None
    except PrecompileFault:   # a second line: module records are never overridden
        raise SimulationError(-32000, "a module could not run on this state") from None
    state.lock_changes()
    budget.gas -= gas_used
    failed = computation.is_error
    reverted = failed and isinstance(computation.error, Revert)
    logs = () if failed else tuple(LogRecord(address, tuple(topics), data)
                                   for address, topics, data in computation.get_log_entries())
    budget.answer_bytes -= len(computation.output) * (2 if reverted else 1) + sum(
        20 + 32 * len(log.topics) + len(log.data) for log in logs)   # (revert data goes out twice)
    if budget.answer_bytes < 0:
        raise SimulationError(-38026, f"the answer would pass {MAX_ANSWER_BYTES} bytes of return data and logs")
    return CallOutcome(
        tx=signed, sender=call.sender, success=not failed, reverted=reverted, output=computation.output,
        gas_used=gas_used, error=call_failure(computation) if failed else "",
        logs=logs)


def _validate(state, call: SimulatedCall, tx, ctx: BlockContext) -> None:
    code = state.get_code(call.sender)
    if code and not code.startswith(EIP7702_PREFIX):
        raise SimulationError(-38024, f"sender {'0x' + call.sender.hex()} is not an EOA (it has code)")
    if tx.max_fee_per_gas < ctx.base_fee_wei:
        raise SimulationError(-38012, f"max fee per gas {tx.max_fee_per_gas} is below the block's base fee "
                                      f"{ctx.base_fee_wei}")
    if tx.max_priority_fee_per_gas > tx.max_fee_per_gas:
        raise SimulationError(-32602, "maxPriorityFeePerGas is above maxFeePerGas")


def _transactions(vm: type[VirtualMachineAPI], call: SimulatedCall, nonce: int, gas: int,
                  chain_id: int) -> tuple[SignedTransactionAPI, object]:
    """The call as a transaction with a zero signature (what names it) and unsigned (what runs)."""
    builder = vm.get_transaction_builder()
    fields = dict(nonce=nonce, gas=gas, to=call.to or b"", value=call.value, data=call.data)
    if call.type_id == LEGACY:
        return (builder.new_transaction(gas_price=call.gas_price, v=0, r=0, s=0, **fields),
                builder.create_unsigned_transaction(gas_price=call.gas_price, **fields))
    fields.update(chain_id=chain_id, access_list=call.access_list)
    if call.type_id == ACCESS_LIST:
        return (builder.new_access_list_transaction(gas_price=call.gas_price, y_parity=0, r=0, s=0, **fields),
                builder.new_unsigned_access_list_transaction(gas_price=call.gas_price, **fields))
    fees = dict(max_fee_per_gas=call.max_fee, max_priority_fee_per_gas=call.max_priority_fee)
    return (builder.new_dynamic_fee_transaction(y_parity=0, r=0, s=0, **fees, **fields),
            builder.new_unsigned_dynamic_fee_transaction(**fees, **fields))


def _header(ctx: BlockContext, parent_hash: bytes, state_root: bytes, gas_used: int,
            calls: list[CallOutcome]) -> Header:
    """The block's Prague header: Ethereum's roots over the calls as transactions and receipts."""
    receipts, cumulative = [], 0
    for call in calls:
        cumulative += call.gas_used
        receipt = Receipt(state_root=b"\x01" if call.success else b"", gas_used=cumulative,
                          bloom=int(_bloom(call.logs)), logs=[Log(log.address, log.topics, log.data)
                                                              for log in call.logs])
        type_id = getattr(call.tx, "type_id", None) or LEGACY
        receipts.append(receipt if type_id == LEGACY else PragueTypedReceipt(type_id, receipt))
    return Header(
        difficulty=0, block_number=ctx.height, gas_limit=ctx.gas_limit, gas_used=gas_used, timestamp=ctx.timestamp_s,
        coinbase=ctx.coinbase, parent_hash=parent_hash, state_root=state_root,
        transaction_root=index_trie_root([call.tx.encode() for call in calls]),
        receipt_root=index_trie_root([receipt.encode() for receipt in receipts]),
        bloom=int(_bloom(log for call in calls for log in call.logs)),
        mix_hash=ctx.prev_randao, nonce=b"\0" * 8, base_fee_per_gas=ctx.base_fee_wei,
    )


def _bloom(logs: Iterable[LogRecord]) -> BloomFilter:
    bloom = BloomFilter()
    for log in logs:
        bloom.add(log.address)
        for topic in log.topics:
            bloom.add(topic.to_bytes(32, "big"))
    return bloom

