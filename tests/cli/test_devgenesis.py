"""A dev genesis can also fund a benchmark workload's accounts and take its params."""

import json

import pytest

from abci_app.app.genesis import parse_genesis
from abci_app.bench import workloads
from abci_app.cli.devgenesis import dev_app_state
from abci_app.cli.wallet import DEV_ACCOUNT_COUNT

PUBKEY = "A" * 43 + "="  # 32 bytes of base64


def test_an_extra_genesis_adds_its_accounts_and_params():
    extra = workloads.build("erc20", 10, 3).genesis()
    plain = dev_app_state(1818, [PUBKEY])
    state = dev_app_state(1818, [PUBKEY], extra)
    assert state["accounts"] == plain["accounts"] + extra["accounts"]
    assert state["staking"] == plain["staking"]
    genesis = parse_genesis(json.dumps(state).encode())
    assert genesis.params.block_gas_limit == workloads.BLOCK_GAS_LIMIT
    assert len(genesis.balances_wei) == DEV_ACCOUNT_COUNT + 4  # the deployer and three senders
    assert "params" not in plain  # nothing changes without an extra genesis


def test_an_extra_genesis_for_another_chain_is_refused():
    with pytest.raises(ValueError, match="chain id"):
        dev_app_state(1818, [PUBKEY], {"chain_id": 7, "accounts": []})
