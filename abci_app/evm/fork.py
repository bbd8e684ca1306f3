"""The EVM the chain runs: Prague (PUSH0, MCOPY, transient storage, as solc emits them), plus our
native precompiles at their fixed addresses."""

import sys
from collections.abc import Callable, Mapping

from eth.abc import ComputationAPI, MessageAPI, SignedTransactionAPI, VirtualMachineAPI
from eth.db.account import AccountDB
from eth.vm.forks.prague import PragueVM
from eth.vm.forks.prague.blocks import PragueBlockHeader
from eth.vm.forks.prague.computation import PragueComputation
from eth.vm.forks.prague.state import PragueState, PragueTransactionExecutor
from eth.vm.memory import Memory
from eth.vm.stack import Stack

from . import kzg, pricing, selfdestruct
from .accounts import BatchedAccountDB
from .code import AnalysedCodeStream

# py-evm (and py_ecc, which it imports) raise the interpreter's recursion limit to 100,000 on
# import: far beyond what an 8 MiB thread stack holds for C-recursive code such as the JSON
# parser, so a query of nested brackets crashed the process instead of raising RecursionError.
# The EVM needs about 5 frames per call level (measured: its 1,024-level limit fits in 5,000);
# this leaves more than twice that, and C-recursive parsers still fit in a default thread stack.
EVM_RECURSION_LIMIT = 12_000
sys.setrecursionlimit(EVM_RECURSION_LIMIT)

VM = PragueVM
Header = PragueBlockHeader
TX_BUILDER = VM.get_transaction_builder()

# A transaction is charged at least 1/DECLARED_GAS_DIVISOR of the gas it declares (RulesExecutor).
DECLARED_GAS_DIVISOR = 2

# A precompile account holds this one-byte code (INVALID, never run: precompiles are dispatched
# first) and nonce 1: it then exists for EIP-161 and for Solidity's extcodesize check.
PRECOMPILE_CODE = b"\xfe"


class RulesExecutor(PragueTransactionExecutor):
    """Prague's executor with the chain's floor on gas used: at least half the gas a transaction
    declares (as Evmos's `min_gas_multiplier`). Proposals count declared gas, so without it a
    transfer declaring the whole block gas limit held a block for 21,000 gas (block stuffing for
    ~0.01 CMT a minute); the floor goes where Prague's calldata floor goes, so the sender's
    charge, the fee credited and the receipt stay one number."""

    @staticmethod
    def calc_data_floor_gas(transaction: SignedTransactionAPI, gas_used: int, gas_refund: int) -> int:
        calldata_floor = PragueTransactionExecutor.calc_data_floor_gas(transaction, gas_used, gas_refund)
        return max(calldata_floor, transaction.gas // DECLARED_GAS_DIVISOR - (gas_used - gas_refund))


class DecodedTxExecutor(RulesExecutor):
    """Applies transactions that evm/tx.py's decode_tx already validated, signature included: only
    the checks that depend on state remain (py-evm would validate the transaction, and for legacy
    transactions recover and verify its signature, a second time)."""

    def validate_transaction(self, transaction: SignedTransactionAPI) -> None:
        self.vm_state.validate_transaction(transaction)

    def finalize_computation(self, transaction: SignedTransactionAPI, computation: ComputationAPI) -> ComputationAPI:
        selfdestruct.pay_deleted_balances(self.vm_state, computation.get_accounts_for_deletion())
        return super().finalize_computation(transaction, computation)


class ChargedGasVM(PragueVM):
    """Prague, whose gas used is what the executor charged the sender. py-evm's own
    finalize_gas_used caps the refund at a fifth of the gas used *plus* the calldata floor's top-up,
    the executor at a fifth of the gas used alone: with a refund and the floor both in play it
    reported less gas than was paid, so less base fee reached the reward pool than the sender
    paid, and CMT left the supply."""

    @classmethod
    def finalize_gas_used(cls, transaction: SignedTransactionAPI, computation: ComputationAPI) -> int:
        consumed = transaction.gas - computation.get_gas_remaining()
        refund = cls.calculate_net_gas_refund(consumed, computation.get_gas_refund())
        return consumed - refund + computation.data_floor_gas

    @classmethod
    def executed_gas(cls, transaction: SignedTransactionAPI, computation: ComputationAPI) -> int:
        """The gas by Ethereum's rules (refunds, the calldata floor), before the chain's floor on
        declared gas: what a call reports and a gas estimate starts from (a tx sent with that
        estimate is charged no more)."""
        consumed = transaction.gas - computation.get_gas_remaining()
        refund = cls.calculate_net_gas_refund(consumed, computation.get_gas_refund())
        return consumed - refund + PragueTransactionExecutor.calc_data_floor_gas(transaction, consumed, refund)


class RulesComputation(PragueComputation):
    """Prague under the chain's rules: SELFDESTRUCT destroys no CMT (evm/selfdestruct.py) and gas
    is priced to this engine (evm/pricing.py)."""

    opcodes = pricing.priced_opcodes({**PragueComputation.opcodes, **selfdestruct.OPCODES})


class AnalysedComputation(RulesComputation):
    """The chain's computation over code whose jump destinations are analysed once per code, and
    which frees a child call's memory and stack once it returned: py-evm keeps every child until
    the transaction ends (for its logs, refunds and deletions), and a loop of calls that each
    touch 8 KiB held ~1 GB in one transaction."""

    def __init__(self, state, message, transaction_context) -> None:
        super().__init__(state, message, transaction_context)
        self.code = AnalysedCodeStream(message.code)

    def apply_child_computation(self, child_msg: MessageAPI) -> ComputationAPI:
        child = super().apply_child_computation(child_msg)
        child._memory, child._stack = Memory(), Stack()  # its output and return data are copies
        return child


def make_vm(precompiles: Mapping[bytes, Callable[[ComputationAPI], ComputationAPI]], *,
            bare: bool = False) -> type[VirtualMachineAPI]:
    """Prague under the chain's rules (RulesComputation, priced precompiles) with `precompiles`
    (address -> computation function) added to Ethereum's own, with the chain's account database
    (evm/accounts.py), executor (DecodedTxExecutor), code analysis (evm/code.py), gas accounting
    (ChargedGasVM) and point evaluation (evm/kzg.py); `bare=True` keeps py-evm's own machinery
    under the same rules (the benchmark's bare py-evm baseline)."""
    ethereum = PragueComputation.get_precompiles() if bare else {
        **PragueComputation.get_precompiles(), kzg.ADDRESS: kzg.point_evaluation}
    computation = (RulesComputation if bare else AnalysedComputation).configure(
        __name__="MilesComputation", _precompiles={**pricing.priced_precompiles(ethereum), **precompiles}
    )
    state = PragueState.configure(
        __name__="MilesState", computation_class=computation,
        account_db_class=AccountDB if bare else BatchedAccountDB,
        transaction_executor_class=RulesExecutor if bare else DecodedTxExecutor,
    )
    return (VM if bare else ChargedGasVM).configure(__name__="MilesVM", _state_class=state)
