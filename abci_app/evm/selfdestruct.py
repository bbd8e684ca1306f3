"""SELFDESTRUCT without destroying CMT (DESIGN.md §6: no transaction creates or destroys CMT).

Since Cancun a contract that self-destructs in the transaction that created it is deleted at the
end of that transaction, and Ethereum destroys what it then holds: its balance at once when it
names itself as beneficiary, and whatever reaches it after the SELFDESTRUCT. Here that CMT goes
to the block's coinbase, the reward pool, instead; everything else is Cancun's rule unchanged.
"""

from eth._utils.address import force_bytes_to_address
from eth.abc import ComputationAPI, StateAPI
from eth.vm import mnemonics
from eth.vm.forks.byzantium.opcodes import ensure_no_static
from eth.vm.forks.cancun.logic import selfdestruct_eip6780
from eth.vm.forks.tangerine_whistle.constants import GAS_SELFDESTRUCT_EIP150
from eth.vm.opcode import as_opcode
from eth.vm.opcode_values import SELFDESTRUCT as SELFDESTRUCT_OPCODE


def _selfdestruct(computation: ComputationAPI) -> None:
    contract = computation.msg.storage_address
    if contract in computation.contracts_created:
        beneficiary = computation.stack_pop1_bytes()
        if force_bytes_to_address(beneficiary) == contract:
            beneficiary = computation.state.coinbase
        computation.stack_push_bytes(beneficiary)
    selfdestruct_eip6780(computation)


OPCODES = {SELFDESTRUCT_OPCODE: as_opcode(logic_fn=ensure_no_static(_selfdestruct), mnemonic=mnemonics.SELFDESTRUCT,
                                          gas_cost=GAS_SELFDESTRUCT_EIP150)}


def pay_deleted_balances(state: StateAPI, deleted: list[bytes]) -> None:
    """Before the accounts self-destructed in this transaction are deleted: what reached them
    after their SELFDESTRUCT goes to the coinbase."""
    for address in sorted(deleted):
        left = state.get_balance(address)
        if left:
            state.delta_balance(address, -left)
            state.delta_balance(state.coinbase, left)
