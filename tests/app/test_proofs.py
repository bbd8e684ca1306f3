"""Issue 19: `/proof/<address>` (eth_getProof). Every proof is checked by `proven`, a verifier
written here from the Yellow Paper's trie (appendix D) over rlp and keccak alone, against the
state root each block committed: a funded account, a contract with several slots, an account
and slots that do not exist, and the state at an older height."""

import json

import rlp
from eth_hash.auto import keccak
from trie import HexaryTrie

from abci_app.abci import types
from abci_app.app import codes
from abci_app.app.query import MAX_PROOF_KEYS, trie_proof

from ..chain import transfer

EMPTY_ROOT = keccak(rlp.encode(b""))
EMPTY_CODE = keccak(b"")
SLOTS = {0: 1, 1: 2**256 - 1, 2: 0xDEAD, 2**255 + 3: 42, 10**6: 7}
ABSENT_SLOTS = [3, 2**256 - 1]
NOBODY = "0x" + "ab" * 20
NEWCOMER = "0x" + "cd" * 20   # first paid in block 2


def proven(root: bytes, key: bytes, proof: list[str]) -> bytes:
    """The value `proof` proves for `key` under `root` (b"" for a proven absence). Each listed
    node must hash to the reference its parent holds (the first to the root); a node under 32
    bytes is embedded in its parent. The walk follows the key's nibbles through branches,
    extensions and the leaf, and must use every listed node, no more."""
    nodes = [bytes.fromhex(node[2:]) for node in proof]
    path = [nibble for byte in key for nibble in divmod(byte, 16)]
    reference = None if root == EMPTY_ROOT else root
    value = b""
    while reference not in (None, b""):
        if isinstance(reference, list):
            node = reference
        else:
            assert nodes, "the proof ends before the key's path does"
            encoded = nodes.pop(0)
            assert keccak(encoded) == reference, "a node does not hash to its parent's reference"
            node = rlp.decode(encoded)
        if len(node) == 17:                       # branch: one child per nibble
            if not path:
                value = node[16]
                break
            reference, path = node[path[0]], path[1:]
            continue
        flag, *nibbles = [nibble for byte in node[0] for nibble in divmod(byte, 16)]
        segment = nibbles if flag % 2 else nibbles[1:]  # an even path has one nibble of padding
        if path[:len(segment)] != segment:        # the key's path leaves the trie here
            break
        path = path[len(segment):]
        if flag >= 2:                             # leaf
            value = node[1] if not path else b""
            break
        reference = node[1]                       # extension
    assert not nodes, "nodes past the end of the key's path"
    return value


def _query(chain, path: str, slots: list = (), height: int = 0) -> types.ResponseQuery:
    return chain.app.query(types.RequestQuery(path=path, data=json.dumps(slots).encode(), height=height))


def _proof(chain, address: str, slots: list[int] = (), height: int = 0) -> dict:
    answer = _query(chain, f"/proof/{address}", [hex(slot) for slot in slots], height)
    assert answer.code == 0, answer.log
    return json.loads(answer.value)


def check_proof(answer: dict, state_root: bytes) -> None:
    """Every proof in a `/proof` answer holds under `state_root`, and proves the answer's values."""
    address = bytes.fromhex(answer["address"][2:])
    account = proven(state_root, keccak(address), answer["account_proof"])
    nonce, balance, storage_root, code_hash = rlp.decode(account) if account else (b"", b"", EMPTY_ROOT, EMPTY_CODE)
    assert int.from_bytes(nonce, "big") == answer["nonce"]
    assert int.from_bytes(balance, "big") == int(answer["balance"])
    assert "0x" + storage_root.hex() == answer["storage_hash"] and "0x" + code_hash.hex() == answer["code_hash"]
    for entry in answer["storage_proof"]:
        value = proven(storage_root, keccak(int(entry["slot"], 16).to_bytes(32, "big")), entry["proof"])
        assert int.from_bytes(rlp.decode(value) if value else b"", "big") == int(entry["value"], 16)


def _deploy_storage(chain, keys) -> str:
    """A contract whose constructor stores SLOTS and whose code is one STOP, deployed in block 1."""
    init = b"".join(b"\x7f" + value.to_bytes(32, "big") + b"\x7f" + slot.to_bytes(32, "big") + b"\x55"
                    for slot, value in SLOTS.items()) + bytes.fromhex("60016000f3")  # RETURN mem[0:1]
    deploy = transfer(keys[0], 0, "", 0, gas=1_000_000, data=init)
    chain.block([deploy])
    receipt = json.loads(chain.query(f"/tx/0x{keccak(deploy).hex()}").value)
    assert receipt["status"] == 1, receipt
    return receipt["contract_address"]


def test_proofs_verify_against_each_blocks_state_root(chain, keys):
    contract = _deploy_storage(chain, keys)
    chain.block([transfer(keys[1], 0, NEWCOMER, 5)])
    latest_root = chain.app_hashes[2]

    answer = _proof(chain, contract, [*SLOTS, *ABSENT_SLOTS])
    check_proof(answer, latest_root)
    assert answer["code_hash"] == "0x" + keccak(b"\0").hex() and answer["storage_hash"] != "0x" + EMPTY_ROOT.hex()
    values = [int(entry["value"], 16) for entry in answer["storage_proof"]]
    assert values == [*SLOTS.values(), 0, 0]
    for entry in answer["storage_proof"]:  # the same word /storage reads through py-evm
        stored = json.loads(chain.query(f"/storage/{contract}/{entry['slot']}").value)["value"]
        assert int(stored, 16) == int(entry["value"], 16)
    assert all(entry["proof"] for entry in answer["storage_proof"])  # absent slots: nodes to where they end

    funded = _proof(chain, keys[0].address)
    check_proof(funded, latest_root)
    account = chain.account(keys[0].address)
    assert (int(funded["balance"]), funded["nonce"]) == (int(account["balance"]), 1)
    assert (funded["code_hash"], funded["storage_hash"]) == ("0x" + EMPTY_CODE.hex(), "0x" + EMPTY_ROOT.hex())

    nobody = _proof(chain, NOBODY, [0, 1])
    check_proof(nobody, latest_root)
    assert proven(latest_root, keccak(bytes.fromhex(NOBODY[2:])), nobody["account_proof"]) == b""
    assert nobody["account_proof"]  # the nodes down to where its path leaves the trie
    assert (nobody["balance"], nobody["nonce"], nobody["storage_hash"]) == ("0", 0, "0x" + EMPTY_ROOT.hex())
    assert [(e["value"], e["proof"]) for e in nobody["storage_proof"]] == [("0x" + "00" * 32, [])] * 2

    before = _proof(chain, NEWCOMER, height=1)  # the state after block 1, under its own root
    check_proof(before, chain.app_hashes[1])
    assert before["balance"] == "0"
    after = _proof(chain, NEWCOMER)
    check_proof(after, latest_root)
    assert after["balance"] == "5"


def test_embedded_nodes_are_inside_their_parents():
    """Short keys make nodes under 32 bytes, which live inside their parent: a proof lists only
    the hashed ones, and still proves present and absent keys."""
    trie = HexaryTrie({})
    entries = {b"\x01\x23": b"a", b"\x01\x24": b"b", b"\x02": b"c", b"\x01\x23\x45": b"d" * 40}
    for key, value in entries.items():
        trie[key] = value
    for key in [*entries, b"\x01\x25", b"\x03", b"\x01"]:
        proof = trie_proof(trie, key)
        assert all(len(node) >= 2 + 64 for node in proof[1:])
        assert proven(trie.root_hash, key, proof) == entries.get(key, b"")
    assert len(trie_proof(trie, b"\x01\x24")) < len(trie.get_proof(b"\x01\x24"))  # some were embedded


def test_proofs_are_bounded_and_checked(chain, keys):
    chain.block([])
    assert _query(chain, f"/proof/{NOBODY}", ["0x1"] * MAX_PROOF_KEYS).code == 0
    too_many = _query(chain, f"/proof/{NOBODY}", ["0x1"] * (MAX_PROOF_KEYS + 1))
    assert too_many.code == codes.QUERY_TOO_MANY_RESULTS and str(MAX_PROOF_KEYS) in too_many.log
    for path, data in [("/proof/0x12", []), (f"/proof/{NOBODY}", [hex(2**256)]), (f"/proof/{NOBODY}", [1]),
                       (f"/proof/{NOBODY}", {"0x1": 1}), (f"/proof/{NOBODY}", ["zz"])]:
        assert _query(chain, path, data).code == codes.QUERY_BAD_REQUEST, (path, data)
    assert _query(chain, f"/proof/{NOBODY}", height=99).code == codes.QUERY_NOT_FOUND


def test_the_verifier_refuses_what_does_not_hold(chain, keys):
    """`proven` is what every other test trusts: a changed node, a missing or extra one, another
    root, another key's proof all fail."""
    contract = _deploy_storage(chain, keys)
    root = chain.app_hashes[1]
    proof = _proof(chain, contract)["account_proof"]
    key = keccak(bytes.fromhex(contract[2:]))
    assert proven(root, key, proof)
    last = proof[-1]
    changed = last[:-2] + ("00" if last[-2:] != "00" else "01")
    other = _proof(chain, keys[0].address)["account_proof"]
    for bad_root, bad_proof in [(root, proof[:-1] + [changed]), (root, proof[:-1]), (root, proof + [last]),
                                (chain.app_hashes[0], proof), (root, other)]:
        try:
            proven(bad_root, key, bad_proof)
        except (AssertionError, rlp.DecodingError):
            continue
        raise AssertionError("a proof that does not hold was accepted")
