"""What the groups precompile owes (DESIGN.md §6: its balance must cover it).

Exact: a bond comes in whole with createGroup and leaves whole with closeGroup, so the balance
equals the bonds of the open groups unless someone forces CMT in (a self-destructing contract can).
"""

from .state import GroupsState


def owed(st: GroupsState) -> dict[str, int]:
    """Wei owed: the bond of every open group (back to its owner when it closes). An audit walks
    every group id; no call does."""
    groups = (st.group(i) for i in range(1, st.group_count + 1))
    return {"bonds": sum(g.bond_wei for g in groups if not g.closed)}
