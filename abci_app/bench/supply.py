"""The checks at the end of every run: the supply invariant (the app's /supply answer is
consistent, total == genesis + minted - burned, and, where the state can be walked, equals the sum
of every account's balance) and every module's solvency (app/solvency.py, or the /solvency answer
over the wire: each precompile's balance covers what its records owe)."""

import json

from ..abci import types
from ..app import solvency


def supply_figures(supply: dict, sum_balances: int | None) -> dict:
    """The /supply query's JSON and the walked sum of balances (None: not reachable) as figures."""
    return {"supply": {"total": int(supply["total"]), "genesis": int(supply["genesis"]),
                       "minted": int(supply["minted"]), "burned": int(supply["burned"]),
                       "sum_balances": sum_balances}}


def check_supply(figures: dict) -> dict:
    """`figures` plus supply_ok: the recorded total adds up, and matches the balances if walked."""
    s = figures["supply"]
    ok = s["total"] == s["genesis"] + s["minted"] - s["burned"] and s["sum_balances"] in (None, s["total"])
    return {**figures, "supply_ok": ok}


def check_solvency(audit: dict) -> dict:
    """The audit's JSON (as /solvency answers it) and its verdict: every module solvent (and the
    supply whole)."""
    return {"solvency": audit, "solvent": audit["solvent"]}


def _query(app, path: str) -> dict:
    response = app.query(types.RequestQuery(path=path))
    if response.code != 0:
        raise RuntimeError(f"{path} refused: {response.log}")
    return json.loads(response.value)


def app_supply(app) -> dict:
    """Both checks on an Application object (its committed state): /supply and the trie walk,
    and /solvency."""
    return {**check_supply(supply_figures(_query(app, "/supply"), app.reader.sum_balances())),
            **check_solvency(solvency.check(app.reader).to_json())}


def db_supply(db_path) -> dict:
    """Both checks on a stopped app's database (its committed state), reopened here."""
    from ..app.application import Application

    app = Application(str(db_path))
    try:
        return app_supply(app)
    finally:
        app.close()
