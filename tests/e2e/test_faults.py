"""Faults a 4-validator localnet survives under a steady stream of transactions: kill -9 of a
random app or cometbft process, 20 times; a validator down for 200 blocks that block-syncs back.

At the end every node has the same height and app hash, every transaction any node reported
committed is in every node's state, the supply identity holds, and the chain never stalled for
more than a few seconds (watched from outside: the longest time no node's height went up).
"""

import json
import random
import threading
import time

import pytest
from eth_hash.auto import keccak

from abci_app.cli import cometbft
from abci_app.cli.localnet import EVM_CHAIN_ID, Localnet
from abci_app.cli.localnode import wait_until
from abci_app.cli.wallet import dev_account, sign_tx
from abci_app.rpc import CometRPC, RpcError

from ..solvency import assert_solvent

pytestmark = pytest.mark.e2e

VALIDATORS = 4
KILLS = 20
OUTAGE_BLOCKS = 200
RECIPIENT = "0x" + "fa" * 20
SENDERS = [dev_account(i) for i in range(4, 10)]
MAX_STALL_S = 10.0       # a kill of the proposer costs a round (timeout_propose 0.3 s) or a few
RESEND_AFTER_S = 8.0


def _operator_settings(net: Localnet) -> None:
    """What an operator who restarts nodes runs: the default downtime rule (500 of the last
    1,000 blocks), not the devnet's demo rule (10 of 20) that would jail a validator for a
    3-second restart; and blocks every ~0.1 s plus execution, a round with a dead proposer given
    up after about a second (0.3 s per step), so 200 blocks take a minute or two."""
    for node in net.nodes:
        path = node.home.cometbft / "config" / "genesis.json"
        genesis = json.loads(path.read_text())
        genesis["app_state"]["staking"]["params"].update(downtime_window=1000, downtime_max_missed=500)
        path.write_text(json.dumps(genesis, indent=2))
        path = node.home.cometbft / "config" / "config.toml"
        text = path.read_text()
        for section, key, value in (("consensus", "timeout_commit", "100ms"),
                                    ("consensus", "timeout_propose", "300ms"),  # a dead proposer costs little
                                    ("consensus", "timeout_prevote", "300ms"),
                                    ("consensus", "timeout_precommit", "300ms"),
                                    ("consensus", "create_empty_blocks_interval", "0s")):
            text = cometbft.set_option(text, section, key, value)
        path.write_text(text)


class Load(threading.Thread):
    """One transfer in flight per sender, sent to whichever node answers. A transfer that is not
    committed within RESEND_AFTER_S (its node died with it in the mempool) is replaced by one
    with the nonce the chain expects."""

    def __init__(self, net: Localnet) -> None:
        super().__init__(daemon=True)
        self.net = net
        self.baseline = int(net.rpc(0).query_json(f"/account/{RECIPIENT}")["balance"])
        self.sent: list[str] = []
        self.longest_stall_s = 0.0   # the longest wall-clock time no node's height went up
        self.committed: set[str] = set()
        self.halt = threading.Event()
        self.errors: list[str] = []

    def _up(self) -> list[CometRPC]:
        return [node.rpc for node in self.net.nodes if node.running]

    def _ask(self, call):
        for rpc in self._up():
            try:
                return call(rpc)
            except RpcError:
                continue
        return None

    def _watch(self, last: list) -> None:
        height = self._ask(lambda rpc: rpc.height())
        now = time.monotonic()
        if height is not None and height > last[0]:
            last[:] = [height, now]
        self.longest_stall_s = max(self.longest_stall_s, now - last[1])

    def run(self) -> None:
        in_flight: dict[int, tuple[str, float]] = {}
        last = [0, time.monotonic()]
        while not self.halt.is_set():
            self._watch(last)
            for index, sender in enumerate(SENDERS):
                if index in in_flight:
                    tx_hash, since = in_flight[index]
                    found = self._ask(lambda rpc: rpc.abci_query(f"/tx/{tx_hash}")[0] == 0)
                    if found:
                        self.committed.add(tx_hash)
                    elif time.monotonic() - since < RESEND_AFTER_S:
                        continue
                    del in_flight[index]
                account = self._ask(lambda rpc: rpc.query_json(f"/account/{sender.address}"))
                if account is None:
                    continue
                raw = sign_tx(sender, account["nonce"], RECIPIENT, 1, chain_id=EVM_CHAIN_ID)
                answer = self._ask(lambda rpc: rpc.broadcast_tx_sync(raw))
                if answer is None:
                    continue
                tx_hash = "0x" + keccak(raw).hex()
                if answer["code"] == 0:
                    self.sent.append(tx_hash)
                    in_flight[index] = (tx_hash, time.monotonic())
                elif "already" not in answer.get("log", "") and answer["code"] not in (7, 8):
                    self.errors.append(f"code {answer['code']}: {answer.get('log')}")
            time.sleep(0.05)


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    net = Localnet(tmp_path_factory.mktemp("faults"), validators=VALIDATORS)
    _operator_settings(net)
    try:
        yield net.start()
    finally:
        net.stop()


@pytest.fixture
def load(net):
    load = Load(net)
    load.start()
    try:
        yield load
    finally:
        load.halt.set()
        load.join(30)


def _restart(net: Localnet, index: int, killed: str) -> None:
    node = net.nodes[index]
    if killed == "app":
        node.stop_cometbft(timeout_s=30)       # it stops by itself once the app connection breaks
        node.start_app()
    node.start_cometbft()
    net._record(node)


def _settle(net: Localnet, load: Load) -> int:
    """Stop the load, let every node reach one height; return it."""
    load.halt.set()
    load.join(30)
    target = max(node.height() for node in net.nodes) + 2
    net.wait_height(target, timeout_s=120)
    return target


def _assert_agreement(net: Localnet, load: Load, height: int) -> None:
    headers = [node.rpc.call("block", height=str(height))["block"]["header"] for node in net.nodes]
    assert len({h["app_hash"] for h in headers}) == 1, f"app hashes differ at {height}"
    committed = {h for h in load.sent if net.rpc(0).abci_query(f"/tx/{h}")[0] == 0}
    assert load.committed <= committed, "a transaction reported committed is missing"
    for node in net.nodes:
        assert all(node.rpc.abci_query(f"/tx/{h}")[0] == 0 for h in committed)
        assert int(node.rpc.query_json(f"/account/{RECIPIENT}")["balance"]) == load.baseline + len(committed)
        supply = node.rpc.query_json("/supply")
        assert int(supply["total"]) == int(supply["genesis"]) + int(supply["minted"]) - int(supply["burned"])
        assert int(supply["total"]) <= int(supply["cap"])
    assert_solvent(net.rpc(0))  # the nodes agree on the state: one node's answer is every node's
    assert not load.errors, load.errors[:5]


def test_kill_9_random_processes_twenty_times(net, load):
    rng = random.Random(20261124)
    net.wait_height(2)
    wait_until(lambda: len(load.committed) >= 10, 60, "the load to get going")
    timeline = []
    for _ in range(KILLS):
        time.sleep(rng.uniform(1.0, 3.0))
        index, killed = rng.randrange(VALIDATORS), rng.choice(("app", "cometbft"))
        node = net.nodes[index]
        timeline.append((round(time.monotonic(), 1), f"kill {killed} of node{index} at {node.height()}"))
        node.kill_app() if killed == "app" else node.kill_cometbft()
        _restart(net, index, killed)
        others = max(other.height() for other in net.nodes if other is not node)
        node.wait_height(others, timeout_s=60)      # caught up before the next fault
        timeline.append((round(time.monotonic(), 1), f"node{index} back at {node.height()}"))
    committed_before = len(load.committed)
    wait_until(lambda: len(load.committed) > committed_before, 30, "transactions to commit after the faults")
    height = _settle(net, load)
    _assert_agreement(net, load, height)
    assert load.longest_stall_s < MAX_STALL_S, (load.longest_stall_s, timeline)


def test_a_validator_down_for_200_blocks_catches_up(net, load):
    net.stop_node(3)
    stopped_at = max(node.height() for node in net.nodes[:3])
    net.nodes[0].wait_height(stopped_at + OUTAGE_BLOCKS, timeout_s=240)
    net.start_node(3)
    node = net.nodes[3]
    node.wait_height(stopped_at + OUTAGE_BLOCKS, timeout_s=120)
    height = _settle(net, load)
    _assert_agreement(net, load, height)
