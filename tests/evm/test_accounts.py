"""The chain's account database (flat cache across blocks, batched trie commit) gives every block
the app hash py-evm's own account database gives."""

import rlp
from eth.rlp.accounts import Account
from hypothesis import given, settings, strategies as st

from abci_app.app import application
from abci_app.app.driver import InProcessChain
from abci_app.bench import workloads
from abci_app.cli.wallet import sign_tx
from abci_app.evm.accounts import FlatAccounts, decode_account

CHAIN_ID = workloads.DEFAULT_EVM_CHAIN_ID


def run(tmp_path, name: str, vm, workload, blocks) -> list[bytes]:
    original = application.VM
    application.VM = vm
    try:
        chain = InProcessChain.start(str(tmp_path / name), workload.genesis())
        try:
            for block in blocks:
                for raw in block:
                    chain.check(raw)
                chain.block(block)
            return chain.app_hashes
        finally:
            chain.app.close()
    finally:
        application.VM = original


def test_the_bench_mix_gives_py_evms_app_hashes(tmp_path):
    mix = workloads.mix(240, 12)
    blocks = [*mix.setup, *mix.blocks(60)]
    ours = run(tmp_path, "ours", application.VM, mix, blocks)
    assert ours == run(tmp_path, "bare", application.BARE_VM, mix, blocks)
    assert len(set(ours)) == len(blocks) + 1


# Transfers between a few funded accounts and fresh addresses; value 0 to a fresh address touches
# an empty account, which EIP-161 deletes (a deletion in the block's account diff).
transfer = st.tuples(st.integers(0, 3), st.integers(0, 5), st.sampled_from([0, 1, 10**18]))


@settings(max_examples=15, deadline=None)
@given(st.lists(st.lists(transfer, max_size=8), min_size=1, max_size=4))
def test_random_transfer_blocks_give_py_evms_app_hashes(tmp_path_factory, plan):
    tmp_path = tmp_path_factory.mktemp("accounts")
    workload = workloads.cmt(0, 4, tag="accounts")
    nonces = [0] * 4
    blocks = []
    for planned in plan:
        block = []
        for sender, to, value in planned:
            recipient = workload.keys[to].address if to < 4 else "0x" + bytes([to]).hex() * 20
            block.append(sign_tx(workload.keys[sender], nonces[sender], recipient, value, chain_id=CHAIN_ID))
            nonces[sender] += 1
        blocks.append(block)
    assert run(tmp_path, "ours", application.VM, workload, blocks) == run(
        tmp_path, "bare", application.BARE_VM, workload, blocks)


def test_the_cache_follows_only_commitments_that_lead_to_the_committed_root():
    flat = FlatAccounts()
    flat.advance(b"A")
    assert flat.read(b"x", lambda: b"old") == b"old"
    flat.stage(b"A", b"B", {b"x": b"new"})
    flat.stage(b"A", b"B2", {b"x": b"lost"})  # a FinalizeBlock never committed
    flat.advance(b"B")
    assert flat.read(b"x", lambda: b"trie") == b"new"
    flat.advance(b"Z")  # no staged path (a restored snapshot): start empty
    assert flat.read(b"x", lambda: b"trie") == b"trie"


@given(st.integers(0, 2**64 - 1), st.integers(0, 2**256 - 1), st.binary(min_size=32, max_size=32),
       st.binary(min_size=32, max_size=32))
def test_accounts_decode_as_rlp_decodes_them(nonce, balance, storage_root, code_hash):
    account = Account(nonce, balance, storage_root, code_hash)
    assert decode_account(rlp.encode(account)) == account
    assert decode_account(b"") == Account()
