"""The ads genesis section: defaults, strings, validation, round trip, refusal by the genesis."""

import json

import pytest

from abci_app.app.genesis import GenesisError, parse_genesis
from abci_app.cli.wallet import dev_account
from abci_app.middleware import ads

from .harness import ads_state


def test_defaults_and_round_trip():
    params = ads.parse_params({})
    assert (params.max_content_bytes, params.max_inbox) == (1_024, 100)
    assert ads.params_json(params) == {"max_content_bytes": 1_024, "max_inbox": 100, "answer_seconds": 30 * 86_400}
    assert ads.parse_params(ads.params_json(params)) == params
    assert ads.parse_params({"max_content_bytes": "200", "max_inbox": 5}) == ads.AdsParams(200, 5, 30 * 86_400)


@pytest.mark.parametrize("doc, message", [
    ({"max_inbox_size": 3}, "unknown ads params: max_inbox_size"),
    ({"max_inbox": 0}, "max_inbox must be between 1 and 10000"),
    ({"max_inbox": 10_001}, "max_inbox must be between 1 and 10000"),
    ({"max_content_bytes": 0}, "max_content_bytes must be between 1 and 65536"),
    ({"max_content_bytes": -1}, "max_content_bytes must be a non-negative integer"),
    ({"max_content_bytes": 0}, "max_content_bytes must be between 1 and 65536"),
    ({"max_inbox": "ten"}, "must be a non-negative integer"),
    ({"max_inbox": True}, "must be a non-negative integer"),
    ({"max_inbox": 2.5}, "must be a non-negative integer"),
    ([], "must be an object"),
])
def test_bad_params_are_refused(doc, message):
    with pytest.raises(ValueError, match=message):
        ads.parse_params(doc)


def test_genesis_refuses_bad_ads_params_and_stores_good_ones():
    keys = [dev_account(i) for i in range(2)]
    with pytest.raises(GenesisError, match="ads: unknown ads params: colour"):
        parse_genesis(json.dumps(ads_state(keys, {"colour": 1})).encode())
    genesis = parse_genesis(json.dumps(ads_state(keys, {"max_inbox": "7"})).encode())
    assert genesis.middleware["ads"] == ads.AdsParams(max_inbox=7)
    assert json.loads(genesis.to_json())["ads"] == {"max_content_bytes": 1_024, "max_inbox": 7, "answer_seconds": 30 * 86_400}
