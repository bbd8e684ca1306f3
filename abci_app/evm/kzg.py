"""The point evaluation precompile (0x0a, EIP-4844), its trusted setup loaded once per process.

py-evm's own parses the setup file at every call: about 4.5 s here for 50,000 gas, so a 1M-gas
transaction held a block for over a minute; and it turns a failure to read the file, a fault of
one node, into a failed call that the other nodes do not have. Here the setup is loaded at the
first call that gets that far (once per process; ckzg holds the interpreter while it loads, so
there is no warming it in the background), and a failure to load it escapes as a fault. Written
from the EIP's specification: 192 bytes of input (versioned hash, z, y, commitment, proof).
"""

import functools
import hashlib

from ckzg import load_trusted_setup, verify_kzg_proof
from eth.abc import ComputationAPI
from eth.exceptions import VMError
from eth.precompiles.point_evaluation import TRUSTED_SETUP_PATH
from eth.vm.forks.cancun.constants import (BLS_MODULUS, FIELD_ELEMENTS_PER_BLOB, POINT_EVALUATION_PRECOMPILE_GAS,
                                           VERSIONED_HASH_VERSION_KZG)

ADDRESS = (0x0A).to_bytes(20, "big")
INPUT_BYTES = 192
RESULT = FIELD_ELEMENTS_PER_BLOB.to_bytes(32, "big") + BLS_MODULUS.to_bytes(32, "big")


@functools.cache
def trusted_setup():
    return load_trusted_setup(TRUSTED_SETUP_PATH, 0)


def point_evaluation(computation: ComputationAPI) -> ComputationAPI:
    computation.consume_gas(POINT_EVALUATION_PRECOMPILE_GAS, reason="point evaluation")
    data = computation.msg.data_as_bytes
    if len(data) != INPUT_BYTES:
        raise VMError(f"point evaluation takes {INPUT_BYTES} bytes")
    versioned_hash, z, y, commitment, proof = data[:32], data[32:64], data[64:96], data[96:144], data[144:]
    if VERSIONED_HASH_VERSION_KZG + hashlib.sha256(commitment).digest()[1:] != versioned_hash:
        raise VMError("point evaluation: the commitment does not match the versioned hash")
    setup = trusted_setup()  # outside the try below: failing to load it is this node's fault
    try:
        valid = verify_kzg_proof(commitment, z, y, proof, setup)
    except RuntimeError:  # ckzg refuses malformed input: a point off the curve, z or y out of the field
        valid = False
    if not valid:
        raise VMError("point evaluation: the proof does not verify")
    computation.output = RESULT
    return computation
