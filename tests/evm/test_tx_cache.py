"""The decoded-transaction cache is bounded in bytes as well as in count (issue 13), and keeps
only what the node took (issue 14): CheckTx decodes a transaction before it refuses an unfunded
sender, so anyone can have large transactions decoded for free."""

from eth_account import Account

from abci_app.evm import TxCache, TxLimits

from ..chain import CHAIN_ID, transfer

LIMITS = TxLimits(chain_id=CHAIN_ID, max_tx_bytes=128 * 1024, block_gas_limit=100_000_000, min_gas_price_wei=10**9)


def test_large_transactions_cannot_fill_the_cache():
    cache = TxCache(LIMITS, capacity=1_000, max_bytes=1 << 20)
    stranger = Account.from_key(b"\x42" * 32)  # no funds anywhere: decoded, then refused by CheckTx
    raws = [transfer(stranger, nonce, "0x" + "ab" * 20, gas=5_000_000, data=b"\x01" * 100_000) for nonce in range(30)]
    for raw in raws:
        cache.keep(cache.decode(raw))
    assert cache.held_bytes <= 1 << 20 < sum(map(len, raws))
    assert len(cache) == 10  # ~100 KB each
    assert cache.decode(raws[0]).raw == raws[0]  # evicted long ago: decoded again, the same


def test_a_decoding_is_kept_only_when_asked():
    cache = TxCache(LIMITS)
    stranger = Account.from_key(b"\x42" * 32)
    raw = transfer(stranger, 0, "0x" + "ab" * 20, data=b"\x01" * 1_000, gas=100_000)
    decoded = cache.decode(raw)
    assert len(cache) == 0 and cache.held_bytes == 0
    cache.keep(decoded)
    cache.keep(decoded)
    assert len(cache) == 1 and cache.held_bytes == len(raw)
    assert cache.decode(raw) is decoded
