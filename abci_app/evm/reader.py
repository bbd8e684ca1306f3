"""Read-only access to the committed world state, for CheckTx and queries."""

from dataclasses import dataclass

from eth.abc import AtomicDatabaseAPI, VirtualMachineAPI

from .accounts import decode_account
from .execute import BlockContext, build_state
from .nodes import walk_trie


@dataclass(frozen=True, slots=True)
class Account:
    nonce: int
    balance_wei: int
    code_hash: bytes


class StateReader:
    """A view of the state at one root. Never persisted: reads only."""

    def __init__(self, vm: type[VirtualMachineAPI], db: AtomicDatabaseAPI, state_root: bytes, chain_id: int) -> None:
        ctx = BlockContext(
            height=0, timestamp_s=0, prev_randao=b"\0" * 32, gas_limit=0, base_fee_wei=0,
            coinbase=b"\0" * 20,
        )
        self.state_root = state_root
        self.vm = vm
        self.chain_id = chain_id
        self._db = db
        self.state = build_state(vm, db, state_root, ctx, chain_id)

    def state_in_block(self, ctx: BlockContext):
        """A fresh state at this root that sees `ctx` as its block (number, time, hashes): what
        eth_call runs in. Its changes are never persisted."""
        return build_state(self.vm, self._db, self.state_root, ctx, self.chain_id)

    def account(self, address: bytes) -> Account:
        state = self.state
        return Account(state.get_nonce(address), state.get_balance(address), state.get_code_hash(address))

    def nonce_and_balance(self, address: bytes) -> tuple[int, int]:
        return self.state.get_nonce(address), self.state.get_balance(address)

    def code(self, address: bytes) -> bytes:
        return self.state.get_code(address)

    def storage(self, address: bytes, slot: int) -> int:
        return self.state.get_storage(address, slot)

    def sum_balances(self) -> int:
        """The sum of every account's balance, by walking the whole account trie (audits, tests)."""
        balances: list[int] = []
        for _ in walk_trie(self._db.__getitem__, self.state_root, set(),
                           lambda value: balances.append(decode_account(value).balance)):
            pass
        return sum(balances)
