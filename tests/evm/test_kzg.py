"""The point evaluation precompile (0x0a) loads its trusted setup once (issue 13, found by
review): py-evm's parsed the setup file at every call, ~4.5 s for 50,000 gas, and turned a
failure to read it (one node's fault) into a failed call."""

import hashlib
import time

import ckzg
import pytest

from abci_app.app.application import EXIT_NODE_FAULT
from abci_app.evm import kzg

from ..chain import transfer

POINT_EVALUATION = "0x" + kzg.ADDRESS.hex()
Z = (7).to_bytes(32, "big")


@pytest.fixture(scope="module")
def proof_input() -> bytes:
    """versioned hash | z | y | commitment | proof of a real blob's polynomial at z."""
    blob = b"".join((i * 7919).to_bytes(32, "big") for i in range(4096))
    commitment = ckzg.blob_to_kzg_commitment(blob, kzg.trusted_setup())
    proof, y = ckzg.compute_kzg_proof(blob, Z, kzg.trusted_setup())
    versioned_hash = b"\x01" + hashlib.sha256(commitment).digest()[1:]
    return versioned_hash + Z + y + commitment + proof


def test_a_proof_verifies_and_a_forged_one_fails(chain, keys, proof_input):
    forged = proof_input[:64] + (int.from_bytes(proof_input[64:96], "big") ^ 1).to_bytes(32, "big") + proof_input[96:]
    good, bad = chain.block([transfer(keys[0], 0, POINT_EVALUATION, 0, gas=100_000, data=proof_input),
                             transfer(keys[0], 1, POINT_EVALUATION, 0, gas=100_000, data=forged)])
    assert good.code == 0 and good.data == kzg.RESULT
    assert bad.code == 32 and bad.gas_used == 100_000


def test_gas_buys_milliseconds_not_seconds(chain, keys, proof_input):
    kzg.trusted_setup()  # loaded once per process, at the first call that gets that far
    txs = [transfer(keys[0], n, POINT_EVALUATION, 0, gas=100_000, data=proof_input) for n in range(20)]
    started = time.perf_counter()
    results = chain.block(txs)
    assert [r.code for r in results] == [0] * 20
    assert time.perf_counter() - started < 2.0  # py-evm's: ~90 s


def test_failing_to_load_the_setup_stops_the_node(chain, keys, proof_input, monkeypatch):
    stopped = []
    chain.app.on_fatal = stopped.append

    def unreadable():
        raise RuntimeError("Failed to load trusted setup: No such file or directory")
    monkeypatch.setattr(kzg, "trusted_setup", unreadable)
    with pytest.raises(RuntimeError):
        chain.block([transfer(keys[0], 0, POINT_EVALUATION, 0, gas=100_000, data=proof_input)])
    assert stopped == [EXIT_NODE_FAULT]
