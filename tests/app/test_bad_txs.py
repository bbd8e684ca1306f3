"""Every kind of bad transaction gets its own code and a readable log, in CheckTx and in a block,
and changes nothing."""

import pytest
import rlp
from eth.constants import SECPK1_N
from eth_account import Account
from eth_utils import to_checksum_address

from abci_app.app import codes

from ..chain import CHAIN_ID, GWEI, Chain, app_state, transfer

RECIPIENT = to_checksum_address("0x" + "ab" * 20)


def _legacy_fields(raw: bytes) -> list:
    return rlp.decode(raw)


def _with_signature(raw: bytes, r: int, s: int, v: int | None = None) -> bytes:
    fields = _legacy_fields(raw)
    if v is not None:
        fields[6] = rlp.sedes.big_endian_int.serialize(v)
    fields[7] = rlp.sedes.big_endian_int.serialize(r)
    fields[8] = rlp.sedes.big_endian_int.serialize(s)
    return rlp.encode(fields)


def _bad_txs(keys, stranger):
    key = keys[0]
    legacy = transfer(key, 0, RECIPIENT, fee_market=False)
    fields = [rlp.sedes.big_endian_int.deserialize(f) if i in (6, 7, 8) else f
              for i, f in enumerate(_legacy_fields(legacy))]
    v, r, s = fields[6], fields[7], fields[8]
    flipped_v = v + 1 if (v - 35) % 2 == 0 else v - 1  # malleated twin: other y parity
    return {
        "undecodable": (b"\x01\x02 not a transaction", 2),
        "wrong chain id": (transfer(key, 0, RECIPIENT, chain_id=CHAIN_ID + 1), 4),
        "unprotected legacy": (bytes(key.sign_transaction(
            {"nonce": 0, "to": RECIPIENT, "value": 1, "gas": 21_000, "gasPrice": GWEI}
        ).raw_transaction), 5),
        "bad signature (r = 0)": (_with_signature(legacy, 0, s), 6),
        "bad signature (high s)": (_with_signature(legacy, r, SECPK1_N - s, flipped_v), 6),
        "nonce too high": (transfer(key, 7, RECIPIENT), 8),
        "insufficient balance": (transfer(stranger, 0, RECIPIENT), 9),
        "gas over block limit": (transfer(key, 0, RECIPIENT, gas=100_000_001), 10),
        "gas price below minimum": (transfer(key, 0, RECIPIENT, gas_price=GWEI // 4), 11),
        "oversized": (transfer(key, 0, RECIPIENT, gas=5_000_000, data=b"\x01" * (129 * 1024)), 12),
        "gas below intrinsic": (transfer(key, 0, RECIPIENT, gas=20_000), 13),
        # py-evm checks these only when it applies the tx, outside any computation (issue 13)
        "initcode over the limit": (transfer(key, 0, "", 0, gas=3_000_000, data=b"\x60" * 49_153), 16),
        # 320 bytes: intrinsic 21,000 + 32,000 + 320 * 16, and 10 words of initcode at 2 gas
        "gas below initcode word cost": (transfer(key, 0, "", 0, gas=58_120 + 20 - 1, data=b"\x60" * 320), 13),
        "gas below calldata floor": (transfer(key, 0, RECIPIENT, gas=21_000 + 16 * 1000, data=b"\x01" * 1000), 13),
        "tip above max fee": (_dynamic_fee(key, max_fee=GWEI, tip=2 * GWEI), 15),
        "nested RLP": (nested_rlp(30_000), 2),
        "nested typed RLP": (b"\x02" + nested_rlp(30_000), 2),
    }


CASES = ["undecodable", "wrong chain id", "unprotected legacy", "bad signature (r = 0)",
         "bad signature (high s)", "nonce too high", "insufficient balance", "gas over block limit",
         "gas price below minimum", "oversized", "gas below intrinsic", "initcode over the limit",
         "gas below initcode word cost", "gas below calldata floor", "tip above max fee", "nested RLP",
         "nested typed RLP"]


def nested_rlp(depth: int) -> bytes:
    """An RLP list nested `depth` deep (about 3 bytes a level): the native decoder recurses per
    level and, at ~30,000, crashes the process."""
    item = b"\x80"
    for _ in range(depth):
        size = len(item)
        if size < 56:
            item = bytes([0xC0 + size]) + item
        else:
            length = size.to_bytes((size.bit_length() + 7) // 8, "big")
            item = bytes([0xF7 + len(length)]) + length + item
    return item


def _dynamic_fee(key, max_fee: int, tip: int) -> bytes:
    return bytes(key.sign_transaction({
        "nonce": 0, "to": RECIPIENT, "value": 1, "gas": 21_000, "chainId": CHAIN_ID,
        "maxFeePerGas": max_fee, "maxPriorityFeePerGas": tip,
    }).raw_transaction)


@pytest.mark.parametrize("case", CASES)
def test_check_tx_rejects_with_its_own_code(chain, keys, stranger, case):
    raw, code = _bad_txs(keys, stranger)[case]
    response = chain.check(raw)
    assert response.code == code, response.log
    assert response.log and response.log[0].isalpha()


@pytest.fixture
def twin(tmp_path, keys):
    """A second chain from the same genesis, fed empty blocks: what "nothing changed" looks like."""
    chain = Chain.start(str(tmp_path / "twin"), app_state(keys))
    yield chain
    chain.app.close()


@pytest.mark.parametrize("case", CASES)
def test_block_rejects_with_the_same_code_and_changes_nothing(chain, twin, keys, stranger, case):
    raw, code = _bad_txs(keys, stranger)[case]
    before = [chain.account(k.address) for k in keys]
    (result,) = chain.block([raw])
    twin.block([])
    assert result.code == code, result.log
    assert chain.app_hashes[-1] == twin.app_hashes[-1]
    assert [chain.account(k.address) for k in keys] == before


def test_codes_are_distinct_per_kind():
    assert len(set(codes.TX_CODES.values())) == len(codes.TX_CODES)
    assert codes.OK not in codes.TX_CODES.values()
    assert codes.INTERNAL not in codes.TX_CODES.values()


def test_nonce_too_low_after_commit(chain, twin, keys):
    raw = transfer(keys[0], 0, RECIPIENT)
    assert chain.check(raw).code == 0
    (result,) = chain.block([raw])
    twin.block([raw])
    assert result.code == 0
    again = chain.check(raw)
    assert again.code == 7 and "already used" in again.log
    (replayed,) = chain.block([raw])
    twin.block([])
    assert replayed.code == 7
    assert chain.app_hashes[-1] == twin.app_hashes[-1]


def test_unknown_tx_type_is_refused(chain):
    response = chain.check(b"\x03" + b"\xc0")  # a blob-transaction envelope with an empty payload
    assert response.code in (2, 3)


def test_stranger_key_signs_but_cannot_pay(chain, stranger):
    response = chain.check(transfer(Account.from_key(stranger.key), 0, RECIPIENT))
    assert response.code == 9 and "balance" in response.log
