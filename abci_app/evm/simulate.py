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
from .receipts import revert_reason

TRANSFER_GAS = 21_000  # no transaction needs less


@dataclass(frozen=True, slots=True)
class CallRequest:
    sender: bytes
    to: bytes | None    # None: a contract creation
    data: bytes
    value_wei: int
    gas: int


@dataclass(frozen=True, slots=True)
class CallResult:
    success: bool
    output: bytes
    gas_used: int
    error: str


def simulate(reader: StateReader, request: CallRequest, block: BlockContext) -> CallResult:
    """Run `request` on the reader's state as seen from `block` (the latest block's number, time
    and hashes, as a wallet expects of eth_call)."""
    state, vm = reader.state_in_block(block), reader.vm
    snapshot = state.snapshot()
    try:
        unsigned = vm.create_unsigned_transaction(
            nonce=state.get_nonce(request.sender), gas_price=0, gas=request.gas, to=request.to or b"",
            value=request.value_wei, data=request.data,
        )
        tx = SpoofTransaction(unsigned, from_=request.sender)
        tx.validate()  # the chain's executor leaves this to decode_tx, which a call never meets
        computation = state.apply_transaction(tx)
        gas_used = vm.executed_gas(tx, computation)
        if computation.is_error:
            return CallResult(False, computation.output, gas_used, revert_reason(computation))
        return CallResult(True, computation.output, gas_used, "")
    except ValidationError as exc:
        return CallResult(False, b"", 0, f"invalid call: {exc}")
    finally:
        state.revert(snapshot)


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
