"""Where every groups record lives in the storage of the groups precompile (0x...CC05).

This module alone knows the layout (README.md, "Storage layout"); everything else asks it.
"""

from ...precompiles import ModuleState, Storage, WordSet, address_int, slot_of
from .params import GroupsParams
from .records import Group, Membership

ADDRESS = bytes.fromhex("000000000000000000000000000000000000cc05")


class GroupsState(ModuleState):
    PARAMS = GroupsParams

    @property
    def group_count(self) -> int:
        """Groups created, ever: ids run from 1 to group_count."""
        return self.storage.word(slot_of("group_count"))

    def next_group_id(self) -> int:
        group_id = self.group_count + 1
        self.storage.set_word(slot_of("group_count"), group_id)
        return group_id

    def exists(self, group_id: int) -> bool:
        return 1 <= group_id <= self.group_count

    def group(self, group_id: int) -> Group:
        return self.storage.load(Group, slot_of("group", group_id))

    def set_group(self, group_id: int, group: Group) -> None:
        self.storage.save(slot_of("group", group_id), group)

    def membership(self, group_id: int, account: bytes) -> Membership:
        return self.storage.load(Membership, slot_of("membership", group_id, account))

    def set_membership(self, group_id: int, account: bytes, membership: Membership) -> None:
        self.storage.save(slot_of("membership", group_id, account), membership)

    def members(self, group_id: int) -> WordSet:
        """The group's members (addresses as words): O(1) add and remove, paged by the members view."""
        return WordSet(self.storage, "members", group_id)

    def add_member(self, group_id: int, account: bytes) -> None:
        self.members(group_id).add(address_int(account))

    def remove_member(self, group_id: int, account: bytes) -> None:
        self.members(group_id).remove(address_int(account))
