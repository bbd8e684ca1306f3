"""The checks at the end of every run: the supply invariant (the app's /supply answer is
consistent, total == genesis + minted - burned, and, where the state can be walked, equals the sum
of every account's balance) and every module's solvency (the app's /solvency answer: each
precompile's balance covers what its records owe)."""

import json

from ..abci import types


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


def check_solvency(solvency: dict) -> dict:
    """The /solvency query's JSON and its verdict: every module solvent (and the supply whole)."""
    return {"solvency": solvency, "solvent": solvency["solvent"]}


def _query(app, path: str) -> dict:
    response = app.query(types.RequestQuery(path=path))
    if response.code != 0:
        raise RuntimeError(f"{path} refused: {response.log}")
    return json.loads(response.value)


def app_supply(app) -> dict:
    """Both checks on an Application object (its committed state): /supply and the trie walk,
    and /solvency."""
    return {**check_supply(supply_figures(_query(app, "/supply"), app.reader.sum_balances())),
            **check_solvency(_query(app, "/solvency"))}


def db_supply(db_path) -> dict:
    """Both checks on a stopped app's database (its committed state), reopened here."""
    from ..app.application import Application

    app = Application(str(db_path))
    try:
        return app_supply(app)
    finally:
        app.close()
