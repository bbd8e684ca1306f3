"""Ethereum formats in and out, from the stored receipt and block shapes."""

import pytest
import rlp
from eth.constants import BLANK_ROOT_HASH
from eth.db.trie import make_trie_root_and_nodes
from eth.rlp.logs import Log
from eth.rlp.receipts import Receipt
from eth_account import Account

from abci_app.evm.tx import TX_BUILDER
from abci_app.rpc.gateway import blocks
from abci_app.rpc.gateway import formats as fmt
from abci_app.rpc.gateway.chain import StoredBlock
from abci_app.rpc.gateway.errors import INVALID_PARAMS, InvalidParams

ZERO_BLOOM = "0x" + "00" * 256


def test_quantities_have_no_leading_zeros():
    assert fmt.quantity(0) == "0x0"
    assert fmt.quantity(26) == "0x1a"
    assert fmt.parse_quantity("0x1a") == 26
    assert fmt.parse_quantity("0x001a") == 26  # tolerated, as geth does


@pytest.mark.parametrize("bad", ["1a", "0x", "0xzz", 26, None, ["0x1"]])
def test_bad_quantities_are_invalid_params(bad):
    with pytest.raises(InvalidParams) as info:
        fmt.parse_quantity(bad)
    assert info.value.code == INVALID_PARAMS


def test_addresses_data_and_hashes():
    assert fmt.parse_address("0x000000000000000000000000000000000000bEEF") == "0x000000000000000000000000000000000000beef"
    for bad in ("0xbeef", "000000000000000000000000000000000000beef", 5):
        with pytest.raises(InvalidParams):
            fmt.parse_address(bad)
    assert fmt.parse_data("0x") == b""
    assert fmt.parse_data("0x00ff") == b"\x00\xff"
    with pytest.raises(InvalidParams):
        fmt.parse_data("0x0")  # odd length
    with pytest.raises(InvalidParams):
        fmt.parse_hash("0x" + "00" * 31)


def test_block_tags():
    for tag in ("latest", "pending", "safe", "finalized"):
        assert fmt.parse_block_tag(tag) == "latest"
    assert fmt.parse_block_tag("earliest") == "earliest"
    assert fmt.parse_block_tag("0x10") == 16
    for bad in ("newest", 16, None, {"blockNumber": "0x2"}, "0x" + "ab" * 32):
        with pytest.raises(InvalidParams):
            fmt.parse_block_tag(bad)


def test_block_refs_take_every_form_of_block_number_or_tag_or_hash():
    block_hash = "0x" + "ab" * 32
    assert fmt.parse_block_ref("latest") == "latest" and fmt.parse_block_ref("0x10") == 16
    assert fmt.parse_block_ref(block_hash) == fmt.BlockHash(bytes.fromhex("ab" * 32))
    assert fmt.parse_block_ref({"blockNumber": "0x2"}) == 2
    assert fmt.parse_block_ref({"blockHash": block_hash}) == fmt.BlockHash(bytes.fromhex("ab" * 32))
    assert fmt.parse_block_ref({"blockHash": block_hash, "requireCanonical": True}) == \
        fmt.BlockHash(bytes.fromhex("ab" * 32))
    for bad in ({"blockHash": "0x00"}, {}, {"blockNumber": "0x1", "blockHash": block_hash},
                {"blockHash": block_hash, "requireCanonical": "yes"}, {"blockNumber": "0x1", "extra": 1},
                "0x" + "ab" * 33, 16):
        with pytest.raises(InvalidParams):
            fmt.parse_block_ref(bad)


def test_tx_type_from_the_first_byte():
    assert fmt.tx_type(b"\x02\xf8") == 2
    assert fmt.tx_type(b"\x01\xf8") == 1
    assert fmt.tx_type(b"\xf8\x6b") == 0


STORED = {
    "hash": "0x" + "ab" * 32, "height": 7, "index": 1, "from": "0x" + "11" * 20, "to": None,
    "nonce": 3, "value": "0", "status": 1, "gas_used": 53000, "cumulative_gas_used": 74000,
    "effective_gas_price": "1000000000", "contract_address": "0x" + "22" * 20,
    "logs": [{"address": "0x" + "22" * 20, "topics": ["0x" + "33" * 32], "data": "0x01"}],
    "output": "0x", "error": "",
}


def test_receipt_format():
    receipt = fmt.format_receipt(STORED, block_hash="0x" + "cd" * 32, tx_type_id=2, first_log_index=4)
    assert receipt["blockNumber"] == "0x7" and receipt["transactionIndex"] == "0x1"
    assert receipt["status"] == "0x1" and receipt["type"] == "0x2"
    assert receipt["gasUsed"] == hex(53000) and receipt["cumulativeGasUsed"] == hex(74000)
    assert receipt["effectiveGasPrice"] == hex(10**9)
    assert receipt["to"] is None
    assert receipt["contractAddress"] == "0x" + "22" * 20  # checksummed (digits only here)
    (log,) = receipt["logs"]
    assert log["logIndex"] == "0x4" and log["transactionHash"] == STORED["hash"]
    assert log["blockHash"] == "0x" + "cd" * 32 and log["removed"] is False
    assert len(receipt["logsBloom"]) == 2 + 512 and receipt["logsBloom"] != ZERO_BLOOM
    failed = fmt.format_receipt({**STORED, "status": 0, "logs": []}, block_hash="0x00", tx_type_id=0,
                                first_log_index=0)
    assert failed["status"] == "0x0" and failed["logsBloom"] == ZERO_BLOOM


def test_block_format():
    raws = (b"\xf8legacy", b"\x02typed", b"\x02rejected")
    receipts = [{**STORED, "index": 0, "cumulative_gas_used": 53000},
                {**STORED, "index": 1, "hash": "0x" + "ac" * 32, "logs": [], "status": 0}]
    record = {"hash": "ab" * 32, "height": 5, "time_s": 10, "gas_used": 74000, "proposer": "ef" * 20,
              "app_hash": "01" * 32, "txs": [r["hash"] for r in receipts], "receipts": receipts}
    block = blocks.format_block(StoredBlock(record, "0x" + "cd" * 32, raws), ["0x1"], gas_limit=100, base_fee_wei=7)
    assert block["number"] == "0x5" and block["timestamp"] == "0xa" and block["transactions"] == ["0x1"]
    assert block["hash"] == "0x" + "ab" * 32 and block["parentHash"] == "0x" + "cd" * 32
    assert block["gasUsed"] == hex(74000) and block["gasLimit"] == "0x64" and block["baseFeePerGas"] == "0x7"
    assert block["stateRoot"] == "0x" + "01" * 32 and block["miner"].lower() == "0x" + "ef" * 20
    assert block["transactionsRoot"] == blocks.trie_root(list(raws[:2]))  # executed txs only
    assert block["logsBloom"] == fmt.format_receipt(STORED, block_hash="0x", tx_type_id=0,
                                                    first_log_index=0)["logsBloom"]
    assert block["size"] == hex(len(raws[0]) + len(raws[1]))
    empty = blocks.format_block(StoredBlock({**record, "txs": [], "receipts": []}, "0x", raws[2:]), [],
                                gas_limit=100, base_fee_wei=7)
    assert empty["transactionsRoot"] == empty["receiptsRoot"] == "0x" + BLANK_ROOT_HASH.hex()
    assert empty["logsBloom"] == ZERO_BLOOM


def test_roots_are_ethereums():
    """A legacy tx's trie value is its raw RLP and a legacy receipt is py-evm's Receipt RLP; a
    typed one is prefixed with its type (EIP-2718)."""
    legacy = [Account.from_key(b"\1" * 32).sign_transaction(
        {"nonce": n, "gasPrice": 1, "gas": 21_000, "to": "0x" + "11" * 20, "value": 1, "chainId": 1818})
        for n in range(3)]
    evm_txs = [TX_BUILDER.decode(bytes(s.raw_transaction)) for s in legacy]
    assert blocks.trie_root([bytes(s.raw_transaction) for s in legacy]) == \
        "0x" + make_trie_root_and_nodes(tuple(evm_txs))[0].hex()
    log = STORED["logs"][0]
    evm_receipt = Receipt(state_root=b"\x01", gas_used=74000, bloom=int(fmt.logs_bloom(STORED["logs"])),
                          logs=[Log(bytes.fromhex(log["address"][2:]), [int(log["topics"][0], 16)], b"\x01")])
    assert blocks.encode_receipt(STORED, 0) == rlp.encode(evm_receipt)
    assert blocks.encode_receipt(STORED, 2) == b"\x02" + rlp.encode(evm_receipt)


def test_parse_call():
    assert fmt.parse_call({"to": "0x" + "AB" * 20, "input": "0x01", "data": "0x02", "value": "0x10", "gas": "0x5208"}) == \
        {"to": "0x" + "ab" * 20, "data": "0x01", "value": "16", "gas": 21_000}
    assert fmt.parse_call({}) == {"data": "0x", "value": "0"}  # a creation with no code
    for bad in ([], {"to": "0x12"}, {"value": 5}, {"data": "0x1"}):
        with pytest.raises(InvalidParams):
            fmt.parse_call(bad)


@pytest.mark.parametrize("fields", [
    {"type": 2, "maxFeePerGas": 3 * 10**9, "maxPriorityFeePerGas": 10**8},
    {"gasPrice": 2 * 10**9},
])
def test_format_transaction(fields):
    from eth_account import Account

    from abci_app.evm.tx import TX_BUILDER

    sender = Account.from_key("0x" + "01" * 32)
    signed = sender.sign_transaction({"chainId": 1818, "nonce": 7, "to": "0x" + "11" * 20, "value": 5, "gas": 30_000,
                                      "data": "0xabcd", **fields})
    tx = TX_BUILDER.decode(bytes(signed.raw_transaction))
    answer = fmt.format_transaction(tx, bytes.fromhex(sender.address[2:]), bytes(signed.hash), block_hash="0x" + "22" * 32,
                                    number=9, index=0, base_fee_wei=10**9, timestamp=1_700_000_000)
    assert answer["from"] == sender.address and answer["to"] == "0x" + "11" * 20
    assert answer["blockTimestamp"] == hex(1_700_000_000)
    assert (answer["nonce"], answer["value"], answer["gas"], answer["input"]) == ("0x7", "0x5", hex(30_000), "0xabcd")
    assert (answer["blockNumber"], answer["transactionIndex"], answer["chainId"]) == ("0x9", "0x0", hex(1818))
    assert int(answer["r"], 16) == signed.r and int(answer["s"], 16) == signed.s
    if "type" in fields:
        assert answer["type"] == "0x2" and answer["gasPrice"] == hex(11 * 10**8)
        assert answer["maxFeePerGas"] == hex(3 * 10**9) and answer["accessList"] == []
        assert int(answer["v"], 16) == signed.v
    else:
        assert answer["type"] == "0x0" and answer["gasPrice"] == hex(2 * 10**9) and int(answer["v"], 16) == signed.v
