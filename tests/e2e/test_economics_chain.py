"""Economics on a real single-validator chain: commission and delegator rewards accrue and can be
withdrawn, and the supply grows at 8% a year as measured from the blocks' own times."""

import base64
import calendar
import json
import subprocess
import sys
import time

import pytest
from eth_hash.auto import keccak

from abci_app.cli.localnode import LocalNode, wait_until
from abci_app.cli.node import DEFAULT_EVM_CHAIN_ID
from abci_app.cli.wallet import dev_account, sign_tx
from abci_app.economics import YEAR_SECONDS
from abci_app.rpc import CometRPC

from ..solvency import assert_solvent
from ..staking.harness import STAKING, call_data

pytestmark = pytest.mark.e2e

CMT = 10**18


def _call(rpc: CometRPC, key, signature: str, *args, value: int = 0) -> dict:
    nonce = rpc.query_json(f"/account/{key.address}")["nonce"]
    raw = sign_tx(key, nonce, STAKING, value, chain_id=DEFAULT_EVM_CHAIN_ID, gas=1_000_000,
                  data=call_data(signature, *args))
    assert rpc.broadcast_tx_sync(raw)["code"] == 0

    def receipt():
        code, found, _ = rpc.abci_query("/tx/0x" + keccak(raw).hex())
        return json.loads(found) if code == 0 else None

    found = wait_until(receipt, 60, signature, interval_s=0.2)
    assert found["status"] == 1, found["error"]
    return found


def _supply_at(rpc: CometRPC) -> tuple[dict, int]:
    """/supply and the block time (s) of the height it was read at."""
    response = rpc.call("abci_query", path="/supply")["response"]
    supply = json.loads(base64.b64decode(response["value"]))
    header = rpc.call("block", height=response["height"])["block"]["header"]
    return supply, calendar.timegm(time.strptime(header["time"][:19], "%Y-%m-%dT%H:%M:%S"))


def _logged(receipt: dict, event: bytes) -> int:
    topic = "0x" + keccak(event).hex()
    return sum(int(log["data"][2:66], 16) for log in receipt["logs"] if log["topics"][0] == topic)


@pytest.fixture
def node(tmp_path):
    node = LocalNode.create(tmp_path / "node")
    try:
        yield node.start()
        assert_solvent(node.rpc)
    finally:
        node.stop()


def test_rewards_accrue_and_the_supply_grows_at_eight_percent(node):
    rpc = node.rpc
    validator, delegator = dev_account(0), dev_account(1)
    first, t1 = _supply_at(rpc)
    _call(rpc, delegator, "delegate(address)", validator.address, value=100_000 * CMT)
    node.wait_height(node.height() + 5)

    rewards = rpc.query_json(f"/rewards/{delegator.address}")
    commission = int(rpc.query_json(f"/rewards/{validator.address}")["commission"])
    assert int(rewards["total"]) > 0 and commission > 0
    receipt = _call(rpc, delegator, "withdrawRewards(address)", validator.address)
    assert _logged(receipt, b"RewardsWithdrawn(address,address,uint256)") >= int(rewards["total"])
    receipt = _call(rpc, validator, "withdrawCommission()")
    assert _logged(receipt, b"CommissionWithdrawn(address,uint256)") >= commission

    second, t2 = _supply_at(rpc)
    annual = int(first["annual_provision"])
    assert annual == int(first["genesis"]) * 800 // 10_000
    assert second["year_elapsed_s"] - first["year_elapsed_s"] == t2 - t1 > 0  # blocks < 60 s apart
    minted = int(second["minted"]) - int(first["minted"])
    assert minted == annual * second["year_elapsed_s"] // YEAR_SECONDS - annual * first["year_elapsed_s"] // YEAR_SECONDS
    assert int(second["total"]) == int(second["genesis"]) + int(second["minted"]) - int(second["burned"])


def test_the_cli_reads_supply_and_rewards_and_withdraws(node):
    def miles(*args):
        return subprocess.run([sys.executable, "-m", "abci_app.cli.main", "--node", node.config.rpc_url, *args],
                              capture_output=True, text=True, timeout=60)

    node.wait_height(node.height() + 2)
    supply = miles("query", "supply")
    assert supply.returncode == 0 and int(json.loads(supply.stdout)["minted"]) > 0
    validator = dev_account(0).address
    rewards = miles("query", "rewards", validator)
    assert rewards.returncode == 0 and int(json.loads(rewards.stdout)["commission"]) > 0
    withdrawn = miles("stake", "withdraw-rewards", "--dev-account", "0")
    assert withdrawn.returncode == 0, withdrawn.stderr
    assert miles("stake", "withdraw-commission", "--dev-account", "0").returncode == 0
    nothing = miles("stake", "withdraw-rewards", "--dev-account", "7")
    assert nothing.returncode == 1 and "no delegations" in nothing.stderr
