"""What an outsider can make a node hold or do for free is bounded (issue 14): CheckTx keeps
only the decodings of txs it admitted, and ProcessProposal stops at the first tx past the block's
gas limit instead of decoding the whole proposal."""

from abci_app.abci import types
from abci_app.evm import tx as tx_module

from ..chain import transfer

RECIPIENT = "0x" + "ab" * 20
REJECT = types.ResponseProcessProposal.ProposalStatus.REJECT
ACCEPT = types.ResponseProcessProposal.ProposalStatus.ACCEPT


def test_check_tx_keeps_nothing_of_what_it_refuses(chain, keys, stranger):
    """A 100 KB tx from an unfunded key once held ~200 KB of the cache until evicted."""
    refused = [transfer(stranger, nonce, RECIPIENT, gas=5_000_000, data=b"\x01" * 100_000) for nonce in range(20)]
    for raw in refused:
        assert chain.check(raw).code != 0
    assert len(chain.app._txs) == 0 and chain.app._txs.held_bytes == 0
    admitted = transfer(keys[0], 0, RECIPIENT)
    assert chain.check(admitted).code == 0
    assert len(chain.app._txs) == 1 and chain.app._txs.held_bytes == len(admitted)


def test_process_proposal_stops_at_the_first_tx_past_the_gas_limit(chain, keys, monkeypatch):
    limit = chain.app.genesis.params.block_gas_limit
    proposal = [transfer(keys[0], 0, RECIPIENT, gas=limit), transfer(keys[1], 0, RECIPIENT)]
    proposal += [transfer(keys[2], nonce, RECIPIENT) for nonce in range(200)]
    decoded = 0
    original = tx_module.decode_tx

    def counting(raw, limits):
        nonlocal decoded
        decoded += 1
        return original(raw, limits)
    monkeypatch.setattr(tx_module, "decode_tx", counting)
    answer = chain.app.process_proposal(types.RequestProcessProposal(txs=proposal, height=1))
    assert answer.status == REJECT
    assert decoded == 2
    assert len(chain.app._txs) == 0  # a refused proposal leaves nothing behind


def test_an_accepted_proposal_is_decoded_once(chain, keys, monkeypatch):
    proposal = [transfer(keys[1], nonce, RECIPIENT) for nonce in range(5)]
    answer = chain.app.process_proposal(types.RequestProcessProposal(txs=proposal, height=1))
    assert answer.status == ACCEPT and len(chain.app._txs) == 5
    monkeypatch.setattr(tx_module, "decode_tx", None)  # FinalizeBlock must not decode again
    assert [r.code for r in chain.block(proposal)] == [0] * 5


def test_prepare_proposal_skips_what_does_not_fit_and_keeps_nonce_order(chain, keys):
    """A tx whose gas limit does not fit once ended the proposal: one 100M-gas transfer kept
    every other tx out of the block for ~0.00002 CMT."""
    limit = chain.app.genesis.params.block_gas_limit
    first = transfer(keys[0], 0, RECIPIENT, gas=limit - 30_000)
    too_big, its_next = transfer(keys[1], 0, RECIPIENT, gas=50_000), transfer(keys[1], 1, RECIPIENT)
    small = transfer(keys[2], 0, RECIPIENT)
    mempool = [first, too_big, small, its_next]
    for raw in mempool:
        assert chain.check(raw).code == 0
    chosen = chain.app.prepare_proposal(types.RequestPrepareProposal(txs=mempool, max_tx_bytes=1 << 20, height=1))
    assert list(chosen.txs) == [first, small]


def test_committed_blocks_states_are_not_kept_alive(chain, keys):
    """py-trie caches a pruning trie's node encodings in one class-wide LRU (4,096 entries) keyed
    by the trie: py-evm's pruning account trie went in once a block, and held the block's whole
    overlay (every node it wrote) alive for the next 4,096 blocks, gigabytes on a busy chain."""
    import gc

    from abci_app.store.overlay import Overlay

    def live_overlays() -> int:
        gc.collect()
        return sum(isinstance(o, Overlay) for o in gc.get_objects())

    for nonce in range(3):
        chain.block([transfer(keys[0], nonce, RECIPIENT)])
    after_three = live_overlays()
    for nonce in range(3, 9):
        chain.block([transfer(keys[0], nonce, RECIPIENT)])
    assert live_overlays() == after_three
