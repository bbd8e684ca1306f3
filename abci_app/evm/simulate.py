"""Running a call against committed state without keeping anything: eth_call and gas estimation.

The call executes as an unsigned transaction from the given sender at gas price 0 on the reader's
state, in the block the caller names, and nothing is kept whatever happens.
"""

from collections.abc import Callable
from dataclasses import dataclass

from eth.vm.spoof import SpoofTransaction
from eth_utils import ValidationError

from .execute import BlockContext
from .reader import StateReader
from .receipts import call_failure

TRANSFER_GAS = 21_000  # no transaction needs less
AccessList = tuple[tuple[bytes, tuple[int, ...]], ...]   # (address, storage slots)


@dataclass(frozen=True, slots=True)
class CallRequest:
    sender: bytes
    to: bytes | None    # None: a contract creation
    data: bytes
    value_wei: int
    gas: int
    access_list: AccessList = ()   # given: the call runs as an EIP-2930 tx with it (and pays for it)


@dataclass(frozen=True, slots=True)
class CallResult:
    success: bool
    output: bytes
    gas_used: int
    error: str


MAX_ACCESS_LIST_RUNS = 8   # geth runs until the list stops changing; a call whose list keeps changing stops here


def simulate(reader: StateReader, request: CallRequest, block: BlockContext) -> CallResult:
    """Run `request` on the reader's state as seen from `block` (the latest block's number, time
    and hashes, as a wallet expects of eth_call)."""
    return _run(reader, request, block, request.access_list)[0]


def create_access_list(reader: StateReader, request: CallRequest, block: BlockContext) -> tuple[AccessList, CallResult]:
    """eth_createAccessList as geth answers it: the addresses and storage slots the call touches,
    run again with them as its EIP-2930 access list until the list stops changing; the result
    (its gas used) is the run with the list. Left out: the sender, the recipient and the block's
    coinbase unless their storage is touched (they are warm anyway), and the precompiles. The
    request's own list is the first one tried, as geth does."""
    access_list: AccessList = request.access_list
    for _ in range(MAX_ACCESS_LIST_RUNS):
        result, touched = _run(reader, request, block, access_list)
        if touched == access_list:
            break
        access_list = touched
    return access_list, result


def _run(reader: StateReader, request: CallRequest, block: BlockContext,
         access_list: AccessList) -> tuple[CallResult, AccessList]:
    """The call (as an EIP-2930 tx when given an access list), and what it touched."""
    state, vm = reader.state_in_block(block), reader.vm
    snapshot = state.snapshot()
    try:
        fields = dict(nonce=state.get_nonce(request.sender), gas_price=0, gas=request.gas, to=request.to or b"",
                      value=request.value_wei, data=request.data)
        unsigned = vm.get_transaction_builder().new_unsigned_access_list_transaction(
            chain_id=state.execution_context.chain_id, access_list=access_list, **fields,
        ) if access_list else vm.create_unsigned_transaction(**fields)
        tx = SpoofTransaction(unsigned, from_=request.sender)
        if tx.intrinsic_gas > request.gas:   # geth's words, not py-evm's
            return CallResult(False, b"", 0, f"intrinsic gas too low: have {request.gas}, want {tx.intrinsic_gas}"), \
                access_list
        tx.validate()  # the chain's executor leaves this to decode_tx, which a call never meets
        computation = state.apply_transaction(tx)
        gas_used = vm.executed_gas(tx, computation)
        touched = _touched(state, {request.sender, request.to, block.coinbase}, computation.precompiles)
        if computation.is_error:
            return CallResult(False, computation.output, gas_used, call_failure(computation)), touched
        return CallResult(True, computation.output, gas_used, ""), touched
    except ValidationError as exc:
        return CallResult(False, b"", 0, f"invalid call: {exc}"), access_list
    finally:
        state.revert(snapshot)


def _touched(state, warm: set, precompiles) -> AccessList:
    """The accounts and slots the tx made warm (py-evm's EIP-2929 journal: an address, or an
    address followed by the slot's big-endian bytes), without the precompiles and, unless a slot
    of theirs was touched, the accounts warm from the start."""
    slots: dict[bytes, set[int]] = {}
    for key, _ in state._account_db._journal_accessed_state.diff().pending_items():
        address = key[:20]
        if address in precompiles:
            continue
        if len(key) > 20:
            slots.setdefault(address, set()).add(int.from_bytes(key[20:], "big"))
        elif address not in warm:
            slots.setdefault(address, set())
    return tuple((address, tuple(sorted(keys))) for address, keys in sorted(slots.items()))


def estimate_gas(run: Callable[[int], CallResult], high: int) -> tuple[int | None, CallResult]:
    """The smallest gas at which `run(gas)` succeeds, by binary search, and the result at `high`
    (None and that failure if the call fails even with `high`).

    The lower end is what the call used at `high` (gas used is after refunds, so it never
    exceeds what the call needs), and at least the 21,000 of a plain transfer; that first probe
    is the answer for most calls. Success is what is searched for, never gas used, so refunds,
    the 63/64 rule and precompiles that charge their own way never cause an underestimate. At
    most 2 + log2(high) runs; the caller bounds their time (a query's budget)."""
    at_high = run(high)
    if not at_high.success:
        return None, at_high
    low = max(TRANSFER_GAS, at_high.gas_used)
    if low >= high:
        return high, at_high
    if run(low).success:
        return low, at_high
    while low + 1 < high:  # low fails, high succeeds
        middle = (low + high) // 2
        if run(middle).success:
            high = middle
        else:
            low = middle
    return high, at_high
