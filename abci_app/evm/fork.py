"""The one EVM fork the chain runs. Prague: PUSH0, MCOPY and transient storage, as solc emits them."""

from eth.vm.forks.prague import PragueVM
from eth.vm.forks.prague.blocks import PragueBlockHeader

VM = PragueVM
Header = PragueBlockHeader
TX_BUILDER = VM.get_transaction_builder()
