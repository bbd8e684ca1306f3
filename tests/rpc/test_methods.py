"""Method logic that needs no node: the pending nonce rule and the latest-only state rule.

`StubChain` stands in for `CometChain` with fixed answers; the e2e tests run the same methods
against a real node.
"""

import pytest

from abci_app.rpc.gateway import methods
from abci_app.rpc.gateway.chain import EMPTY_CODE_HASH
from abci_app.rpc.gateway.errors import SERVER_ERROR, JsonRpcError

ALICE = "0x" + "aa" * 20
BOB = bytes.fromhex("bb" * 20)


class StubChain:
    def __init__(self, nonce: int, mempool: list[tuple[bytes, int]], height: int = 10, code_hash=EMPTY_CODE_HASH):
        self.nonce, self.mempool, self._height, self.code_hash = nonce, mempool, height, code_hash

    def account(self, address):
        return {"balance": "5", "nonce": self.nonce, "code_hash": self.code_hash}

    def mempool_senders(self):
        return self.mempool

    def height(self):
        return self._height


ALICE_RAW = bytes.fromhex("aa" * 20)


@pytest.mark.parametrize(("mempool", "pending"), [
    ([], 4),
    ([(ALICE_RAW, 4), (ALICE_RAW, 5)], 6),
    ([(ALICE_RAW, 5), (ALICE_RAW, 4)], 6),  # mempool order does not matter
    ([(ALICE_RAW, 4), (ALICE_RAW, 6)], 5),  # a gap stops the count
    ([(ALICE_RAW, 3), (ALICE_RAW, 4)], 5),  # already committed: ignored
    ([(BOB, 4), (BOB, 5)], 4),  # other senders do not count
])
def test_pending_nonce(mempool, pending):
    chain = StubChain(4, mempool)
    assert methods.get_transaction_count(chain, ALICE, "pending") == hex(pending)
    assert methods.get_transaction_count(chain, ALICE, "latest") == "0x4"


def test_state_only_at_the_latest_block():
    chain = StubChain(4, [], height=10)
    assert methods.get_balance(chain, ALICE, 10) == "0x5"
    for tag in (9, "earliest"):
        with pytest.raises(JsonRpcError) as info:
            methods.get_balance(chain, ALICE, tag)
        assert info.value.code == SERVER_ERROR


def test_code_of_an_account_without_code_and_of_a_contract():
    assert methods.get_code(StubChain(0, []), ALICE, "latest") == "0x"
    with pytest.raises(JsonRpcError):  # not readable yet: an error, never a wrong "0x"
        methods.get_code(StubChain(0, [], code_hash="0x" + "11" * 32), ALICE, "latest")


def test_defaults_fill_omitted_params():
    method = methods.METHODS["eth_getBalance"]
    assert method.parse([ALICE]) == [ALICE, "latest"]
    assert method.parse([ALICE, "0x2"]) == [ALICE, 2]
    assert methods.METHODS["eth_getBlockByNumber"].parse(["latest"]) == ["latest", False]
