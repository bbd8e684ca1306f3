"""The solvency check on a real node (app/solvency.py): `/solvency` through CometBFT's abci_query,
at the app's last committed height and back through the heights the node still keeps."""

import json

from abci_app.app import codes
from abci_app.rpc import CometRPC

DEPTH = 100   # heights checked at most, newest first (a node keeps 100 by default)


def broken(doc: dict) -> list[str]:
    """What a /solvency answer says is broken, one line each."""
    lines = [f"{name}: balance {m['balance']} < owed {m['owed_total']} {m['owed']}"
             for name, m in sorted(doc["modules"].items()) if not m["solvent"]]
    if not doc["supply"]["ok"]:
        lines.append(f"supply: {doc['supply']}")
    return lines


def assert_solvent(rpc: CometRPC, depth: int = DEPTH) -> int:
    """Every module solvent and the supply whole at each of the last `depth` committed heights
    the node can still answer for; returns how many were checked (at least the last)."""
    last = int(rpc.call("abci_info")["response"].get("last_block_height") or 0)
    checked = 0
    for height in range(last, max(0, last - depth), -1):
        code, value, log = rpc.abci_query("/solvency", height=height)
        if code == codes.QUERY_NOT_FOUND and checked:
            break  # pruned from here down
        assert code == 0, f"/solvency at height {height}: code {code}: {log}"
        doc = json.loads(value)
        assert doc["solvent"], f"height {height}: " + "; ".join(broken(doc))
        checked += 1
    return checked
