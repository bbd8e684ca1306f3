"""Talking to the groups precompile like a wallet: the module harness pointed at 0x...CC05, plus
a snapshot of everything the groups module stores for the test keys (so a revert can be shown to
change nothing) and the bonds check (funds == balance == the open groups' bonds == owed)."""

from eth_abi import decode

from abci_app.middleware import groups

from ...chain import CMT
from ...staking.harness import staking_state
from ..harness import ModuleChain, canonical

GROUPS = "0x" + groups.ADDRESS.hex()
BOND = 1_000 * CMT
ZERO = "0x" + "00" * 20
NO_TYPE = b"\0" * 32
OPEN, APPROVAL, MIN_CMT, MIN_TOKEN, CLAIM = 0, 1, 2, 3, 4
NONE, PENDING, MEMBER, REMOVED = 0, 1, 2, 3

CREATE = "createGroup(string,string,uint8,address,uint256,address,bytes32)"
CLOSE = "closeGroup(uint256)"
ADD_MODERATOR = "addModerator(uint256,address)"
REMOVE_MODERATOR = "removeModerator(uint256,address)"
JOIN = "join(uint256)"
APPROVE = "approve(uint256,address)"
LEAVE = "leave(uint256)"
REMOVE = "removeMember(uint256,address)"
RECHECK = "recheck(uint256,address)"
IS_MEMBER = "isMember(uint256,address)"
GROUP_ABI = ["(address,string,string,uint8,address,uint256,address,bytes32,uint256,uint256,uint64,bool,uint256)"]
MEMBERSHIP_ABI = ["(uint8,uint64,bool)"]

__all__ = ["BOND", "CMT", "GROUPS", "GroupsChain", "groups_state"]


def groups_state(keys, params: dict | None = None) -> dict:
    """Genesis: funded keys (1,000,000 CMT each), two staking validators, the groups params."""
    state = staking_state(keys)
    if params is not None:
        state["groups"] = params
    return state


class GroupsChain(ModuleChain):
    """ModuleChain pointed at the groups precompile."""

    ADDRESS = GROUPS

    def create(self, owner, rule: int = OPEN, token: str = ZERO, min_balance: int = 0, attester: str = ZERO,
               claim_type: bytes = NO_TYPE, name: str = "Zurich foodies", category: str = "food") -> int:
        """createGroup with the default bond; the new group's id."""
        result = self.ok(owner, CREATE, name, category, rule, token, min_balance, attester, claim_type, value=BOND)
        (group_id,) = decode(["uint256"], result.data)
        return group_id

    def is_member(self, group_id: int, key) -> bool:
        """isMember through the `/call` query (at the last committed block)."""
        (answer,) = self.ask(IS_MEMBER, ["bool"], group_id, key.address)
        return answer

    def group(self, group_id: int) -> tuple:
        (record,) = self.ask("group(uint256)", GROUP_ABI, group_id)
        return record

    def membership(self, group_id: int, key) -> tuple:
        (record,) = self.ask("membership(uint256,address)", MEMBERSHIP_ABI, group_id, key.address)
        return record

    def members(self, group_id: int, offset: int = 0, limit: int = 100) -> list[str]:
        (page,) = self.ask("members(uint256,uint256,uint256)", ["address[]"], group_id, offset, limit)
        return [a.lower() for a in page]

    def state(self) -> groups.GroupsState:
        return groups.state_view(self.chain.app.reader.state)

    def snapshot(self) -> tuple:
        """Staking's snapshot plus every groups record: groups, the keys' memberships, member sets."""
        st = self.state()
        people = [canonical(k.address) for k in self.keys]
        ids = range(1, st.group_count + 1)
        records = tuple((st.group(i), tuple(st.members(i)), tuple(st.membership(i, p) for p in people)) for i in ids)
        return super().snapshot(), st.group_count, records, st.funds_wei, self.chain.balance(GROUPS)

    def assert_bonds(self) -> None:
        """The funds total is the precompile's balance, the open groups' bonds and groups.owed
        (the module is exact); every group's member count is its members' number; supply unchanged."""
        st = self.state()
        open_bonds = 0
        for i in range(1, st.group_count + 1):
            group, members = st.group(i), list(st.members(i))
            assert len(members) == len(set(members))
            assert all(st.membership(i, m.to_bytes(20, "big")).status == MEMBER for m in members)
            open_bonds += 0 if group.closed else group.bond_wei
        assert st.funds_wei == self.chain.balance(GROUPS) == open_bonds \
            == sum(groups.owed(self.chain.app.reader.state).values())
        self.assert_supply()
