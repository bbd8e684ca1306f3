"""The identity genesis section: defaults, strings, validation, round trip, refusal by the genesis."""

import json

import pytest

from abci_app.app.genesis import GenesisError, parse_genesis
from abci_app.cli.wallet import dev_account
from abci_app.middleware import identity

from .harness import MIN_BOND, identity_state


def test_defaults_and_round_trip():
    params = identity.parse_params({})
    assert params.min_attester_bond_wei == MIN_BOND
    assert identity.params_json(params) == {"min_attester_bond_wei": MIN_BOND}
    assert identity.parse_params(identity.params_json(params)) == params
    assert identity.parse_params({"min_attester_bond_wei": "7"}) == identity.IdentityParams(7)


@pytest.mark.parametrize("doc, message", [
    ({"min_bond": 3}, "unknown identity params: min_bond"),
    ({"min_attester_bond_wei": 0}, "min_attester_bond_wei must be between 1 and 2\\*\\*128 - 1 wei"),
    ({"min_attester_bond_wei": 2**128}, "min_attester_bond_wei must be between 1 and 2\\*\\*128 - 1 wei"),
    ({"min_attester_bond_wei": -1}, "must be a non-negative integer"),
    ({"min_attester_bond_wei": "ten"}, "must be a non-negative integer"),
    ({"min_attester_bond_wei": True}, "must be a non-negative integer"),
    ([], "must be an object"),
])
def test_bad_params_are_refused(doc, message):
    with pytest.raises(ValueError, match=message):
        identity.parse_params(doc)


def test_genesis_refuses_bad_identity_params_and_stores_good_ones():
    keys = [dev_account(i) for i in range(2)]
    with pytest.raises(GenesisError, match="identity: unknown identity params: colour"):
        parse_genesis(json.dumps(identity_state(keys, {"colour": 1})).encode())
    genesis = parse_genesis(json.dumps(identity_state(keys, {"min_attester_bond_wei": "9"})).encode())
    assert genesis.middleware["identity"] == identity.IdentityParams(9)
    assert json.loads(genesis.to_json())["identity"] == {"min_attester_bond_wei": 9}
