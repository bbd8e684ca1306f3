"""How fast gas burns here, per kind of work: the table in docs/performance.md (issue 14).

Each case is a contract that repeats one kind of work (an opcode class, or a call of one
precompile with a valid input) until its gas runs out; one transaction of `--gas` gas runs it in a
block of its own on an in-process chain. The block's time, less an empty block's, over the gas
used gives Mgas/s: the slowest case bounds how long a full block can take.

    .venv/bin/python scripts/gas_speed.py [--gas 5000000] [--only jump,sha256]
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from eth._utils.address import generate_contract_address
from eth_abi import encode
from eth_hash.auto import keccak
from eth_keys import keys as eth_keys

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from abci_app.app.driver import InProcessChain  # noqa: E402
from abci_app.cli.node import DEFAULT_EVM_CHAIN_ID  # noqa: E402
from abci_app.cli.wallet import dev_account, sign_tx  # noqa: E402
from abci_app.staking import ADDRESS as STAKING  # noqa: E402

CMT = 10**18
EMPTY_BLOCKS = 5


def _loop(body: bytes) -> bytes:
    """JUMPDEST; body; PUSH0; JUMP: `body` forever (it must leave the stack as it found it)."""
    return b"\x5b" + body + b"\x5f\x56"


def _calls(address: int, data: bytes, kind: int = 0xF1) -> bytes:
    """Copy `data` to memory once, then CALL (or STATICCALL) `address` with it forever."""
    n = len(data).to_bytes(2, "big")
    value = b"\x5f" if kind == 0xF1 else b""  # STATICCALL takes no value
    # retLen 32, retOffset past the input, argsLen, argsOffset 0, [value], address, GAS; CALL; POP; back
    loop = (b"\x5b\x60\x20\x61" + n + b"\x61" + n + b"\x5f" + value
            + b"\x73" + address.to_bytes(20, "big") + b"\x5a" + bytes([kind]) + b"\x50\x60\x08\x56")
    return b"\x61" + n + b"\x61" + (8 + len(loop)).to_bytes(2, "big") + b"\x5f\x39" + loop + data


def _ecrecover_input() -> bytes:
    key = eth_keys.PrivateKey(b"\x07" * 32)
    digest = keccak(b"gas speed")
    signature = key.sign_msg_hash(digest)
    return digest + b"".join(word.to_bytes(32, "big") for word in (27 + signature.v, signature.r, signature.s))


G1 = (1, 2)
G2 = (11559732032986387107991004021392285783925812861821192530917403151452391805634,
      10857046999023057135944570762232829481370756359578518086990519993285655852781,
      4082367875863433681332203403145435568316851327593401208105741076214120093531,
      8495653923123431417604973247489272438418190587263600148770280649306958101930)
BLAKE2F_INPUT = (12).to_bytes(4, "big") + b"\x01" * 64 + b"\x02" * 128 + (3).to_bytes(8, "little") + b"\0" * 8 + b"\x01"
MODEXP_INPUT = encode(["uint256"] * 3, [32, 32, 32]) + b"\x03" * 32 + b"\xff" * 32 + b"\x7f" * 32


CASES = {
    "jump": _loop(b""),
    "arithmetic": _loop(b"\x60\x03\x60\x05\x02\x50"),                 # PUSH1 3 PUSH1 5 MUL POP
    "memory": _loop(b"\x5f\x51\x5f\x52"),                             # MSTORE(0, MLOAD(0))
    "sload": _loop(b"\x5f\x54\x50"),                                  # SLOAD(0) (warm) POP
    "sstore": _loop(b"\x5a\x5f\x55"),                                 # SSTORE(0, GAS): a new value each time
    "keccak": _loop(b"\x60\x20\x5f\x20\x50"),                         # KECCAK256(0, 32) POP
    "balance (cold)": _loop(b"\x5a\x31\x50"),                         # BALANCE(GAS): a new account each time
    "log": _loop(b"\x60\x20\x5f\xa0"),                                # LOG0(0, 32)
    "call (empty account)": _calls(0xEE, b""),
    "ecrecover": _calls(1, _ecrecover_input()),
    "sha256": _calls(2, b"\x01" * 256),
    "ripemd160": _calls(3, b"\x01" * 256),
    "identity": _calls(4, b"\x01" * 256),
    "modexp": _calls(5, MODEXP_INPUT),
    "bn256 add": _calls(6, encode(["uint256"] * 4, [*G1, *G1])),
    "bn256 mul": _calls(7, encode(["uint256"] * 3, [*G1, 2**255 - 19])),
    "bn256 pairing (1 pair)": _calls(8, encode(["uint256"] * 6, [*G1, *G2])),
    "blake2f (12 rounds)": _calls(9, BLAKE2F_INPUT),
    "staking params()": _calls(int.from_bytes(STAKING, "big"), keccak(b"params()")[:4], kind=0xFA),
    "staking candidates()": _calls(int.from_bytes(STAKING, "big"), keccak(b"candidates()")[:4], kind=0xFA),
}


def _initcode(runtime: bytes) -> bytes:
    n = len(runtime).to_bytes(2, "big")
    return b"\x61" + n + b"\x80\x60\x0c\x5f\x39\x5f\xf3" + b"\0\0" + runtime  # CODECOPY 12.. then RETURN


def measure(gas: int, only: set[str] | None) -> list[tuple[str, int, float]]:
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
            for name, runtime in CASES.items():
                if only and name not in only:
                    continue
                deployed, _ = send("", _initcode(runtime), 3_000_000)
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gas", type=int, default=5_000_000, help="gas of each case's transaction")
    parser.add_argument("--only", default="", help="comma-separated case names (default: all)")
    args = parser.parse_args()
    only = {name.strip() for name in args.only.split(",") if name.strip()} or None
    print("| work | gas used | ms | Mgas/s |")
    print("|---|---:|---:|---:|")
    for name, gas_used, seconds in sorted(measure(args.gas, only), key=lambda row: row[1] / row[2]):
        print(f"| {name} | {gas_used:,} | {seconds * 1000:,.0f} | {gas_used / seconds / 1e6:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
