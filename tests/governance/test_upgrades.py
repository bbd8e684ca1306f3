"""A passed software upgrade at the application: the old binary stops before executing the plan's
height (and again after a restart), writes upgrade-info.json and exits with its own code; a
binary carrying the plan continues from that height and records it as done; a binary carrying
the plan refuses the blocks before it."""

import json
from pathlib import Path

import pytest

from abci_app import governance
from abci_app.app import upgrades
from abci_app.app.application import Application
from abci_app.app.driver import InProcessChain

from .harness import FAILED, MIN_INITIAL, SUBMIT_UPGRADE, YES, GovChain, gov_state

PLAN = "test-v2"


def _schedule(net: GovChain, height: int) -> None:
    proposal_id = net.submit(net.keys[2], SUBMIT_UPGRADE, "v2", "", PLAN, height, "the v2 release")
    net.vote(net.keys[0], proposal_id, YES)
    net.vote(net.keys[1], proposal_id, YES)
    net.wait()
    assert governance.upgrade_plan(net.chain.app.reader.state).height == height


def _reopen(net: GovChain, db_path: str) -> None:
    """A restart of the node: a new Application on the same database, at its last commit."""
    net.chain.app.close()
    app = Application(db_path)
    net.chain = InProcessChain(app, height=app.height, time_s=net.chain.time_s)


def test_the_old_binary_stops_at_the_height_and_the_new_one_goes_on(tmp_path, keys, monkeypatch):
    db_path = str(tmp_path / "data" / "state.db")
    (tmp_path / "data").mkdir()
    net = GovChain.start(db_path, gov_state(keys))
    net.keys = keys
    height = net.chain.height + 10
    _schedule(net, height)
    while net.chain.height < height - 1:
        net.wait(1)
    stopped = []
    for _ in range(2):              # restarted as it was, it stops again at the same place
        net.chain.app.on_fatal = stopped.append
        with pytest.raises(upgrades.UpgradeNeeded, match=f"UPGRADE NEEDED: plan '{PLAN}' at height {height}"):
            net.wait(1)
        _reopen(net, db_path)
        assert net.chain.height == height - 1
    assert stopped == [upgrades.EXIT_UPGRADE_NEEDED] * 2
    info = json.loads((tmp_path / "data" / "upgrade-info.json").read_text())
    assert info == {"name": PLAN, "height": height, "info": "the v2 release"}
    monkeypatch.setenv(upgrades.TEST_PLANS_ENV, PLAN)
    _reopen(net, db_path)
    net.wait(1)
    assert net.chain.height == height
    gov = governance.state_view(net.chain.app.reader.state)
    assert gov.upgrade_done(PLAN) == height and gov.upgrade_plan().height == 0
    net.wait(1)
    net.assert_supply()
    net.revert(keys[2], f"plan {PLAN} was already carried out", SUBMIT_UPGRADE, "again", "", PLAN,
               net.chain.height + 10, "", value=MIN_INITIAL)
    net.chain.app.close()


def test_a_plan_whose_height_passed_during_the_vote_is_not_scheduled(net, keys):
    proposal_id = net.submit(keys[2], SUBMIT_UPGRADE, "v2", "", PLAN, net.chain.height + 3, "")
    net.vote(keys[0], proposal_id, YES)
    net.vote(keys[1], proposal_id, YES)
    net.wait()
    assert net.status(proposal_id) == FAILED
    assert net.proposal(proposal_id)[19] == "not scheduled: the upgrade height has passed"
    assert governance.upgrade_plan(net.chain.app.reader.state).height == 0


def test_a_binary_carrying_the_plan_refuses_the_blocks_before_it(tmp_path, keys, monkeypatch):
    net = GovChain.start(str(tmp_path / "db"), gov_state(keys))
    net.keys = keys
    _schedule(net, net.chain.height + 10)
    monkeypatch.setenv(upgrades.TEST_PLANS_ENV, PLAN)
    _reopen(net, str(tmp_path / "db"))
    stopped = []
    net.chain.app.on_fatal = stopped.append
    before = net.chain.app.app_hash
    with pytest.raises(upgrades.UpgradeEarly, match=f"carries upgrade '{PLAN}'"):
        net.wait(1)
    assert stopped == [upgrades.EXIT_UPGRADE_EARLY]
    assert net.chain.app.app_hash == before
    assert not (Path(tmp_path) / "upgrade-info.json").exists()
    net.chain.app.close()
