"""Genesis app_state parsing: every malformed field is named in the error."""

import json

import pytest

from abci_app.app.genesis import GENESIS_SUPPLY_WEI, Params, parse_genesis
from abci_app.errors import GenesisError

ADDRESS = "0x" + "11" * 20


def _doc(**overrides) -> bytes:
    doc = {"chain_id": 1818, "accounts": [{"address": ADDRESS, "balance_wei": "1000"}]}
    doc.update(overrides)
    return json.dumps(doc).encode()


def test_defaults_and_round_trip():
    genesis = parse_genesis(_doc())
    assert genesis.params == Params() and genesis.supply_wei == 1000
    assert parse_genesis(genesis.to_json()) == genesis


@pytest.mark.parametrize("doc, field", [
    (b"not json", "JSON"),
    (b"[]", "object"),
    (_doc(chain_id=0), "chain_id"),
    (_doc(chain_id="x"), "chain_id"),
    (_doc(accounts=[{"address": "0x12", "balance_wei": "1"}]), "address"),
    (_doc(accounts=[{"address": ADDRESS, "balance_wei": "-1"}]), "balance"),
    (_doc(accounts=[{"address": ADDRESS, "balance_wei": "1"}] * 2), "twice"),
    (_doc(accounts=[{"address": ADDRESS, "balance_wei": str(11 * GENESIS_SUPPLY_WEI)}]), "cap"),
    (_doc(params={"block_gas_limit": 0}), "block_gas_limit"),
])
def test_malformed_genesis_names_the_field(doc, field):
    with pytest.raises(GenesisError, match=field):
        parse_genesis(doc)
