"""Pruning keeps exactly what the kept versions reach; older heights answer a clear error."""

import json

from abci_app.abci import types
from abci_app.app import AppSettings, Application, codes
from abci_app.evm.nodes import state_keys
from abci_app.store import keys as store_keys

from ..chain import Chain, app_state, transfer

RECIPIENT = "0x" + "be" * 20


def _query(chain, path: str, height: int = 0):
    return chain.app.query(types.RequestQuery(path=path, height=height))


def _state_key_count(app: Application) -> int:
    return sum(1 for _ in app.store.keys(store_keys.STATE))


def test_pruning_keeps_the_recent_versions_and_frees_the_rest(tmp_path, keys):
    chain = Chain.start(str(tmp_path / "db"), app_state(keys))
    archive = Chain.start(str(tmp_path / "archive"), app_state(keys))
    chain.app.settings = AppSettings(keep_recent=4)
    archive.app.settings = AppSettings(keep_recent=0)
    try:
        for nonce in range(12):
            raw = transfer(keys[nonce % 4], nonce // 4, RECIPIENT, 1 + nonce)
            assert chain.block([raw])[0].code == 0 and archive.block([raw])[0].code == 0
        assert chain.app_hashes == archive.app_hashes                  # a local choice, not consensus
        assert _state_key_count(chain.app) < _state_key_count(archive.app)
        for height in range(9, 13):                                    # the last four answer as before
            expected = json.loads(_query(archive, f"/account/{RECIPIENT}", height).value)
            assert json.loads(_query(chain, f"/account/{RECIPIENT}", height).value) == expected
        pruned = _query(chain, f"/account/{RECIPIENT}", 8)
        assert pruned.code == codes.QUERY_NOT_FOUND and "pruned" in pruned.log and "9 to 12" in pruned.log
        assert _query(archive, f"/account/{RECIPIENT}", 2).code == 0
        # what is left is exactly what the kept roots reach (the sweep ran at height 12)
        live = set()
        for height in range(9, 13):
            root = bytes.fromhex(json.loads(chain.app.store.get(store_keys.block_key(height)))["app_hash"])
            list(state_keys(lambda key: chain.app.store.get(store_keys.state_key(key)), root, live))
        assert {key[1:] for key in chain.app.store.keys(store_keys.STATE)} == live
        assert chain.supply() == archive.supply()
    finally:
        chain.app.close()
        archive.app.close()


def test_a_pruned_node_restarts_and_goes_on(tmp_path, keys):
    chain = Chain.start(str(tmp_path / "db"), app_state(keys))
    chain.app.settings = AppSettings(keep_recent=2)
    for nonce in range(5):
        chain.block([transfer(keys[0], nonce, RECIPIENT, 1)])
    chain.app.close()
    reopened = Application(str(tmp_path / "db"), settings=AppSettings(keep_recent=2))
    try:
        assert reopened.app_hash == chain.app_hashes[-1]
        answer = reopened.query(types.RequestQuery(path=f"/account/{RECIPIENT}"))
        assert json.loads(answer.value)["balance"] == "5"
    finally:
        reopened.close()


def test_this_nodes_minimum_gas_price_applies_to_check_tx_only(tmp_path, keys):
    chain = Chain.start(str(tmp_path / "db"), app_state(keys))
    chain.app.settings = AppSettings(min_gas_price_wei=5 * 10**9)
    cheap = transfer(keys[0], 0, RECIPIENT, 1, gas_price=10**9)
    answer = chain.app.check_tx(types.RequestCheckTx(tx=cheap))
    assert answer.code == codes.TX_CODES[__import__("abci_app").errors.GasPriceTooLow]
    assert "this node's minimum" in answer.log
    assert chain.block([cheap])[0].code == 0      # a block from another node still executes it
    chain.app.close()


def _deployed_counter(tmp_path, keys):
    """A chain keeping 2 versions, with keys[0]'s Counter contract deployed (nonce 0): the chain,
    the contract's address, the increment() call."""
    from eth_hash.auto import keccak

    from abci_app.contracts import load_contract

    chain = Chain.start(str(tmp_path / "db"), app_state(keys))
    chain.app.settings = AppSettings(keep_recent=2)
    deploy = transfer(keys[0], 0, "", 0, gas=2_000_000, data=load_contract("Counter").bytecode)
    chain.block([deploy])
    counter = json.loads(_query(chain, "/tx/0x" + keccak(deploy).hex()).value)["contract_address"]
    return chain, counter, keccak(b"increment()")[:4]


def test_contract_code_and_storage_survive_pruning(tmp_path, keys):
    from abci_app.contracts import load_contract

    chain, counter, increment = _deployed_counter(tmp_path, keys)
    for nonce in range(1, 6):
        assert chain.block([transfer(keys[0], nonce, counter, 0, gas=200_000, data=increment)])[0].code == 0
    code = json.loads(_query(chain, f"/code/{counter}").value)["code"]
    assert code == "0x" + load_contract("Counter").deployed_bytecode.hex()
    assert int(json.loads(_query(chain, f"/storage/{counter}/0").value)["value"], 16) == 5
    assert int(json.loads(_query(chain, f"/storage/{counter}/0", 5).value)["value"], 16) == 4
    chain.app.close()


def test_code_that_is_byte_for_byte_a_trie_node_outlives_the_node(tmp_path, keys):
    """An attacker deploys code equal to a storage trie node it is about to replace: both have
    the same key. Pruning the node must not delete the code (a node that lost a contract's code
    faults where an archive node does not)."""
    import rlp
    from eth_hash.auto import keccak
    from rlp.codec import encode_raw

    from abci_app.evm.trie_batch import leaf

    chain, counter, increment = _deployed_counter(tmp_path, keys)
    assert chain.block([transfer(keys[0], 1, counter, 0, gas=200_000, data=increment)])[0].code == 0
    node = encode_raw(leaf(keccak(b"\0" * 32).hex(), rlp.encode(1)))   # the Counter's storage root now
    assert chain.app.store.get(store_keys.state_key(keccak(node))) == node
    # init code: CODECOPY the runtime (the node's bytes) that follows it, RETURN it
    init = bytes.fromhex(f"61{len(node):04x}600e60003961{len(node):04x}6000f3") + node  # 14 bytes
    copycat = transfer(keys[1], 0, "", 0, gas=1_000_000, data=init)
    assert chain.block([copycat])[0].code == 0
    copied = json.loads(_query(chain, "/tx/0x" + keccak(copycat).hex()).value)["contract_address"]
    for nonce in range(2, 7):   # the storage root changes; its old node leaves the window
        assert chain.block([transfer(keys[0], nonce, counter, 0, gas=200_000, data=increment)])[0].code == 0
    assert json.loads(_query(chain, f"/code/{copied}").value)["code"] == "0x" + node.hex()
    chain.app.close()
