"""The solvency check (app/solvency.py): the `/solvency` query, and the in-process driver's check
after every block, shown to fail when CMT leaves a precompile behind its module's back."""

import dataclasses
import json
import re

import pytest

from abci_app import staking
from abci_app.abci import types
from abci_app.app import Application, solvency
from abci_app.app.application import VM
from abci_app.app.settings import AppSettings
from abci_app.evm.reader import StateReader
from abci_app.middleware import ads, arbitration, coupons
from abci_app.store import Overlay, Store, keys

from ..chain import CHAIN_ID, CMT, Chain, transfer
from ..staking.harness import SELF_STAKE, StakingChain, call_data, staking_state

STRANGER = bytes.fromhex("5e" * 20)
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
    assert sorted(doc["modules"]) == ["ads", "arbitration", "coupons", "governance", "groups", "identity", "staking"]
    assert doc["modules"]["governance"]["owed"] == {"deposits": "0"}
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


def test_solvency_query_is_bounded_in_work(net, monkeypatch):
    """Anyone may ask for the audit and queries run where blocks do: past a read budget it
    refuses (code 42) instead of walking a large state (found by review)."""
    reads = 0

    def count(self, key):
        nonlocal reads
        reads += 1
        return original(self, key)
    original = Store.get
    monkeypatch.setattr(Store, "get", count)
    assert net.chain.query("/solvency").code == 0
    needed, reads = reads, 0
    assert needed < AppSettings().audit_max_reads  # a devnet's whole state fits the default
    net.chain.app.settings = dataclasses.replace(net.chain.app.settings, audit_max_reads=needed // 2)
    refused = net.chain.query("/solvency")
    assert refused.code == 42 and "too large to audit" in refused.log and "audit_max_reads" in refused.log
    assert reads <= needed // 2 + 10


def test_solvency_query_at_an_earlier_height(net, keys):
    before = net.chain.height
    assert net.send(keys[3], "delegate(address)", keys[0].address, value=1_000 * CMT).code == 0
    then = json.loads(net.chain.app.query(types.RequestQuery(path="/solvency", height=before)).value)
    assert then["height"] == before and then["modules"]["staking"]["balance"] == str(2 * SELF_STAKE)
    assert net.query("/solvency")["modules"]["staking"]["balance"] == str(2 * SELF_STAKE + 1_000 * CMT)


def take_behind_the_modules_back(db_path: str, source: bytes, to: bytes | None, amount_wei: int) -> None:
    """Move CMT out of `source` in the committed state on disk (to `to`, or nowhere), as a buggy
    module would, while the app is closed."""
    store = Store(db_path)
    try:
        overlay = Overlay(store)
        state = StateReader(VM, overlay, store.get(keys.META_STATE_ROOT), CHAIN_ID).state
        state.delta_balance(source, -amount_wei)
        if to is not None:
            state.delta_balance(to, amount_wei)
        state.persist()
        store.write({**overlay.pending(), keys.META_STATE_ROOT: state.state_root,
                     keys.META_APP_HASH: state.state_root})
    finally:
        store.close()


def robbed(tmp_path, net, source: bytes, to: bytes | None, check_solvency: bool = True) -> Chain:
    """The chain of `net` reopened after 1 wei was taken from `source` behind its back (it
    replaces net.chain, which the fixture closes)."""
    net.chain.app.close()
    take_behind_the_modules_back(str(tmp_path / "db"), source, to, 1)
    net.chain = Chain(Application(str(tmp_path / "db")), height=net.chain.height, time_s=net.chain.time_s,
                      check_solvency=check_solvency)
    return net.chain


@pytest.mark.parametrize("module", [staking, coupons, arbitration, ads], ids=lambda m: m.NAME)
def test_the_driver_raises_when_a_precompile_holds_less_than_it_owes(tmp_path, net, module):
    owed = sum(module.owed(net.chain.app.reader.state).values())
    chain = robbed(tmp_path, net, module.ADDRESS, STRANGER)
    doc = json.loads(chain.query("/solvency").value)
    assert doc["solvent"] is False and doc["supply"]["ok"] is True
    assert [name for name, m in doc["modules"].items() if not m["solvent"]] == [module.NAME]
    assert doc["modules"][module.NAME]["surplus"] == "-1"
    expected = (f"after block {chain.height + 1}: {module.NAME} (0x{module.ADDRESS.hex()}) is insolvent: "
                f"balance {owed - 1} wei < owed {owed} wei")
    with pytest.raises(AssertionError, match=re.escape(expected)):
        chain.block([])


def test_the_driver_raises_when_the_supply_does_not_add_up(tmp_path, net, keys):
    chain = robbed(tmp_path, net, bytes.fromhex(keys[1].address[2:]), None)
    doc = json.loads(chain.query("/solvency").value)
    assert doc["solvent"] is False and doc["supply"]["ok"] is False
    assert int(doc["supply"]["total"]) - int(doc["supply"]["sum_balances"]) == 1
    with pytest.raises(AssertionError, match="supply broken: sum of balances"):
        chain.block([])


def test_the_driver_check_can_be_turned_off(tmp_path, net):
    chain = robbed(tmp_path, net, staking.ADDRESS, STRANGER, check_solvency=False)
    chain.block([])
    assert not solvency.check(chain.app.reader).solvent


# A contract that forwards its call data to the staking precompile twice, by DELEGATECALL (f4)
# or CALLCODE (f2, with the value it received): calldatacopy(0, 0, calldatasize); twice
# { pop(<op>(gas, 0xcc01, [callvalue,] 0, calldatasize, 0, 0)) }; stop.
def _forwarder(opcode: int) -> bytes:
    value = b"\x34" if opcode == 0xF2 else b""
    call = b"\x60\x00\x60\x00\x36\x60\x00" + value + b"\x61\xcc\x01\x5a" + bytes([opcode]) + b"\x50"
    runtime = b"\x36\x60\x00\x60\x00\x37" + call + call + b"\x00"
    return bytes([0x60, len(runtime), 0x80, 0x60, 0x0B, 0x60, 0x00, 0x39, 0x60, 0x00, 0xF3]) + runtime


@pytest.mark.parametrize("opcode", [0xF4, 0xF2], ids=["delegatecall", "callcode"])
def test_stake_recorded_without_payment_is_never_solvent(net, keys, opcode):
    """Issue 13 finding 3: reached by DELEGATECALL or CALLCODE, the staking precompile records
    stake it was never paid (the forwarder keeps the CMT). Until precompiles refuse such calls the
    check must see it; once they do, nothing is recorded and all is solvent. Either way: solvent
    exactly when no stake was recorded."""
    (deployed,) = net.block([transfer(keys[1], 0, "", 0, gas=200_000, data=_forwarder(opcode))])
    assert deployed.code == 0, deployed.log
    bonded = staking.owed(net.chain.app.reader.state)["bonded"]
    net.chain.check_solvency = False
    (called,) = net.block([transfer(keys[1], 1, net.receipt(deployed)["contract_address"], 1_000 * CMT,
                                    gas=500_000, data=call_data("delegate(address)", keys[0].address))])
    assert called.code == 0, called.log
    unpaid = staking.owed(net.chain.app.reader.state)["bonded"] - bonded
    assert solvency.check(net.chain.app.reader).solvent == (unpaid == 0)
