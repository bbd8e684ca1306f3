"""Running a call against committed state without keeping anything: eth_call and gas estimation.

The call executes as an unsigned transaction from the given sender at gas price 0 on the reader's
state, in the block the caller names, and nothing is kept whatever happens.
"""

from dataclasses import dataclass

from eth.vm.spoof import SpoofTransaction
from eth_utils import ValidationError

from .execute import BlockContext
from .reader import StateReader
from .receipts import revert_reason


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
        gas_used = vm.finalize_gas_used(tx, computation)
        if computation.is_error:
            return CallResult(False, computation.output, gas_used, revert_reason(computation))
        return CallResult(True, computation.output, gas_used, "")
    except ValidationError as exc:
        return CallResult(False, b"", 0, f"invalid call: {exc}")
    finally:
        state.revert(snapshot)
