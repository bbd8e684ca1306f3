"""Contracts that each repeat one kind of work until their gas runs out: how fast gas burns per
kind of work (scripts/gas_speed.py, the table in docs/performance.md) and the bound evm/pricing.py
keeps (tests/evm/test_pricing.py).

Every case is runtime code: an instruction with the pushes and pops around it (one per opcode),
a class of work (memory, storage, hashing), or a CALL of a precompile with a valid input.
"""

import statistics
import tempfile
import time

from eth._utils.address import generate_contract_address
from eth_abi import encode
from eth_hash.auto import keccak
from eth_keys import keys as eth_keys
from py_ecc.optimized_bls12_381 import G1 as BLS_G1, G2 as BLS_G2, multiply, normalize

from ..app.driver import InProcessChain
from ..cli.node import DEFAULT_EVM_CHAIN_ID
from ..cli.wallet import dev_account, sign_tx
from ..staking import ADDRESS as STAKING

CALL, STATICCALL = 0xF1, 0xFA
CMT = 10**18
EMPTY_BLOCKS = 5


def loop(body: bytes) -> bytes:
    """JUMPDEST; body; PUSH0; JUMP: `body` forever (it must leave the stack as it found it)."""
    return b"\x5b" + body + b"\x5f\x56"


def calls(address: int, data: bytes, kind: int = CALL) -> bytes:
    """Copy `data` to memory once, then CALL (or STATICCALL) `address` with it forever."""
    n = len(data).to_bytes(2, "big")
    value = b"\x5f" if kind == CALL else b""  # STATICCALL takes no value
    # retLen 32, retOffset past the input, argsLen, argsOffset 0, [value], address, GAS; CALL; POP; back
    body = (b"\x5b\x60\x20\x61" + n + b"\x61" + n + b"\x5f" + value
            + b"\x73" + address.to_bytes(20, "big") + b"\x5a" + bytes([kind]) + b"\x50\x60\x08\x56")
    return b"\x61" + n + b"\x61" + (8 + len(body)).to_bytes(2, "big") + b"\x5f\x39" + body + data


def initcode(runtime: bytes) -> bytes:
    """Init code that deploys `runtime`."""
    n = len(runtime).to_bytes(2, "big")
    return b"\x61" + n + b"\x80\x60\x0c\x5f\x39\x5f\xf3" + b"\0\0" + runtime  # CODECOPY 12.. then RETURN


# ---- one case per instruction ------------------------------------------------------------------------

def _arity() -> dict[int, tuple[int, int]]:
    """Opcode -> (stack items taken, items left) for every instruction a loop can repeat (not the
    ones that halt, jump, call or create: their cases are below)."""
    arity = {}
    for ops, taken, left in (
        ((0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x0A, 0x0B, 0x10, 0x11, 0x12, 0x13, 0x14, 0x16, 0x17,
          0x18, 0x1A, 0x1B, 0x1C, 0x1D, 0x20), 2, 1),
        ((0x08, 0x09), 3, 1),
        ((0x15, 0x19, 0x31, 0x35, 0x3B, 0x3F, 0x40, 0x49, 0x51, 0x54, 0x5C), 1, 1),
        ((0x30, 0x32, 0x33, 0x34, 0x36, 0x38, 0x3A, 0x3D, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48,
          0x4A, 0x58, 0x59, 0x5A, 0x5F, *range(0x60, 0x80)), 0, 1),
        ((0x37, 0x39, 0x3E, 0x5E), 3, 0), ((0x3C,), 4, 0), ((0x50,), 1, 0),
        ((0x52, 0x53, 0x55, 0x57, 0x5D), 2, 0), ((0x5B,), 0, 0),
    ):
        arity.update(dict.fromkeys(ops, (taken, left)))
    arity.update({0x7F + n: (n, n + 1) for n in range(1, 17)})       # DUPn
    arity.update({0x8F + n: (n + 1, n + 1) for n in range(1, 17)})   # SWAPn
    arity.update({0xA0 + n: (2 + n, 0) for n in range(5)})           # LOGn
    return arity


ARITY = _arity()
ZERO_ARGUMENTS = {0x57, 0x3E}  # JUMPI must not jump; RETURNDATACOPY must stay within no return data


def instruction(opcode: int) -> bytes:
    """`opcode` forever: its arguments pushed (0x20 each: offsets, sizes, values, an address),
    the instruction (with its immediate bytes for PUSHn), its results popped."""
    taken, left = ARITY[opcode]
    argument = b"\x5f" if opcode in ZERO_ARGUMENTS else b"\x60\x20"
    immediate = b"\x01" * (opcode - 0x5F) if 0x60 <= opcode <= 0x7F else b""
    if opcode == 0x55:  # SSTORE(0, GAS): a new value each time
        return loop(b"\x5a\x5f\x55")
    return loop(argument * taken + bytes([opcode]) + immediate + b"\x50" * left)


# ---- classes of work and precompiles ---------------------------------------------------------------

def _ecrecover_input() -> bytes:
    key = eth_keys.PrivateKey(b"\x07" * 32)
    digest = keccak(b"gas speed")
    signature = key.sign_msg_hash(digest)
    return digest + b"".join(word.to_bytes(32, "big") for word in (27 + signature.v, signature.r, signature.s))


def bls_g1(point) -> bytes:
    """A BLS12-381 G1 point as EIP-2537 encodes it."""
    x, y = normalize(point)
    return int(x).to_bytes(64, "big") + int(y).to_bytes(64, "big")


def bls_g2(point) -> bytes:
    """A BLS12-381 G2 point as EIP-2537 encodes it."""
    x, y = normalize(point)
    return b"".join(int(c).to_bytes(64, "big") for c in (*x.coeffs, *y.coeffs))


BN_G1 = (1, 2)
BN_G2 = (11559732032986387107991004021392285783925812861821192530917403151452391805634,
         10857046999023057135944570762232829481370756359578518086990519993285655852781,
         4082367875863433681332203403145435568316851327593401208105741076214120093531,
         8495653923123431417604973247489272438418190587263600148770280649306958101930)
SCALAR = (2**256 - 1).to_bytes(32, "big")
BLAKE2F_INPUT = (12).to_bytes(4, "big") + b"\x01" * 64 + b"\x02" * 128 + (3).to_bytes(8, "little") + b"\0" * 8 + b"\x01"
MODEXP_INPUT = encode(["uint256"] * 3, [32, 32, 32]) + b"\x03" * 32 + b"\xff" * 32 + b"\x7f" * 32
MODEXP_LONG_EXPONENT = encode(["uint256"] * 3, [8, 1024, 8]) + b"\x03" * 8 + b"\xff" * 1024 + b"\x7f" * 8

WORK = {
    "jump": loop(b""),
    "arithmetic": loop(b"\x60\x03\x60\x05\x02\x50"),                 # PUSH1 3 PUSH1 5 MUL POP
    "memory": loop(b"\x5f\x51\x5f\x52"),                             # MSTORE(0, MLOAD(0))
    "sload": loop(b"\x5f\x54\x50"),                                  # SLOAD(0) (warm) POP
    "sstore": loop(b"\x5a\x5f\x55"),                                 # SSTORE(0, GAS): a new value each time
    "keccak": loop(b"\x60\x20\x5f\x20\x50"),                         # KECCAK256(0, 32) POP
    "balance (cold)": loop(b"\x5a\x31\x50"),                         # BALANCE(GAS): a new account each time
    "log": loop(b"\x60\x20\x5f\xa0"),                                # LOG0(0, 32)
    "call (empty account)": calls(0xEE, b""),
    "ecrecover": calls(1, _ecrecover_input()),
    "sha256": calls(2, b"\x01" * 256),
    "ripemd160": calls(3, b"\x01" * 256),
    "identity": calls(4, b"\x01" * 256),
    "modexp": calls(5, MODEXP_INPUT),
    "modexp (1,024-byte exponent)": calls(5, MODEXP_LONG_EXPONENT),
    "bn256 add": calls(6, encode(["uint256"] * 4, [*BN_G1, *BN_G1])),
    "bn256 mul": calls(7, encode(["uint256"] * 2, list(BN_G1)) + SCALAR),
    "bn256 pairing (2 pairs)": calls(8, encode(["uint256"] * 6, [*BN_G1, *BN_G2]) * 2),
    "blake2f (12 rounds)": calls(9, BLAKE2F_INPUT),
    "bls12-381 g1 add": calls(0x0B, bls_g1(BLS_G1) + bls_g1(multiply(BLS_G1, 5))),
    "bls12-381 g1 msm (8 points)": calls(0x0C, (bls_g1(BLS_G1) + SCALAR) * 8),
    "bls12-381 g2 add": calls(0x0D, bls_g2(BLS_G2) + bls_g2(multiply(BLS_G2, 5))),
    "bls12-381 g2 msm (8 points)": calls(0x0E, (bls_g2(BLS_G2) + SCALAR) * 8),
    "bls12-381 pairing (2 pairs)": calls(0x0F, (bls_g1(BLS_G1) + bls_g2(BLS_G2)) * 2),
    "bls12-381 map to g1": calls(0x10, b"\0" * 16 + b"\x11" * 48),
    "bls12-381 map to g2": calls(0x11, (b"\0" * 16 + b"\x11" * 48) * 2),
    "staking params()": calls(int.from_bytes(STAKING, "big"), keccak(b"params()")[:4], kind=STATICCALL),
    "staking candidates()": calls(int.from_bytes(STAKING, "big"), keccak(b"candidates()")[:4], kind=STATICCALL),
}


def cases(opcodes: bool = True) -> dict[str, bytes]:
    """Every case by name: the classes of work and precompiles, and (`opcodes`) one per opcode."""
    return {**WORK, **({f"opcode 0x{op:02x}": instruction(op) for op in sorted(ARITY)} if opcodes else {})}


def measure(gas: int, cases: dict[str, bytes]) -> list[tuple[str, int, float]]:
    """(name, gas used, seconds) per case: one `gas`-gas transaction in a block of its own, less
    an empty block's time, on a fresh in-process chain whose block gas limit fits it."""
    key = dev_account(0)
    state = {"chain_id": DEFAULT_EVM_CHAIN_ID, "economics": {"inflation_bps": 0},
             "accounts": [{"address": key.address, "balance_wei": str(10**9 * CMT)}],
             "params": {"block_gas_limit": str(max(100_000_000, 2 * gas))}}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        chain = InProcessChain.start(f"{tmp}/db", state, check_solvency=False)
        nonce = 0

        def send(to: str, data: bytes, gas_limit: int):
            nonlocal nonce
            raw = sign_tx(key, nonce, to, 0, chain_id=DEFAULT_EVM_CHAIN_ID, gas=gas_limit, data=data)
            nonce += 1
            started = time.perf_counter()
            (result,) = chain.block([raw])
            return result, time.perf_counter() - started

        try:
            for name, runtime in cases.items():
                deployed, _ = send("", initcode(runtime), 3_000_000)
                assert deployed.code == 0, (name, deployed.log)
                address = "0x" + generate_contract_address(bytes.fromhex(key.address[2:]), nonce - 1).hex()
                empty = []
                for _ in range(EMPTY_BLOCKS):
                    started = time.perf_counter()
                    chain.block([])
                    empty.append(time.perf_counter() - started)
                result, seconds = send(address, b"", gas)
                rows.append((name, result.gas_used, max(seconds - statistics.median(empty), 1e-6)))
        finally:
            chain.app.close()
    return rows
