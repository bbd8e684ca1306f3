"""Groups (issue 17, item 1): the groups precompile at 0x...CC05.

Anyone may create a group by bonding CMT; its membership rule admits members (open, by a
moderator's approval, by a CMT or ERC-20 balance at join time, or by an identity claim); the
owner names moderators; closing returns the bond and ends every membership at once. Other
modules and contracts ask isMember(groupId, account).

The middleware boundary (abci_app/middleware/__init__.py): NAME, ADDRESS, PRECOMPILE,
parse_params, params_json, init_genesis, owed; plus `state_view` for tests and queries.
"""

from ...precompiles import Precompile, Storage
from . import solvency
from .calls import GroupsCalls
from .events import EVENTS
from .params import GroupsParams
from .state import ADDRESS, GroupsState

NAME = "groups"
EVENT_PREFIX = "group"   # its logs become ABCI events "group.<name>" (GroupCreated -> group.created)
PRECOMPILE = Precompile(ADDRESS, GroupsCalls())


def parse_params(doc: dict) -> GroupsParams:
    """The genesis section `app_state.groups` (ValueError if bad; unknown keys refused)."""
    return GroupsParams.from_json(doc)


def params_json(params: GroupsParams) -> dict:
    return params.to_json()


def init_genesis(state, params: GroupsParams) -> None:
    """Store the params; there are no groups or funds at genesis."""
    GroupsState(Storage(state, ADDRESS)).set_params(params)


def state_view(state) -> GroupsState:
    """Groups records in a py-evm state, read-only."""
    return GroupsState(Storage(state, ADDRESS, writable=False))


def owed(state) -> dict[str, int]:
    """What its records in a py-evm state owe, by kind, in wei (solvency.py; read-only)."""
    return solvency.owed(state_view(state))


__all__ = ["ADDRESS", "EVENTS", "EVENT_PREFIX", "NAME", "PRECOMPILE",
           "GroupsParams", "GroupsState", "init_genesis", "owed",
           "params_json", "parse_params", "state_view"]
