"""Where every arbitration record lives in the storage of the precompile (0x...CC03).

This module alone knows the layout (README.md lists it); everything else asks it.
"""

import dataclasses

from ...precompiles import AddressSet, ModuleState, Storage, WordSet, address_int, int_address, slot_of
from .params import ArbitrationParams
from .records import Arbiter, Credit, Eligibility, Order

ADDRESS = bytes.fromhex("000000000000000000000000000000000000cc03")
ARBITER_FIELDS = tuple(f.name for f in dataclasses.fields(Arbiter))   # field i at slot base + i
ELIGIBILITY_OFFSETS = tuple(ARBITER_FIELDS.index(f.name) for f in dataclasses.fields(Eligibility))
GLOBAL_POOL = 0   # the pool every order may draw from; a group's pool has the group's id


class ArbitrationState(ModuleState):
    PARAMS = ArbitrationParams

    def __init__(self, storage: Storage) -> None:
        super().__init__(storage)
        self.group_pools = WordSet(storage, "group_pools")   # groups whose pool ever had an arbiter (solvency)

    # ---- arbiter pools: the global one, and one per group (an arbiter has a record in each) ------

    def pool(self, group: int = GLOBAL_POOL) -> AddressSet:
        """Arbiters that may be drawn from the pool, in join order."""
        if group == GLOBAL_POOL:
            return AddressSet(self.storage, "pool")
        return AddressSet(self.storage, "group_pool", group)

    def unbonding(self, group: int = GLOBAL_POOL) -> AddressSet:
        """Arbiters of the pool with stake unbonding (solvency lists them)."""
        if group == GLOBAL_POOL:
            return AddressSet(self.storage, "unbonding")
        return AddressSet(self.storage, "group_unbonding", group)

    def arbiter(self, address: bytes, group: int = GLOBAL_POOL) -> Arbiter:
        return self.storage.load(Arbiter, _arbiter_slot(address, group))

    def set_arbiter(self, address: bytes, arbiter: Arbiter, group: int = GLOBAL_POOL) -> None:
        self.storage.save(_arbiter_slot(address, group), arbiter)

    def eligibility(self, address: bytes, group: int = GLOBAL_POOL) -> Eligibility:
        """Only the words of the Arbiter record a draw needs (it reads one per pool member)."""
        base = _arbiter_slot(address, group)
        return Eligibility(*(self.storage.word(base + offset) for offset in ELIGIBILITY_OFFSETS))

    # ---- orders --------------------------------------------------------------------------------

    @property
    def order_count(self) -> int:
        return self.storage.word(slot_of("order_count"))

    def next_order_id(self) -> int:
        order_id = self.order_count + 1
        self.storage.set_word(slot_of("order_count"), order_id)
        return order_id

    def order_exists(self, order_id: int) -> bool:
        return 1 <= order_id <= self.order_count

    def order(self, order_id: int) -> Order:
        return self.storage.load(Order, slot_of("order", order_id))

    def set_order(self, order_id: int, order: Order) -> None:
        self.storage.save(slot_of("order", order_id), order)

    def reason(self, order_id: int) -> str:
        return self.storage.blob(slot_of("reason", order_id)).decode()

    def set_reason(self, order_id: int, reason: str) -> None:
        self.storage.set_blob(slot_of("reason", order_id), reason.encode())

    # ---- the drawn arbiters of a case and their votes -------------------------------------------

    def case_arbiter(self, order_id: int, index: int) -> bytes:
        return int_address(self.storage.word(slot_of("case", order_id, index)))

    def set_case_arbiter(self, order_id: int, index: int, arbiter: bytes) -> None:
        self.storage.set_word(slot_of("case", order_id, index), address_int(arbiter))

    def vote(self, order_id: int, index: int) -> int:
        return self.storage.word(slot_of("vote", order_id, index))

    def set_vote(self, order_id: int, index: int, vote: int) -> None:
        self.storage.set_word(slot_of("vote", order_id, index), vote)

    def experts(self, order_id: int) -> list[bytes]:
        """A group order's experts, fixed when its dispute was raised (empty: too few then)."""
        count = self.storage.word(slot_of("experts", order_id))
        return [int_address(self.storage.word(slot_of("expert", order_id, i))) for i in range(count)]

    def set_experts(self, order_id: int, experts: list[bytes]) -> None:
        self.storage.set_word(slot_of("experts", order_id), len(experts))
        for i, expert in enumerate(experts):
            self.storage.set_word(slot_of("expert", order_id, i), address_int(expert))

    def case_arbiters(self, order_id: int) -> list[tuple[bytes, int]]:
        """(arbiter, vote) in draw order."""
        count = self.order(order_id).arbiter_count
        return [(self.case_arbiter(order_id, i), self.vote(order_id, i)) for i in range(count)]

    # ---- credit --------------------------------------------------------------------------------

    def credit(self, address: bytes) -> Credit:
        return self.storage.load(Credit, slot_of("credit", address))

    def set_credit(self, address: bytes, credit: Credit) -> None:
        self.storage.save(slot_of("credit", address), credit)


def _arbiter_slot(address: bytes, group: int) -> int:
    return slot_of("arbiter", address) if group == GLOBAL_POOL else slot_of("group_arbiter", group, address)
