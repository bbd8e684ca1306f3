"""Governance on a real 4-validator localnet (deposit and voting periods of 15 s):

1. in one voting period: a param change takes effect at the height that ends its vote (the
   block event `gov.proposal_ended` says which), a community-pool spend pays exactly its amount,
   a vetoed proposal burns its deposit, and a software upgrade is scheduled;
2. at the upgrade's height all four nodes stop (exit code 5, "UPGRADE NEEDED" in their logs);
   each restarted with a handler for the (test-only) plan, they go on with one app hash;
3. the same with every node under `miles start --upgrade-dir DIR`: they switch to
   DIR/<plan>/bin/miles by themselves and go on.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from eth_abi import decode
from eth_hash.auto import keccak

from abci_app import governance
from abci_app.app.upgrades import EXIT_UPGRADE_NEEDED, TEST_PLANS_ENV
from abci_app.cli.localnet import EVM_CHAIN_ID, Localnet
from abci_app.cli.localnode import end_process, wait_until
from abci_app.cli.wallet import dev_account, sign_tx
from abci_app.middleware import groups
from abci_app.rpc import CometRPC

from ..solvency import assert_solvent
from ..staking.harness import call_data

pytestmark = pytest.mark.e2e

CMT = 10**18
GOV = "0x" + governance.ADDRESS.hex()
GROUPS = "0x" + groups.ADDRESS.hex()
PERIOD_S = 15
DEPOSIT = 10_000 * CMT
YES, VETO = 1, 4
PASSED, VETOED = 3, 5
VALIDATORS = [dev_account(i) for i in range(4)]


def _send(rpc: CometRPC, key, to: str, calls: list[tuple]) -> list[dict]:
    """(signature, args, value) calls from `key` with consecutive nonces, broadcast together;
    their committed receipts."""
    nonce = rpc.query_json(f"/account/{key.address}")["nonce"]
    raws = [sign_tx(key, nonce + i, to, value, chain_id=EVM_CHAIN_ID, gas=2_000_000, data=call_data(sig, *args))
            for i, (sig, args, value) in enumerate(calls)]
    for raw in raws:
        result = rpc.broadcast_tx_sync(raw)
        assert result["code"] == 0, result

    def receipt(raw):
        code, value, _ = rpc.abci_query("/tx/0x" + keccak(raw).hex())
        return json.loads(value) if code == 0 else None

    receipts = [wait_until(lambda raw=raw: receipt(raw), 60, "a transaction to be committed", interval_s=0.2)
                for raw in raws]
    assert all(r["status"] == 1 for r in receipts), [r["error"] for r in receipts]
    return receipts


def _submit(rpc: CometRPC, key, signature: str, *args) -> int:
    (receipt,) = _send(rpc, key, GOV, [(signature, args, DEPOSIT)])
    return int(receipt["logs"][0]["topics"][1], 16)   # ProposalSubmitted(proposalId indexed, ...)


def _vote_all(rpc: CometRPC, votes: dict[int, int]) -> None:
    """Every validator votes `votes[proposal]`, except validators 0 and 1 veto a VETO proposal."""
    for i, key in enumerate(VALIDATORS):
        _send(rpc, key, GOV, [("vote(uint256,uint8)", (proposal_id, option if option == YES or i < 2 else YES), 0)
                              for proposal_id, option in votes.items()])


def _view(rpc: CometRPC, to: str, signature: str, returns: list[str], *args, height: int = 0):
    body = {"to": to, "data": "0x" + call_data(signature, *args).hex()}
    code, value, log = rpc.abci_query("/call", json.dumps(body).encode(), height=height)
    doc = json.loads(value)
    assert code == 0 and doc["success"], (code, log, doc)
    return decode(returns, bytes.fromhex(doc["output"][2:]))


def _proposal(rpc: CometRPC, proposal_id: int) -> tuple:
    (proposal,) = _view(rpc, GOV, "proposal(uint256)", [governance.views.PROPOSAL_ABI], proposal_id)
    return proposal


def _ended(rpc: CometRPC, height: int) -> dict[int, dict]:
    """The gov.proposal_ended events of a block, by proposal id."""
    events = rpc.call("block_results", height=str(height)).get("finalize_block_events") or []
    ended = [{a["key"]: a["value"] for a in e["attributes"]} for e in events if e["type"] == "gov.proposal_ended"]
    return {int(e["proposalId"]): e for e in ended}


def _app_hashes(net: Localnet, height: int) -> set[str]:
    return {node.rpc.call("block", height=str(height))["block"]["header"]["app_hash"] for node in net.nodes}


def _wait_all(net: Localnet, height: int, what: str) -> None:
    """Every node at `height` (whoever runs it: LocalNode.height() is 0 while its RPC is down)."""
    for node in net.nodes:
        wait_until(lambda node=node: node.height() >= height, 120, f"{what} ({node.name} at {height})",
                   interval_s=0.5)


def _restart_each_at_upgrade(net: Localnet, height: int, plan: str) -> None:
    """Every node's app stops with EXIT_UPGRADE_NEEDED at `height`; each is restarted with the
    handler for `plan` as soon as it has (the operator's part). A node that lagged when the others
    stopped gets the upgrade block only once they run again, as on any chain."""
    waiting = list(net.nodes)
    deadline = time.monotonic() + 240
    while waiting:
        stopped = wait_until(lambda: [node for node in waiting if node.app.poll() is not None],
                             max(0.1, deadline - time.monotonic()),
                             f"{[node.name for node in waiting]} to stop at the upgrade (heights "
                             f"{[node.height() for node in waiting]})", interval_s=0.5)
        for node in stopped:
            assert node.app.returncode == EXIT_UPGRADE_NEEDED, node.log_text("app")[-2000:]
            assert f"UPGRADE NEEDED: plan {plan!r} at height {height}" in node.log_text("app")
            node.stop()
            node.app_env = {TEST_PLANS_ENV: plan}
            net.start_node(net.nodes.index(node))
            waiting.remove(node)


@pytest.fixture
def localnet(tmp_path):
    net = Localnet(tmp_path / "localnet", validators=4)
    for node in net.nodes:
        path = node.home.cometbft / "config" / "genesis.json"
        genesis = json.loads(path.read_text())
        genesis["app_state"]["governance"] = {"deposit_period_s": PERIOD_S, "voting_period_s": PERIOD_S}
        genesis["app_state"]["economics"] = {"community_pool_bps": 5_000}
        path.write_text(json.dumps(genesis, indent=2))
    try:
        yield net.start()
    finally:
        net.stop()


def _release(base: Path, plan: str) -> Path:
    """DIR/<plan>/bin/miles: this code, with a handler for the test plan `plan`."""
    binary = base / plan / "bin" / "miles"
    binary.parent.mkdir(parents=True)
    binary.write_text(f'#!/bin/sh\n{TEST_PLANS_ENV}={plan} exec {sys.executable} -m abci_app.cli.main "$@"\n')
    binary.chmod(0o755)
    return base


def test_proposals_take_effect_and_upgrades_stop_and_restart_every_node(localnet, tmp_path):
    rpc = localnet.rpc(0)
    recipient = "0x" + "5e" * 20
    proposer, vetoed_proposer = dev_account(5), dev_account(6)

    # 1. four proposals in one voting period
    upgrade_height = rpc.height() + 60
    change = _submit(rpc, proposer, "submitParamChange(string,string,string,uint256)", "fewer moderators", "",
                     "groups.max_moderators", 7)
    spend = _submit(rpc, proposer, "submitCommunitySpend(string,string,address,uint256)", "grant", "", recipient,
                    3 * CMT)
    vetoed = _submit(rpc, vetoed_proposer, "submitText(string,string)", "spam", "")
    upgrade = _submit(rpc, proposer, "submitUpgrade(string,string,string,uint256,string)", "manual", "",
                      "e2e-manual", upgrade_height, "restart with the e2e-manual handler")
    _vote_all(rpc, {change: YES, spend: YES, vetoed: VETO, upgrade: YES})
    vetoed_balance = int(rpc.query_json(f"/account/{vetoed_proposer.address}")["balance"])
    burned = int(rpc.query_json("/supply")["burned"])
    voting_end = max(_proposal(rpc, p)[5] for p in (change, spend, vetoed, upgrade))
    wait_until(lambda: all(_proposal(rpc, p)[1] not in (1, 2) for p in (change, spend, vetoed, upgrade)), 60,
               f"the votes to end (at block time {voting_end})", interval_s=0.5)
    statuses = {p: _proposal(rpc, p)[1] for p in (change, spend, vetoed, upgrade)}
    assert statuses == {change: PASSED, spend: PASSED, vetoed: VETOED, upgrade: PASSED}
    ended_at = _proposal(rpc, change)[9]
    assert ended_at < upgrade_height
    assert _ended(rpc, ended_at)[change]["status"] == "passed"
    params = "params()", ["(uint256,uint256,address)"]
    assert _view(rpc, GROUPS, *params, height=ended_at - 1)[0][1] == 20
    assert _view(rpc, GROUPS, *params, height=ended_at)[0][1] == 7
    assert int(rpc.query_json(f"/account/{recipient}")["balance"]) == 3 * CMT
    burned_at = _proposal(rpc, vetoed)[9]
    assert _ended(rpc, burned_at)[vetoed]["burned"] == "true"
    assert int(rpc.query_json(f"/account/{vetoed_proposer.address}")["balance"]) == vetoed_balance
    assert int(rpc.query_json("/supply")["burned"]) - burned >= DEPOSIT   # the deposit, and base fee above the minimum
    assert_solvent(rpc)

    # 2. every node stops before executing the upgrade height; restarted with the handler, they go on
    _restart_each_at_upgrade(localnet, upgrade_height, "e2e-manual")
    localnet.wait_height(upgrade_height + 2)
    assert len(_app_hashes(localnet, upgrade_height + 1)) == 1
    assert _view(rpc, GOV, "upgradePlan()", [governance.views.PLAN_ABI])[0][1] == 0

    # 3. the same under `miles start --upgrade-dir`, hands off
    localnet.stop()
    upgrade_dir = _release(tmp_path / "upgrades", "e2e-auto")
    supervisors = [subprocess.Popen(
        [sys.executable, "-m", "abci_app.cli.main", "--home", str(node.home.path), "start", "--no-gateway",
         "--no-metrics", "--upgrade-dir", str(upgrade_dir)],
        stdout=(node.home.path / "supervisor.log").open("ab"), stderr=subprocess.STDOUT,
        env={**os.environ, TEST_PLANS_ENV: "e2e-manual"}, start_new_session=True) for node in localnet.nodes]
    try:
        _wait_all(localnet, upgrade_height + 4, "every node to run under --upgrade-dir")
        auto_height = rpc.height() + 45
        auto = _submit(rpc, proposer, "submitUpgrade(string,string,string,uint256,string)", "auto", "",
                       "e2e-auto", auto_height, "")
        _vote_all(rpc, {auto: YES})
        _wait_all(localnet, auto_height + 2, "every node to pass the upgrade by itself")
        assert all(s.poll() is None for s in supervisors)
        assert len(_app_hashes(localnet, auto_height + 1)) == 1
        for node in localnet.nodes:
            assert "upgrade e2e-auto: restarting with" in (node.home.path / "supervisor.log").read_text()
        assert_solvent(rpc)
    finally:
        for supervisor in supervisors:
            if supervisor.poll() is None:
                os.killpg(supervisor.pid, signal.SIGTERM)
        for supervisor in supervisors:
            end_process(supervisor, 30)
