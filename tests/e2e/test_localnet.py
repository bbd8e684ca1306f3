"""Localnet: four validators of our app, each with a real cometbft, on 127.0.0.1.

They agree on blocks, state and app hashes; a fifth, non-validator node block-syncs; a stopped
validator leaves the other three producing blocks and catches up when restarted. And the
`miles localnet start|status|stop` commands as a user runs them.

The CLI test comes first, before the module's localnet exists (8 processes at a time on two
cores, not 16); the destructive test comes last.
"""

import json
import subprocess
import sys
import urllib.request

import pytest

from abci_app.cli.localnet import EVM_CHAIN_ID, Localnet, find_free_base_port, recorded_alive, stop_recorded, \
    validator_address
from abci_app.cli.localnode import wait_until
from abci_app.cli.wallet import dev_account, sign_tx
from abci_app.rpc import CometRPC, RpcError

from ..solvency import assert_solvent

pytestmark = pytest.mark.e2e

VALIDATORS = 4
RECIPIENT = "0x" + "4c" * 20
VALUE_WEI = 3 * 10**18


def miles(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "abci_app.cli.main", *args], capture_output=True, text=True,
                          timeout=timeout)


def eth_call(url: str, method: str, *params):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["result"]


def test_cli_start_status_stop(tmp_path):
    home = str(tmp_path / "home")
    directory = tmp_path / "home" / "localnet"
    base = find_free_base_port(VALIDATORS)
    try:
        start = miles("--home", home, "localnet", "start", "--validators", str(VALIDATORS), "--base-port", str(base),
                      timeout=150)
        assert start.returncode == 0, start.stderr
        assert len(recorded_alive(directory)) == 2 * VALIDATORS
        status = miles("--home", home, "localnet", "status")
        assert status.returncode == 0, status.stdout + status.stderr
        rows = [line.split() for line in status.stdout.splitlines()[1:]]
        assert [row[0] for row in rows] == [f"node{i}" for i in range(VALIDATORS)]
        assert all(int(row[1]) >= 1 and row[2] == "yes" for row in rows), status.stdout
        assert rows[0][3] == f"http://127.0.0.1:{base + 1}"
        gateways = [row[4] for row in rows]
        assert gateways == [f"http://127.0.0.1:{base + 10 * i + 4}" for i in range(VALIDATORS)]
        heights = [int(eth_call(url, "eth_blockNumber"), 16) for url in gateways]  # every node serves wallets
        assert all(height >= 1 for height in heights) and {eth_call(url, "eth_chainId") for url in gateways} == \
            {hex(EVM_CHAIN_ID)}
        common = hex(min(heights))                        # the same block answers the same on every node
        same = [eth_call(url, "eth_getBlockByNumber", common, True) for url in gateways]
        assert same[0]["number"] == common and all(block == same[0] for block in same), same
    finally:
        stop = miles("--home", home, "localnet", "stop")
        stop_recorded(directory)  # in case the command could not
    assert stop.returncode == 0 and f"stopped {2 * VALIDATORS} processes" in stop.stdout, stop.stderr
    assert not (directory / "pids.json").exists()
    with pytest.raises(RpcError):
        CometRPC(f"http://127.0.0.1:{base + 1}", timeout_s=2).height()
    assert miles("--home", home, "localnet", "status").returncode == 1  # every node down


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    net = Localnet(tmp_path_factory.mktemp("localnet"), validators=VALIDATORS)
    try:
        yield net.start()
        assert_solvent(net.rpc(0))
    finally:
        net.stop()


def _block(rpc: CometRPC, height: int) -> dict:
    return rpc.call("block", height=str(height))


def _common_height(nodes) -> int:
    return min(node.height() for node in nodes)


def _agree_at(nodes, height: int) -> None:
    blocks = [_block(node.rpc, height) for node in nodes]
    assert len({block["block_id"]["hash"] for block in blocks}) == 1, f"block hashes differ at {height}"
    assert len({block["block"]["header"]["app_hash"] for block in blocks}) == 1, f"app hashes differ at {height}"


def test_four_validators_agree_on_blocks_state_and_app_hash(net):
    validators = net.nodes[:VALIDATORS]
    net.wait_height(5)
    _agree_at(validators, _common_height(validators))
    listed = net.rpc(0).call("validators")["validators"]
    assert {v["address"] for v in listed} == {validator_address(node) for node in validators}

    sender = dev_account(7)
    nonce = net.rpc(0).query_json(f"/account/{sender.address}")["nonce"]
    result = net.rpc(0).broadcast_tx_sync(sign_tx(sender, nonce, RECIPIENT, VALUE_WEI, chain_id=EVM_CHAIN_ID))
    assert result["code"] == 0, result

    def seen_on_node3():
        try:
            return int(net.rpc(3).query_json(f"/account/{RECIPIENT}")["balance"]) == VALUE_WEI
        except RpcError:
            return False

    wait_until(seen_on_node3, 30, "the transfer to show on node 3", interval_s=0.2)
    # The block after the transfer's carries the app hash of the state with it, on every node.
    net.wait_height(_common_height(validators) + 1)
    _agree_at(validators, _common_height(validators))


def test_added_node_syncs_and_is_not_a_validator(net):
    node = net.add_node()
    assert node.name == f"node{VALIDATORS}"
    target = max(other.height() for other in net.nodes[:VALIDATORS])
    node.wait_height(target, 30)
    _agree_at([net.node(0), node], _common_height([net.node(0), node]))
    listed = {v["address"] for v in node.rpc.call("validators")["validators"]}
    assert len(listed) == VALIDATORS and validator_address(node) not in listed


def test_a_stopped_validator_catches_up_after_restart(net):
    net.stop_node(3)
    stopped_at = max(node.height() for node in net.running_nodes())
    net.wait_height(stopped_at + 3, 30)  # three of four validators keep the chain going

    net.start_node(3)
    net.node(3).wait_height(net.node(0).height(), 60)
    _agree_at([net.node(0), net.node(3)], _common_height([net.node(0), net.node(3)]))
