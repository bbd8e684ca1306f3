"""What the identity precompile owes (DESIGN.md §6: its balance must cover it), by kind of record.

Exact: a bond comes in whole with registerAttester and leaves whole with unregisterAttester, so
the balance equals the bonds of the registered attesters unless someone forces CMT in (a
self-destructing contract can).
"""

from .state import IdentityState


def owed(st: IdentityState) -> dict[str, int]:
    """Wei owed: the bond of every registered attester (back to it when it leaves)."""
    return {"bonds": sum(st.attester(a).bond_wei for a in sorted(st.attesters))}
