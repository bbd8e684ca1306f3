"""The example contracts use the Cancun opcodes our EVM must run, and the loader reads them."""

import pytest

from abci_app.contracts import ContractArtifact, list_contracts, load_contract

PUSH0 = 0x5F
MCOPY = 0x5E
TSTORE = 0x5D
TLOAD = 0x5C
PUSH1 = 0x60
PUSH32 = 0x7F


def iter_opcodes(code: bytes):
    """Yield each instruction's opcode, skipping the immediate data of PUSH1..PUSH32."""
    pc = 0
    while pc < len(code):
        op = code[pc]
        yield op
        pc += 1 + (op - PUSH1 + 1 if PUSH1 <= op <= PUSH32 else 0)


def test_iter_opcodes_skips_push_data():
    # PUSH2 0x5e5d, PUSH0, STOP: the 5e/5d bytes are data, not MCOPY/TSTORE.
    assert list(iter_opcodes(bytes.fromhex("615e5d5f00"))) == [0x61, PUSH0, 0x00]
    # A PUSH32 whose data runs past the end of the code is one instruction.
    assert list(iter_opcodes(bytes.fromhex("7f5e5d"))) == [PUSH32]


def test_counter_uses_cancun_opcodes():
    opcodes = set(iter_opcodes(load_contract("Counter").deployed_bytecode))
    for name, op in [("PUSH0", PUSH0), ("MCOPY", MCOPY), ("TSTORE", TSTORE), ("TLOAD", TLOAD)]:
        assert op in opcodes, f"Counter's deployed bytecode has no {name}"


def test_load_contract_reads_token():
    token = load_contract("Token")
    assert isinstance(token, ContractArtifact)
    names = {entry.get("name") for entry in token.abi}
    for name in ["name", "symbol", "decimals", "totalSupply", "balanceOf", "transfer",
                 "approve", "transferFrom", "allowance", "Transfer", "Approval"]:
        assert name in names
    assert token.bytecode and token.deployed_bytecode
    # The creation code returns the runtime code; with no metadata trailer it ends the same way.
    assert token.deployed_bytecode in token.bytecode


def test_list_contracts_names_the_examples():
    assert {"Counter", "Token"} <= set(list_contracts())


def test_load_contract_refuses_bad_names():
    with pytest.raises(ValueError):
        load_contract("../Counter")
    with pytest.raises(FileNotFoundError, match="compile.js"):
        load_contract("NoSuchContract")
