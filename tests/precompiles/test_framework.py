"""The precompile framework on a toy precompile: dispatch, reverts, bugs escaping as faults,
static calls, gas per stored word, and the typed storage kinds."""

from dataclasses import dataclass

import pytest
from eth_abi import decode
from eth_account import Account
from eth_hash.auto import keccak
from eth_utils import to_checksum_address

from abci_app import errors
from abci_app.evm import BlockContext, BlockExecution, TxCache, TxLimits
from abci_app.evm.fork import PRECOMPILE_CODE, make_vm
from abci_app.precompiles import AddressSet, CallContext, Event, Precompile, Queue, Storage, function, slot_of
from abci_app.precompiles.abi import split_types
from abci_app.precompiles.storage import GAS_WORD_SET
from abci_app.store import Overlay, Store

from ..chain import transfer
from ..staking.harness import call_data

TOY = bytes.fromhex("00000000000000000000000000000000000000ee")
EMPTY_ROOT = bytes.fromhex("56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421")
ASK_GAS = 50_000
LOOP = bytes.fromhex("00000000000000000000000000000000000100ee")
NOTED = Event("Noted(address from,uint256 amount)", indexed=1)


@dataclass(frozen=True, slots=True)
class Note:
    author: bytes
    amount: int
    text: str
    flag: bool


class Toy:
    @function("note(string)", gas=1_000, payable=True)
    def note(self, ctx: CallContext, text: str) -> None:
        ctx.storage.save(slot_of("note", ctx.sender), Note(ctx.sender, ctx.value_wei, text, True))
        ctx.emit(NOTED, ctx.sender, ctx.value_wei)

    @function("read(address)", gas=500, view=True, returns=("string", "uint256"))
    def read(self, ctx: CallContext, author: str):
        note = ctx.storage.load(Note, slot_of("note", bytes.fromhex(author[2:])))
        return note.text, note.amount

    @function("ask(address,address)", gas=500, returns=("bool", "string", "uint256"))
    def ask(self, ctx: CallContext, target: str, author: str):
        """What `target` answers to read(author), asked as one module asks another."""
        answer = ctx.view_call(bytes.fromhex(target[2:]), "read(address)", (author,), ("string", "uint256"),
                               gas=ASK_GAS)
        return (answer is not None, *(answer or ("", 0)))

    @function("askToWrite(address)", gas=500, returns=("bool",))
    def ask_to_write(self, ctx: CallContext, target: str) -> bool:
        return ctx.view_call(bytes.fromhex(target[2:]), "note(string)", ("sneaky",), (), gas=ASK_GAS) is not None

    @function("refuse()", gas=500)
    def refuse(self, ctx: CallContext) -> None:
        raise errors.CallError("no, thank you")

    @function("crash()", gas=500)
    def crash(self, ctx: CallContext) -> None:
        raise ValueError("a bug")


@pytest.fixture
def block(tmp_path):
    store = Store(str(tmp_path / "db"))
    vm = make_vm({TOY: Precompile(TOY, Toy())})
    key = Account.from_key(b"\x11" * 32)
    ctx = BlockContext(height=1, timestamp_s=1_000, prev_randao=b"\0" * 32, gas_limit=10_000_000,
                       base_fee_wei=10**9, coinbase=b"\xcc" * 20)
    execution = BlockExecution(vm, Overlay(store), EMPTY_ROOT, ctx, 1818)
    execution.state.set_balance(bytes.fromhex(key.address[2:]), 10**24)
    execution.state.set_code(TOY, PRECOMPILE_CODE)
    execution.state.set_nonce(TOY, 1)
    cache = TxCache(TxLimits(1818, 131072, 10_000_000, 10**9))
    nonce = iter(range(100))

    def call(data: bytes, value: int = 0, gas: int = 1_000_000):
        return execution.apply(cache.decode(transfer(key, next(nonce), "0x" + TOY.hex(), value, gas=gas, data=data)))

    call.execution, call.key = execution, key
    yield call
    store.close()


def test_dispatch_storage_events_and_value(block):
    outcome = block(call_data("note(string)", "hello " * 20), value=5)
    assert outcome.success, outcome.error
    (log,) = outcome.logs
    assert log.address == TOY and log.topics[1] == int.from_bytes(bytes.fromhex(block.key.address[2:]), "big")
    assert block.execution.state.get_balance(TOY) == 5
    read = block(call_data("read(address)", block.key.address))
    assert decode(["string", "uint256"], read.output) == ("hello " * 20, 5)


def test_call_error_reverts_with_its_reason_and_keeps_gas(block):
    outcome = block(call_data("refuse()"), gas=100_000)
    assert not outcome.success and outcome.error == "execution reverted: no, thank you"
    assert outcome.gas_used < 100_000


def test_a_python_bug_is_a_fault_not_a_failed_call(block):
    """A bug (or a node-local fault) inside a precompile is no property of the transaction: it
    must not become a failed receipt on this node only, so it escapes the block's execution (the
    application then stops the node before Commit: tests/app/test_node_faults.py)."""
    with pytest.raises(errors.PrecompileFault, match="ValueError: a bug"):
        block(call_data("crash()"), gas=100_000)


def test_guards_unknown_selector_value_and_arguments(block):
    assert block(call_data("nothing()")).error.startswith("execution reverted: unknown function selector")
    assert block(call_data("refuse()"), value=1).error == "execution reverted: refuse does not accept CMT"
    truncated = call_data("note(string)", "x")[:4] + b"\x01"
    assert block(truncated).error == "execution reverted: malformed arguments for note(string)"


def test_a_view_call_reads_another_precompile_and_cannot_write(block):
    assert block(call_data("note(string)", "hello"), value=5).success
    asked = block(call_data("ask(address,address)", "0x" + TOY.hex(), block.key.address))
    assert decode(["bool", "string", "uint256"], asked.output) == (True, "hello", 5)
    refused = block(call_data("askToWrite(address)", "0x" + TOY.hex()))
    assert refused.success and decode(["bool"], refused.output) == (False,)
    unchanged = block(call_data("ask(address,address)", "0x" + TOY.hex(), block.key.address))
    assert decode(["bool", "string", "uint256"], unchanged.output) == (True, "hello", 5)


def test_a_hostile_or_empty_callee_costs_at_most_the_gas_forwarded(block):
    """A callee that loops forever burns only what the view call forwards; one with no code
    answers nothing that decodes: both are a failed answer, not a failed transaction. (The gas
    declared keeps the chain's floor of half of it below the bound.)"""
    block.execution.state.set_code(LOOP, bytes.fromhex("5b600056"))   # JUMPDEST PUSH1 0 JUMP
    for target in (LOOP, b"\x42" * 20):
        asked = block(call_data("ask(address,address)", "0x" + target.hex(), block.key.address), gas=140_000)
        assert asked.success and decode(["bool", "string", "uint256"], asked.output) == (False, "", 0)
        assert asked.gas_used < 21_000 + 1_000 + 2_600 + ASK_GAS + 500, asked.gas_used


def test_stored_words_cost_gas(block):
    cheap = block(call_data("refuse()"), gas=40_000).gas_used  # declared gas near the need: the floor is half
    outcome = block(call_data("note(string)", "x"), gas=150_000)
    assert outcome.gas_used - cheap > 3 * GAS_WORD_SET, (outcome.gas_used, cheap)  # author, amount, text, flag words
    rewrite = block(call_data("note(string)", "x"), gas=2 * cheap)  # its floor: what refuse() costs
    assert rewrite.success and rewrite.gas_used < outcome.gas_used  # rewriting equal words is free
    starved = block(call_data("note(string)", "y" * 64), gas=40_000)  # two new words: 40,000 gas
    assert not starved.success and "OutOfGas" in starved.error


def test_storage_kinds(tmp_path, block):
    storage = Storage(block.execution.state, TOY)
    members = AddressSet(storage, "members")
    addresses = [bytes([i]) * 20 for i in range(1, 5)]
    for address in addresses:
        members.add(address)
    members.add(addresses[0])
    members.remove(addresses[1])
    assert list(members) == [addresses[0], addresses[3], addresses[2]] and addresses[1] not in members
    queue = Queue(storage, Note, "queue")
    for i in range(3):
        queue.push(Note(b"\x01" * 20, i, f"n{i}", i % 2 == 0))
    assert queue.pop_front().amount == 0
    assert [(i, n.text) for i, n in queue.pending()] == [(1, "n1"), (2, "n2")]
    storage.set_blob(slot_of("blob"), b"long" * 20)
    storage.set_blob(slot_of("blob"), b"short")
    assert storage.blob(slot_of("blob")) == b"short"
    with pytest.raises(Exception):
        Storage(block.execution.state, TOY, writable=False).set_word(1, 1)


def test_split_types_keeps_tuples_whole():
    assert split_types("uint256,(address,bytes32)[],string") == ("uint256", "(address,bytes32)[]", "string")


def test_an_event_is_declared_with_names_and_keeps_the_canonical_topic():
    event = Event("Moved(uint256 id,address to,string note,address[] witnesses)", indexed=2)
    assert event.name == "Moved" and event.signature == "Moved(uint256,address,string,address[])"
    assert event.names == ("id", "to", "note", "witnesses") and event.types == ("uint256", "address", "string",
                                                                               "address[]")
    assert event.topic == int.from_bytes(keccak(b"Moved(uint256,address,string,address[])"), "big")
    witness = to_checksum_address("0x" + "01" * 20)
    topics, data = event.encode((7, b"\xab" * 20, "hi", (witness,)))         # as a precompile emits it
    assert event.decode(tuple(topics), data) == (7, "0x" + "ab" * 20, "hi", (witness.lower(),))
    with pytest.raises(ValueError):
        event.decode((event.topic, 7), data)                           # a topic missing
    for bad in ("Noted(address,uint256)", "Noted(address from,uint256 from)", "Noted(address from)"):
        with pytest.raises(ValueError):
            Event(bad, indexed=4 if bad.endswith("from)") else 1)
