"""The supply invariant, checked at the end of every run: the app's /supply answer is consistent
(total == genesis + minted - burned) and, where the state can be walked, equals the sum of every
account's balance (the whole account trie)."""

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


def app_supply(app) -> dict:
    """The check on an Application object (its committed state): /supply and the trie walk."""
    response = app.query(types.RequestQuery(path="/supply"))
    if response.code != 0:
        raise RuntimeError(f"/supply refused: {response.log}")
    return check_supply(supply_figures(json.loads(response.value), app.reader.sum_balances()))


def db_supply(db_path) -> dict:
    """The check on a stopped app's database (its committed state), reopened here."""
    from ..app.application import Application

    app = Application(str(db_path))
    try:
        return app_supply(app)
    finally:
        app.close()
