"""The EVM the chain runs: Prague (PUSH0, MCOPY, transient storage, as solc emits them), plus our
native precompiles at their fixed addresses."""

from collections.abc import Callable, Mapping

from eth.abc import AccountDatabaseAPI, ComputationAPI, VirtualMachineAPI
from eth.db.account import AccountDB
from eth.vm.forks.prague import PragueVM
from eth.vm.forks.prague.blocks import PragueBlockHeader
from eth.vm.forks.prague.computation import PragueComputation
from eth.vm.forks.prague.state import PragueState

VM = PragueVM
Header = PragueBlockHeader
TX_BUILDER = VM.get_transaction_builder()

# A precompile account holds this one-byte code (INVALID, never run: precompiles are dispatched
# first) and nonce 1: it then exists for EIP-161 and for Solidity's extcodesize check.
PRECOMPILE_CODE = b"\xfe"


def make_vm(precompiles: Mapping[bytes, Callable[[ComputationAPI], ComputationAPI]],
            account_db_class: type[AccountDatabaseAPI] = AccountDB) -> type[VirtualMachineAPI]:
    """Prague with `precompiles` (address -> computation function) added to Ethereum's own, its
    accounts kept by `account_db_class` (py-evm's own unless the chain passes its faster one)."""
    if not precompiles and account_db_class is AccountDB:
        return VM
    computation = PragueComputation.configure(
        __name__="MilesComputation", _precompiles={**PragueComputation.get_precompiles(), **precompiles}
    )
    state = PragueState.configure(__name__="MilesState", computation_class=computation,
                                  account_db_class=account_db_class)
    return VM.configure(__name__="MilesVM", _state_class=state)
