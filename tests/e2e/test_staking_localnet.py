"""Delegated proof of stake on a real 4-validator localnet (max_validators 4):

1. a fifth node joins; its key is declared through the precompile; a delegation lifts it into the
   top four, and CometBFT's /validators follows within 2 blocks; the new validator signs blocks;
2. stopping one validator gets it jailed for downtime and removed while the others go on;
3. restarted, topped up and activate()d, it returns.
"""

import base64
import calendar
import json
import time

import pytest
from eth_hash.auto import keccak

from abci_app.cli.devgenesis import validator_pubkey
from abci_app.cli.localnet import EVM_CHAIN_ID, Localnet, validator_address
from abci_app.cli.localnode import wait_until
from abci_app.cli.wallet import dev_account, sign_tx
from abci_app.rpc import CometRPC

from ..solvency import assert_solvent
from ..staking.harness import STAKING, call_data

pytestmark = pytest.mark.e2e

CMT = 10**18
DECLARE = "declareCandidacy(bytes32,uint16,string,string,string)"


def _send(rpc: CometRPC, key, signature: str, *args, value: int = 0) -> dict:
    """A staking call through CometBFT; returns its committed receipt."""
    nonce = rpc.query_json(f"/account/{key.address}")["nonce"]
    raw = sign_tx(key, nonce, STAKING, value, chain_id=EVM_CHAIN_ID, gas=2_000_000,
                  data=call_data(signature, *args))
    result = rpc.broadcast_tx_sync(raw)
    assert result["code"] == 0, result

    def receipt():
        code, value, _ = rpc.abci_query("/tx/0x" + keccak(raw).hex())
        return json.loads(value) if code == 0 else None

    found = wait_until(receipt, 60, f"{signature} to be committed", interval_s=0.2)
    assert found["status"] == 1, found["error"]
    return found


def _cometbft_validators(rpc: CometRPC) -> set[str]:
    return {v["address"] for v in rpc.call("validators", per_page="100")["validators"]}


def _signed(rpc: CometRPC, address: str, height: int) -> bool:
    signatures = rpc.call("block", height=str(height))["block"]["last_commit"]["signatures"]
    return any(s["validator_address"] == address and s["block_id_flag"] == 2 for s in signatures)


@pytest.fixture
def localnet(tmp_path):
    net = Localnet(tmp_path / "localnet", validators=4)
    for node in net.nodes:  # room for exactly the four genesis validators
        path = node.home.cometbft / "config" / "genesis.json"
        genesis = json.loads(path.read_text())
        genesis["app_state"]["staking"]["params"]["max_validators"] = 4
        path.write_text(json.dumps(genesis, indent=2))
    try:
        yield net.start()
        assert_solvent(net.rpc(0))
    finally:
        net.stop()


def test_validator_set_follows_stake_downtime_and_activation(localnet):
    rpc = localnet.rpc(0)
    genesis_set = _cometbft_validators(rpc)
    assert len(genesis_set) == 4

    # 1. a fifth node with its own key becomes a candidate, then a validator through delegation
    fifth = localnet.add_node()
    fifth_address = validator_address(fifth)
    operator, backer = dev_account(4), dev_account(5)
    pubkey = base64.b64decode(validator_pubkey(fifth.home.cometbft))
    _send(rpc, operator, DECLARE, pubkey, 500, "fifth", "", "", value=2_000_000 * CMT)
    assert fifth_address not in _cometbft_validators(rpc)  # 2M CMT: below the four with 10M
    receipt = _send(rpc, backer, "delegate(address)", operator.address, value=9_000_000 * CMT)
    included = receipt["height"]
    localnet.wait_height(included + 2)
    now_set = _cometbft_validators(rpc)
    assert fifth_address in now_set and len(now_set) == 4
    dropped = (genesis_set - now_set).pop()
    assert dropped == validator_address(localnet.node(0))  # ties at 10M: the highest address leaves
    head = localnet.wait_height(included + 4)
    assert _signed(rpc, fifth_address, head)

    # 2. a validator stops: jailed for downtime and removed; the others keep making blocks
    victim, victim_operator = localnet.node(1), dev_account(1)
    victim_address = validator_address(victim)
    localnet.stop_node(1)
    wait_until(lambda: victim_address not in _cometbft_validators(rpc), 90, "the stopped validator to be removed",
               interval_s=0.5)
    candidate = rpc.query_json(f"/candidate/{victim_operator.address}")
    assert candidate["jailed"] and candidate["power"] == 0
    height = localnet.wait_height(rpc.height() + 3)
    assert height > 0  # three validators (node 0 back among them) still produce blocks

    # 3. restarted, it catches up; after the jail it tops up its stake and activates
    localnet.start_node(1)
    victim.wait_height(rpc.height(), 60)
    jailed_until = rpc.query_json(f"/candidate/{victim_operator.address}")["jailed_until"]
    wait_until(lambda: _block_time(rpc) >= jailed_until, 60, "the jail to end", interval_s=0.5)
    _send(rpc, victim_operator, "delegate(address)", victim_operator.address, value=1_000_000 * CMT)
    receipt = _send(rpc, victim_operator, "activate()")
    localnet.wait_height(receipt["height"] + 2)
    assert victim_address in _cometbft_validators(rpc)
    assert not rpc.query_json(f"/candidate/{victim_operator.address}")["jailed"]


def _block_time(rpc: CometRPC) -> int:
    header_time = rpc.status()["sync_info"]["latest_block_time"]
    return calendar.timegm(time.strptime(header_time[:19], "%Y-%m-%dT%H:%M:%S"))
