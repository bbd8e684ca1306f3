"""The solvency check (app/solvency.py) through the `/solvency` query."""

import json

import pytest

from abci_app import staking
from abci_app.abci import types
from abci_app.middleware import ads, arbitration, coupons

from ..chain import CMT
from ..staking.harness import SELF_STAKE, StakingChain, staking_state

COUPONS_CREATE = "createCampaign(address,uint256,uint32,int32,int32,uint32,uint64,uint64,address,string)"
ADS_CREATE = "createCampaign(uint256,uint32,uint256,uint64,string)"


@pytest.fixture
def net(tmp_path, keys):
    """Two genesis validators, then CMT in every middleware module: a coupons campaign (3 coupons
    of 10 wei), an arbiter (10,000 CMT) and an ads campaign (10 wei of budget)."""
    net = StakingChain.start(str(tmp_path / "db"), staking_state(keys))
    now = net.chain.time_s
    for key, to, signature, args, value in (
        (keys[2], coupons.ADDRESS, COUPONS_CREATE,
         (keys[3].address, 10, 3, 47_378_177, 8_540_192, 1_000, now, now + 1_000, "0x" + "00" * 20, "coffee"), 30),
        (keys[3], arbitration.ADDRESS, "joinPool()", (), 10_000 * CMT),
        (keys[2], ads.ADDRESS, ADS_CREATE, (1, 0, 1, now + 1_000, "hello"), 10),
    ):
        assert net.send(key, signature, *args, value=value, to="0x" + to.hex()).code == 0
    yield net
    net.chain.app.close()


def test_solvency_query_shows_every_module_and_the_supply(net):
    doc = net.query("/solvency")
    assert doc["solvent"] is True and doc["height"] == net.chain.height
    assert sorted(doc["modules"]) == ["ads", "arbitration", "coupons", "staking"]
    assert doc["modules"]["staking"] == {
        "address": "0x" + staking.ADDRESS.hex(), "balance": str(2 * SELF_STAKE),
        "owed": {"bonded": str(2 * SELF_STAKE), "unbonding": "0", "rewards": "0", "commission": "0"},
        "owed_total": str(2 * SELF_STAKE), "surplus": "0", "solvent": True}
    assert doc["modules"]["coupons"]["owed"] == {"unclaimed": "30", "coupons": "0"}
    assert doc["modules"]["arbitration"]["owed_total"] == str(10_000 * CMT)
    assert doc["modules"]["ads"]["owed"] == {"budgets": "10", "reserved": "0"}
    supply = doc["supply"]
    assert supply["ok"] is True and supply["sum_balances"] == supply["total"] == str(net.chain.supply())
    assert int(supply["total"]) == int(supply["genesis"]) + int(supply["minted"]) - int(supply["burned"])


def test_solvency_query_at_an_earlier_height(net, keys):
    before = net.chain.height
    assert net.send(keys[3], "delegate(address)", keys[0].address, value=1_000 * CMT).code == 0
    then = json.loads(net.chain.app.query(types.RequestQuery(path="/solvency", height=before)).value)
    assert then["height"] == before and then["modules"]["staking"]["balance"] == str(2 * SELF_STAKE)
    assert net.query("/solvency")["modules"]["staking"]["balance"] == str(2 * SELF_STAKE + 1_000 * CMT)
