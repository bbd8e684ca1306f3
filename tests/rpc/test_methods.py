"""Method logic that needs no node: the pending nonce rule, state heights, gas estimation.

`StubChain` stands in for `CometChain` with fixed answers; the e2e tests run the same methods
against a real node.
"""

import pytest

from abci_app.evm.simulate import CallResult, estimate_gas
from abci_app.rpc.gateway import methods
from abci_app.rpc.gateway.chain import ChainParams, StoredBlock
from abci_app.rpc.gateway.errors import SERVER_ERROR, JsonRpcError

ALICE = "0x" + "aa" * 20
BOB = bytes.fromhex("bb" * 20)


class StubChain:
    def __init__(self, nonce: int, mempool: list[tuple[bytes, int]], height: int = 10):
        self.nonce, self.mempool, self._height, self.heights = nonce, mempool, height, []

    def account(self, address, height=0):
        self.heights.append(height)
        return {"balance": "5", "nonce": self.nonce, "code_hash": "0x"}

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


def test_state_is_read_at_the_asked_height():
    chain = StubChain(4, [], height=10)
    for tag in ("latest", 9, "earliest"):
        assert methods.get_balance(chain, ALICE, tag) == "0x5"
    assert chain.heights == [0, 9, 1]  # 0: the app's last committed block


class CodeChain(StubChain):
    def code(self, address, height=0):
        return b"" if address == ALICE else b"\x60\x00"

    def storage(self, address, slot, height=0):
        self.heights.append(height)
        return slot.to_bytes(32, "big")


def test_code_and_storage():
    chain = CodeChain(0, [])
    assert methods.get_code(chain, ALICE, "latest") == "0x"
    assert methods.get_code(chain, "0x" + "cc" * 20, "latest") == "0x6000"
    assert methods.get_storage_at(chain, ALICE, 7, "latest") == "0x" + "00" * 31 + "07"
    assert methods.METHODS["eth_getStorageAt"].parse([ALICE, "0x0"]) == [ALICE, 0, "latest"]
    methods.get_storage_at(chain, ALICE, 7, 3)
    assert chain.heights == [0, 3]


class CallChain(StubChain):
    """/call succeeds iff gas >= `needs`; it reports `used` (< needs models a refund). /estimate
    is the app's search (evm/simulate.py) over that /call, in one query."""

    GAS_LIMIT = 30_000_000

    def __init__(self, needs: int, used: int, revert: str = ""):
        super().__init__(0, [])
        self.needs, self.used, self.revert, self.calls = needs, used, revert, []

    @property
    def params(self):
        return ChainParams(chain_id=1818, min_gas_price_wei=10**9, block_gas_limit=self.GAS_LIMIT)

    def next_base_fee(self):
        return 10**9

    def call(self, request, height=0):
        self.calls.append(request)
        if self.revert:
            return {"success": False, "output": "0x08c379a0", "gas_used": 30_000, "error": self.revert}
        ok = request["gas"] >= self.needs
        return {"success": ok, "output": "0x2a" if ok else "0x", "gas_used": self.used if ok else request["gas"],
                "error": "" if ok else "OutOfGas: out of gas"}

    def estimate(self, request, height=0):
        def run(gas: int) -> CallResult:
            answer = self.call({**request, "gas": gas}, height)
            return CallResult(answer["success"], bytes.fromhex(answer["output"][2:]), answer["gas_used"],
                              answer["error"])
        gas, at_high = estimate_gas(run, request["gas"])
        return {"gas": gas, "success": at_high.success, "output": "0x" + at_high.output.hex(),
                "gas_used": at_high.gas_used, "error": at_high.error}


@pytest.mark.parametrize(("needs", "used"), [
    (21_000, 21_000),    # a transfer: two calls
    (47_113, 47_113),
    (60_000, 41_000),    # a refund: gas used is below what the call needs
    (29_999_999, 100),
])
def test_estimate_is_the_smallest_gas_that_succeeds(needs, used):
    chain = CallChain(needs, used)
    assert methods.estimate_gas(chain, {"to": ALICE, "data": "0x"}, "latest") == hex(needs)
    assert all(c["gas"] <= CallChain.GAS_LIMIT for c in chain.calls)
    assert len(chain.calls) <= 2 + 25


def test_estimate_of_a_failing_call_and_a_gas_cap():
    with pytest.raises(JsonRpcError) as info:
        methods.estimate_gas(CallChain(10**9, 0), {"to": ALICE}, "latest")
    assert info.value.code == SERVER_ERROR and "out of gas" in info.value.message
    with pytest.raises(JsonRpcError) as info:  # the call's own gas is the upper end
        methods.estimate_gas(CallChain(50_000, 50_000), {"to": ALICE, "gas": 40_000}, "latest")
    chain = CallChain(50_000, 50_000)
    assert methods.estimate_gas(chain, {"to": ALICE, "gas": 10**12}, "latest") == hex(50_000)
    assert chain.calls[0]["gas"] == CallChain.GAS_LIMIT


def test_call_output_and_revert():
    assert methods.eth_call(CallChain(0, 0), {"to": ALICE}, "latest") == "0x2a"
    for handler in (methods.eth_call, methods.estimate_gas):
        with pytest.raises(JsonRpcError) as info:
            handler(CallChain(0, 0, revert="execution reverted: nope"), {"to": ALICE}, "latest")
        assert info.value.to_json() == {"code": 3, "message": "execution reverted: nope", "data": "0x08c379a0"}


def test_fee_history():
    """Each block's own base fee (the fee market moves it), the next block's last, and the tips
    paid at the asked percentiles of each block's gas."""
    class Blocks(CallChain):
        def block(self, height):
            base = 10**9 + height
            receipts = [{"effective_gas_price": str(base + tip), "gas_used": gas}
                        for tip, gas in ((5, 30_000), (1, 10_000), (9, 60_000))] if height == 10 else []
            return StoredBlock({"height": height, "gas_used": height * 1_000_000, "base_fee_wei": base,
                                "receipts": receipts}, "0x", ())

        def next_base_fee(self):
            return 10**9 + 11

    chain = Blocks(0, 0)  # height 10
    answer = methods.fee_history(chain, 3, "latest", [25.0, 75.0])
    assert answer == {"oldestBlock": "0x8", "baseFeePerGas": [hex(10**9 + h) for h in (8, 9, 10, 11)],
                      "gasUsedRatio": [8 / 30, 9 / 30, 10 / 30],
                      "reward": [["0x0", "0x0"], ["0x0", "0x0"], ["0x5", "0x9"]]}  # 25% of 100k gas: tip 5
    assert methods.fee_history(chain, 2, 8, None)["baseFeePerGas"] == [hex(10**9 + h) for h in (7, 8, 9)]
    assert methods.fee_history(chain, 50, 2, None)["oldestBlock"] == "0x1"
    assert "reward" not in methods.fee_history(chain, 1, "latest", None)
    assert methods.METHODS["eth_feeHistory"].parse([4, "latest"]) == [4, "latest", None]
    assert methods.METHODS["eth_feeHistory"].parse(["0x4", "0x2", []]) == [4, 2, []]


class Fees(CallChain):
    """A node whose `/fees` answers a 1 gwei next base fee and a suggested tip of `tip`."""

    def __init__(self, tip: int):
        super().__init__(0, 0)
        self.tip, self.asked = tip, 0

    def fees(self):
        self.asked += 1
        return 10**9, self.tip


def test_gas_price_leaves_room_for_a_full_blocks_rise_and_pays_the_recent_tip():
    """A legacy tx priced at eth_gasPrice still pays the next block's base fee after one full
    block (found by review), and tips what recent blocks tipped, in one query (issue 19: without
    the tip such a tx waits behind every tipped one in a busy block; with the tip read from 20
    blocks, a wallet's price waited behind an eth_call flood once per block read)."""
    chain = Fees(7)
    assert methods.gas_price(chain) == hex(10**9 + 10**9 // 8 + 7) and chain.asked == 1
    assert methods.max_priority_fee(chain) == hex(7) and chain.asked == 2
    assert methods.gas_price(Fees(0)) == hex(10**9 + 10**9 // 8)


def test_fee_history_takes_at_most_100_percentiles():
    from abci_app.rpc.gateway.errors import JsonRpcError

    assert methods.METHODS["eth_feeHistory"].parse([4, "latest", [50.0] * 100])[2] == [50.0] * 100
    with pytest.raises(JsonRpcError, match="at most 100 percentiles"):
        methods.METHODS["eth_feeHistory"].parse([4, "latest", [50.0] * 101])


def test_defaults_fill_omitted_params():
    method = methods.METHODS["eth_getBalance"]
    assert method.parse([ALICE]) == [ALICE, "latest"]
    assert method.parse([ALICE, "0x2"]) == [ALICE, 2]
    assert methods.METHODS["eth_getBlockByNumber"].parse(["latest"]) == ["latest", False]


def test_transaction_by_hash_from_the_mempool_or_null():
    from eth_account import Account

    from abci_app.evm.tx import DecodedTx, TX_BUILDER

    sender = Account.from_key("0x" + "02" * 32)
    signed = sender.sign_transaction({"type": 2, "chainId": 1818, "nonce": 0, "to": "0x" + "11" * 20, "value": 1, "gas": 21_000,
                                      "maxFeePerGas": 10**9, "maxPriorityFeePerGas": 0})
    pending = DecodedTx(hash=bytes(signed.hash), raw=bytes(signed.raw_transaction),
                        tx=TX_BUILDER.decode(bytes(signed.raw_transaction)), sender=bytes.fromhex(sender.address[2:]))

    class Pending(CallChain):
        def receipt(self, tx_hash):
            return None

        def mempool_txs(self):
            return [pending]

    chain = Pending(0, 0)
    answer = methods.get_transaction_by_hash(chain, bytes(signed.hash))
    assert answer["blockHash"] is None and answer["blockNumber"] is None and answer["from"] == sender.address
    assert methods.get_transaction_by_hash(chain, b"\1" * 32) is None


def test_sha3_and_syncing():
    assert methods.sha3(None, b"") == "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"

    class Syncing:
        def __init__(self, catching_up):
            self.catching_up = catching_up

        def status(self):
            return {"sync_info": {"catching_up": self.catching_up, "latest_block_height": "40",
                                  "earliest_block_height": "1"}}

    assert methods.syncing(Syncing(False)) is False
    assert methods.syncing(Syncing(True)) == {"startingBlock": "0x1", "currentBlock": "0x28", "highestBlock": "0x28"}


class HashedChain(StubChain):
    """StubChain whose block 7 has hash 0xab..ab."""

    def height_of(self, block_hash):
        return 7 if block_hash == bytes.fromhex("ab" * 32) else None


def test_state_reads_at_a_block_hash_read_that_blocks_state():
    chain = HashedChain(nonce=4, mempool=[])
    for ref in ("0x" + "ab" * 32, {"blockHash": "0x" + "ab" * 32, "requireCanonical": True}):
        balance_args = methods.METHODS["eth_getBalance"].parse([ALICE, ref])
        assert methods.get_balance(chain, *balance_args) == "0x5"
        nonce_args = methods.METHODS["eth_getTransactionCount"].parse([ALICE, ref])
        assert methods.get_transaction_count(chain, *nonce_args) == "0x4"
    assert chain.heights == [7, 7, 7, 7]
    with pytest.raises(JsonRpcError) as unknown:
        methods.get_balance(chain, *methods.METHODS["eth_getBalance"].parse([ALICE, "0x" + "cd" * 32]))
    assert unknown.value.code == SERVER_ERROR and unknown.value.message == "header for hash not found"

