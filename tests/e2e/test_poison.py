"""A real node (cometbft + our app over the socket) meets every class of poison transaction of
issue 13 through CometBFT's RPC and keeps making blocks after each: refused ones get their code
in CheckTx, executed ones fail or succeed without gaining anything, and an honest transfer
commits after every one."""

import pytest
from eth_hash.auto import keccak

from abci_app import staking
from abci_app.cli.localnode import LocalNode, wait_until
from abci_app.cli.node import DEFAULT_EVM_CHAIN_ID
from abci_app.cli.wallet import GWEI, dev_account, sign_tx
from abci_app.contracts import load_contract

from ..app.test_bad_txs import nested_rlp
from ..solvency import assert_solvent
from ..staking.harness import call_data

pytestmark = pytest.mark.e2e

ATTACKER = dev_account(5)
HONEST = dev_account(6)
RECIPIENT = "0x" + "e7" * 20
STAKING = "0x" + staking.ADDRESS.hex()
CMT = 10**18
# A contract that CALLs itself with all its gas, down to the EVM's 1,024-frame limit.
RECURSE = bytes.fromhex("5f5f5f5f5f305af100")
DEPLOY_RECURSE = bytes.fromhex("68") + RECURSE + bytes.fromhex("5f5260096017f3")


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    node = LocalNode.create(tmp_path_factory.mktemp("poison") / "node")
    try:
        yield node.start()
        assert_solvent(node.rpc)
    finally:
        node.stop()


class Sender:
    def __init__(self, node: LocalNode, key) -> None:
        self.node, self.key, self.nonce = node, key, 0

    def sign(self, to: str, value: int = 0, **options) -> bytes:
        return sign_tx(self.key, self.nonce, to, value, chain_id=DEFAULT_EVM_CHAIN_ID, **options)

    def commit(self, raw: bytes) -> dict:
        """Broadcast, wait for the block, return the receipt (the nonce moves on)."""
        answer = self.node.rpc.broadcast_tx_sync(raw)
        assert answer["code"] == 0, answer
        self.nonce += 1
        path = "/tx/0x" + keccak(raw).hex()
        return wait_until(lambda: self.node.rpc.abci_query(path)[0] == 0 and self.node.rpc.query_json(path), 30,
                          f"tx {path}")


def _keeps_making_blocks(node: LocalNode, honest: Sender) -> None:
    height = node.height()
    assert honest.commit(honest.sign(RECIPIENT, 1))["status"] == 1
    node.wait_height(height + 2)


REFUSED = {
    "initcode over the limit": (lambda s: s.sign("", gas=3_000_000, data=b"\x60" * 49_153), 16),
    "gas below the calldata floor": (lambda s: s.sign(RECIPIENT, gas=37_000, data=b"\x01" * 1000), 13),
    "nested RLP": (lambda s: nested_rlp(30_000), 2),
    "nested typed RLP": (lambda s: b"\x02" + nested_rlp(30_000), 2),
    "blob transaction": (lambda s: b"\x03" + nested_rlp(3), 2),
    "unknown type": (lambda s: b"\x7f\xc0", 2),
    "oversized": (lambda s: s.sign(RECIPIENT, gas=5_000_000, data=b"\x01" * (129 * 1024)), 12),
}


def test_refused_poison_gets_its_code_and_the_chain_goes_on(node):
    attacker, honest = Sender(node, ATTACKER), Sender(node, HONEST)
    for name, (make, code) in REFUSED.items():
        answer = node.rpc.broadcast_tx_sync(make(attacker))
        assert answer["code"] == code, (name, answer)
        _keeps_making_blocks(node, honest)


def test_a_query_of_nested_json_is_a_bad_request(node):
    """Anyone may send abci_query data; nested 150,000 deep it once crashed the app (py-evm's
    recursion limit let the JSON parser run past the stack)."""
    honest = Sender(node, HONEST)
    honest.nonce = node.rpc.query_json(f"/account/{HONEST.address}")["nonce"]
    for path in ("/call", "/logs"):
        code, _, log = node.rpc.abci_query(path, b"[" * 150_000 + b"]" * 150_000)
        assert code == 41, log
        _keeps_making_blocks(node, honest)


def test_executed_poison_gains_nothing_and_the_chain_goes_on(node):
    attacker, honest = Sender(node, ATTACKER), Sender(node, HONEST)
    attacker.nonce = node.rpc.query_json(f"/account/{ATTACKER.address}")["nonce"]
    honest.nonce = node.rpc.query_json(f"/account/{HONEST.address}")["nonce"]

    recurse = attacker.commit(attacker.sign("", gas=200_000, data=DEPLOY_RECURSE))["contract_address"]
    deep = attacker.commit(attacker.sign(recurse, gas=30_000_000))
    assert deep["status"] == 1
    _keeps_making_blocks(node, honest)

    garbage = attacker.commit(attacker.sign(STAKING, gas=200_000, data=b"\xde\xad\xbe\xef" + b"\xff" * 70))
    assert garbage["status"] == 0
    _keeps_making_blocks(node, honest)

    hostile = attacker.commit(attacker.sign("", gas=2_000_000, data=load_contract("CallKinds").bytecode))
    hostile = hostile["contract_address"]
    validator = node.rpc.query_json("/validators")["validators"][0]["operator"]
    staked_before = node.rpc.query_json(f"/candidate/{validator}")["tokens"]
    delegate = call_data("delegate(address)", validator)
    data = call_data("viaDelegateCall(address,bytes,uint256)", STAKING, delegate, 3)
    receipt = attacker.commit(attacker.sign(hostile, 2_000 * CMT, gas=3_000_000, data=data))
    assert receipt["status"] == 1
    assert node.rpc.query_json(f"/delegations/{hostile}")["delegations"] == []
    assert node.rpc.query_json(f"/delegations/{ATTACKER.address}")["delegations"] == []
    assert int(node.rpc.query_json(f"/account/{hostile}")["balance"]) == 2_000 * CMT
    assert node.rpc.query_json(f"/candidate/{validator}")["tokens"] == staked_before
    _keeps_making_blocks(node, honest)
