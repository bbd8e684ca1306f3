"""eth_createAccessList as geth answers it: the accounts and slots a call touches, and the gas it
uses with them as its EIP-2930 access list, on which a real type-1 transaction with that list
runs, charged exactly that;
the precompiles and the accounts warm from the start are left out; a failing call says why."""

import json

from eth_account import Account
from eth_hash.auto import keccak
from eth_utils import to_checksum_address

from abci_app.abci import types
from abci_app.cli.wallet import dev_account
from abci_app.contracts import load_contract
from abci_app.rpc.gateway import methods

from ..chain import CHAIN_ID, CMT, GWEI, Chain, app_state, transfer

INCREMENT = "0x" + keccak(b"increment()")[:4].hex()


def _query(chain: Chain, body: dict) -> dict:
    response = chain.app.query(types.RequestQuery(path="/accesslist", data=json.dumps(body).encode()))
    assert response.code == 0, response.log
    return json.loads(response.value)


def test_the_list_names_the_touched_slots_and_a_type_1_tx_uses_exactly_the_gas_it_says(tmp_path):
    sender = dev_account(0)
    chain = Chain.start(str(tmp_path / "db"), app_state([sender]))
    deploy = transfer(sender, 0, "", 0, gas=2_000_000, data=load_contract("Counter").bytecode)
    chain.block([deploy])
    counter = json.loads(chain.query("/tx/0x" + keccak(deploy).hex()).value)["contract_address"]
    answer = _query(chain, {"from": sender.address, "to": counter, "data": INCREMENT})
    assert answer["access_list"] == [{"address": counter, "storage_keys": ["0x" + "00" * 32]}]
    assert answer["success"] is True
    plain = json.loads(chain.app.query(types.RequestQuery(path="/call", data=json.dumps(
        {"from": sender.address, "to": counter, "data": INCREMENT}).encode())).value)
    assert answer["gas_used"] == plain["gas_used"] + 2_400 + 1_900 - 2_000   # listed, and no cold slot read
    listed = Account.sign_transaction({
        "type": 1, "chainId": CHAIN_ID, "nonce": 1, "gasPrice": GWEI, "gas": answer["gas_used"],
        "to": to_checksum_address(counter), "value": 0, "data": INCREMENT,
        "accessList": [{"address": to_checksum_address(counter), "storageKeys": ["0x" + "00" * 32]}],
    }, sender.key).raw_transaction
    (result,) = chain.block([bytes(listed)])      # its gas limit exactly what the answer says it uses
    assert result.code == 0 and result.gas_used == answer["gas_used"]
    to_staking = _query(chain, {"from": sender.address, "to": "0x" + "00" * 18 + "cc01",
                                "data": "0x" + keccak(b"delegate(address)")[:4].hex() + "00" * 32,
                                "value": str(CMT)})
    assert to_staking["access_list"] == []          # a precompile, and its storage is no EVM slot
    chain.app.close()


class AnsweringChain:
    """The gateway's view of a node that answers /accesslist as given."""

    def __init__(self, answer: dict) -> None:
        self.answer, self.asked = answer, None

    class params:
        block_gas_limit = 30_000_000

    def access_list(self, request, height=0):
        self.asked = (request, height)
        return self.answer


def test_the_gateway_answers_the_spec_shape_and_says_why_a_call_failed():
    node = AnsweringChain({"access_list": [{"address": "0x" + "ab" * 20, "storage_keys": ["0x" + "01" * 32]}],
                           "success": False, "output": "0x", "gas_used": 30_000, "error": "execution reverted: no"})
    args = methods.METHODS["eth_createAccessList"].parse([{"to": "0x" + "ab" * 20}])
    answer = methods.create_access_list(node, *args)
    assert answer == {"accessList": [{"address": to_checksum_address("0x" + "ab" * 20),
                                      "storageKeys": ["0x" + "01" * 32]}],
                      "gasUsed": hex(30_000), "error": "execution reverted: no"}
    assert node.asked == ({"to": "0x" + "ab" * 20, "data": "0x", "value": "0", "gas": 30_000_000}, 0)
