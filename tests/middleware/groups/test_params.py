"""The groups genesis section: defaults, strings, the identity address in hex, validation, round
trip, refusal by the genesis."""

import json

import pytest

from abci_app.app.genesis import GenesisError, parse_genesis
from abci_app.cli.wallet import dev_account
from abci_app.middleware import groups

from .harness import BOND, groups_state

IDENTITY = "0x000000000000000000000000000000000000cc06"


def test_defaults_and_round_trip():
    params = groups.parse_params({})
    assert (params.group_bond_wei, params.max_moderators, params.identity_address) == (BOND, 20, 0xCC06)
    assert groups.params_json(params) == {"group_bond_wei": BOND, "max_moderators": 20, "identity_address": IDENTITY}
    assert groups.parse_params(groups.params_json(params)) == params
    assert groups.parse_params({"group_bond_wei": "7", "max_moderators": 2, "identity_address": "0x" + "ab" * 20}) \
        == groups.GroupsParams(7, 2, int("ab" * 20, 16))


@pytest.mark.parametrize("doc, message", [
    ({"bond": 3}, "unknown groups params: bond"),
    ({"group_bond_wei": 0}, "group_bond_wei must be between 1 and 2\\*\\*128 - 1 wei"),
    ({"group_bond_wei": 2**128}, "group_bond_wei must be between 1 and 2\\*\\*128 - 1 wei"),
    ({"max_moderators": 0}, "max_moderators must be between 1 and 1000"),
    ({"max_moderators": 1_001}, "max_moderators must be between 1 and 1000"),
    ({"identity_address": 0}, "identity_address must be a nonzero address"),
    ({"identity_address": 2**160}, "identity_address must be a nonzero address"),
    ({"identity_address": "0xnothex"}, "identity_address must be an address"),
    ({"group_bond_wei": -1}, "must be a non-negative integer"),
    ({"max_moderators": True}, "must be a non-negative integer"),
    ([], "must be an object"),
])
def test_bad_params_are_refused(doc, message):
    with pytest.raises(ValueError, match=message):
        groups.parse_params(doc)


def test_genesis_refuses_bad_groups_params_and_stores_good_ones():
    keys = [dev_account(i) for i in range(2)]
    with pytest.raises(GenesisError, match="groups: unknown groups params: colour"):
        parse_genesis(json.dumps(groups_state(keys, {"colour": 1})).encode())
    genesis = parse_genesis(json.dumps(groups_state(keys, {"group_bond_wei": "9"})).encode())
    assert genesis.middleware["groups"] == groups.GroupsParams(9)
    assert json.loads(genesis.to_json())["groups"] == {"group_bond_wei": 9, "max_moderators": 20,
                                                       "identity_address": IDENTITY}
