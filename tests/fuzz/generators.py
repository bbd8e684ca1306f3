"""Hypothesis strategies for hostile transactions, drawn against what the chain holds now.

`World` is what a sender knows: its keys and their next nonces, the validators, the contracts it
deployed. `draw_tx(data, world)` draws one transaction of a random kind: plain and absurd signed
txs of every type, precompile calls with real and random selectors, arguments and values,
creations of hostile contracts (assembler.py) and calls to them, random initcode, mutated signed
txs and raw junk (nested RLP, unknown types). Most are valid enough to execute, so the modules'
rules are reached; the rest must be refused with a code.
"""

from dataclasses import dataclass, field

import rlp
from eth_abi import encode
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_hash.auto import keccak
from eth_utils import to_checksum_address
from hypothesis import strategies as st

from abci_app.app.modules import PRECOMPILES

from ..chain import CHAIN_ID, CMT, GWEI
from . import assembler
from .assembler import Call

MODULES = sorted(PRECOMPILES)
# Ethereum's own precompiles, but not the BLS12-381 ones (0x0b-0x11): py_ecc runs a pairing at
# ~90 kgas/s, so a fuzz run would spend its time there; pricing them is issue 14's.
ETHEREUM_PRECOMPILES = [i.to_bytes(20, "big") for i in range(1, 0x0B)]
VALUES = [0, 1, 10**9, CMT, 10 * CMT, 1_000 * CMT, 10_000 * CMT, 100_000 * CMT, 2**256 - 1]
GAS = [0, 20_999, 21_000, 53_000, 100_000, 300_000, 1_000_000, 2_000_000]
INTS = {"uint8": 8, "uint16": 16, "uint32": 32, "uint64": 64, "uint256": 256}


@dataclass
class World:
    keys: list[LocalAccount]
    validators: list[bytes]
    now_s: int = 0
    nonces: dict[bytes, int] = field(default_factory=dict)      # next nonce per sender (this block)
    contracts: list[bytes] = field(default_factory=list)        # hostile contracts (maybe not deployed)

    def admitted(self, tx) -> None:
        """A tx the chain admitted: its sender's next nonce, and the contract it creates."""
        self.nonces[tx.sender] = tx.nonce + 1
        if not tx.to:
            self.contracts.append(contract_address(tx.sender, tx.nonce))

    def senders(self) -> list[bytes]:
        return [bytes.fromhex(k.address[2:]) for k in self.keys]

    def addresses(self) -> list[bytes]:
        return self.senders() + self.validators + MODULES \
            + self.contracts[-8:] + [b"\x00" * 20, b"\xff" * 20]


def _address(data, world: World) -> bytes:
    return data.draw(st.one_of(st.sampled_from(world.addresses()), st.binary(min_size=20, max_size=20)))


def _uint(bits: int):
    return st.one_of(st.integers(0, 10), st.sampled_from([v for v in VALUES if v < 2**bits]),
                     st.integers(0, 2**bits - 1))


def _arg(data, type_: str, world: World):
    """A value of an ABI type: mostly ordinary (small ids, real addresses, CMT amounts, block
    times), sometimes extreme."""
    if type_ in INTS:
        if type_ == "uint64" and data.draw(st.booleans()):  # a deadline or an expiry
            return data.draw(st.sampled_from([0, world.now_s, world.now_s + 60, world.now_s + 86_400,
                                              world.now_s + 10**7, 2**64 - 1]))
        return data.draw(_uint(INTS[type_]))
    if type_ == "int32":
        return data.draw(st.integers(-2**31, 2**31 - 1) | st.integers(-180_000_000, 180_000_000))
    if type_ == "address":
        return "0x" + _address(data, world).hex()
    if type_ == "bool":
        return data.draw(st.booleans())
    if type_ == "bytes32":
        return data.draw(st.binary(min_size=32, max_size=32))
    if type_ == "bytes":
        return data.draw(st.binary(max_size=200))
    if type_ == "string":
        return data.draw(st.text(max_size=40) | st.just("x" * 5_000))
    raise AssertionError(f"no strategy for ABI type {type_}")


def _recipes(data, world: World) -> dict[str, tuple[tuple, int]]:
    """Arguments and value that pass a payable or stake-moving function's checks (mostly), so a
    fuzz run reaches the module's effects and not only its refusals."""
    validator = "0x" + data.draw(st.sampled_from(world.validators)).hex()
    someone = "0x" + _address(data, world).hex()
    amount = data.draw(st.sampled_from([1_000 * CMT, 2_000 * CMT, 10_000 * CMT]))
    count = data.draw(st.integers(1, 3))
    now = world.now_s
    return {
        "delegate(address)": ((validator,), amount),
        "undelegate(address,uint256)": ((validator, data.draw(st.sampled_from([1, CMT, amount]))), 0),
        "redelegate(address,address,uint256)": ((validator, "0x" + world.validators[0].hex(), amount), 0),
        "declareCandidacy(bytes32,uint16,string,string,string)": (
            (data.draw(st.binary(min_size=32, max_size=32)), 1_000, "n", "w", "d"), 100_000 * CMT),
        "createCampaign(address,uint256,uint32,int32,int32,uint32,uint64,uint64,address,string)": (
            (someone, 10 * GWEI, count, 47_378_177, 8_540_192, 1_000, now, now + 10_000, "0x" + "00" * 20, "c"),
            10 * GWEI * count),
        "joinPool()": ((), 10_000 * CMT),
        "openOrder(address,bytes32,uint64)": ((someone, b"\x01" * 32, now + 10_000), 5 * CMT),
        "raiseDispute(uint256,string)": ((count, "not delivered"), CMT),     # the default dispute fee
        "drawArbiters(uint256)": ((count,), 0),
        "createCampaign(uint256,uint32,uint256,uint64,string)": ((1, 0, GWEI, now + 10_000, "ad"), 10 * GWEI),
        "optIn(uint256,uint32,uint256)": ((1, 0, 0), 0),
        "registerAttester()": ((), 100 * CMT),    # the default minimum bond
        "issueClaim(address,bytes32,uint64,bytes32)": ((someone, b"\x01" * 32, now + 10_000, b"\x02" * 32), 0),
        "createGroup(string,string,uint8,address,uint256,address,bytes32)": (
            ("g", "", data.draw(st.sampled_from([0, 1])), "0x" + "00" * 20, 0, "0x" + "00" * 20, b"\0" * 32),
            1_000 * CMT),                         # the default bond; an OPEN or an APPROVAL group
        "join(uint256)": ((count,), 0),
    }


def precompile_call(data, world: World, module: bytes) -> tuple[bytes, int]:
    """Call data of one of the module's functions and a value: arguments from a recipe or drawn
    by type; sometimes a random selector, truncated arguments or trailing junk."""
    recipes = _recipes(data, world)
    functions = sorted(PRECOMPILES[module].functions.values(), key=lambda f: f.signature)
    cooked = [f for f in functions if f.signature in recipes]
    function = data.draw(st.sampled_from(cooked if cooked and data.draw(st.booleans()) else functions))
    if function.signature in recipes and data.draw(st.sampled_from([True, True, True, False])):
        args, value = recipes[function.signature]
    else:
        args = [_arg(data, t, world) for t in function.inputs]
        value = data.draw(st.sampled_from(VALUES[:7])) if function.payable else 0
    encoded = function.selector + encode(list(function.inputs), list(args))
    damage = data.draw(st.sampled_from(["none"] * 6 + ["selector", "truncate", "append", "value"]))
    if damage == "selector":
        return data.draw(st.binary(min_size=0, max_size=4)) + encoded[4:], value
    if damage == "truncate":
        return encoded[:data.draw(st.integers(0, len(encoded)))], value
    if damage == "append":
        return encoded + data.draw(st.binary(min_size=1, max_size=64)), value
    if damage == "value":
        return encoded, data.draw(st.sampled_from(VALUES[:7]))
    return encoded, value


def _nested_call(data, world: World) -> Call:
    kind = data.draw(st.sampled_from(sorted(assembler.KINDS)))
    where = data.draw(st.sampled_from(["module"] * 8 + ["ethereum", "contract", "self"]))
    if where == "module":
        target = data.draw(st.sampled_from(MODULES))
        payload, value = precompile_call(data, world, target)
    elif where == "ethereum":
        target = data.draw(st.sampled_from(ETHEREUM_PRECOMPILES))
        payload = data.draw(st.binary(max_size=300))
    elif where == "contract" and world.contracts:
        target = data.draw(st.sampled_from(world.contracts[-8:]))
        payload = data.draw(st.binary(max_size=8))
    else:
        target, payload = assembler.SELF, b""  # recursion until gas or depth runs out
    if where != "module":
        value = data.draw(st.sampled_from([0, 0, 1, CMT, 10_000 * CMT]))
    return Call(kind=kind, target=target, data=payload, value=value,
                gas=data.draw(st.sampled_from([None, None, None, 0, 5_000, 100_000, 500_000])),
                must_succeed=data.draw(st.sampled_from([False, False, False, True])))


def hostile_runtime(data, world: World) -> bytes:
    calls = [_nested_call(data, world) for _ in range(data.draw(st.integers(1, 4)))]
    ending = data.draw(st.sampled_from(["stop"] * 8 + list(assembler.ENDINGS)))  # mostly kept effects
    return assembler.runtime(calls, ending)


# ---- signed transactions --------------------------------------------------------------------

def sign(key: LocalAccount, fields: dict) -> bytes | None:
    """The raw signed tx, or None when eth-account refuses to sign the fields."""
    try:
        return bytes(Account.sign_transaction(fields, key.key).raw_transaction)
    except Exception:
        return None


def _fields(data, world: World, key: LocalAccount, to: bytes | None, value: int, payload: bytes,
            gas: int) -> dict:
    sender = bytes.fromhex(key.address[2:])
    nonce = world.nonces.get(sender, 0)
    tx = {"nonce": nonce, "value": value, "gas": gas, "data": payload, "chainId": CHAIN_ID}
    if to is not None:
        tx["to"] = to_checksum_address(to)
    kind = data.draw(st.sampled_from(["1559", "1559", "legacy", "2930"]))
    if kind == "1559":
        tx.update(maxFeePerGas=2 * GWEI, maxPriorityFeePerGas=GWEI)
    else:
        tx["gasPrice"] = GWEI
        if kind == "2930":
            tx["accessList"] = [{"address": to_checksum_address(_address(data, world)),
                                 "storageKeys": ["0x" + "00" * 31 + "01"]}]
    return tx


def _absurd(data, world: World, tx: dict) -> dict:
    """One field of `tx` made absurd."""
    name = data.draw(st.sampled_from(["nonce", "gas", "value", "chainId", "fee", "unprotected", "to"]))
    if name == "nonce":
        tx["nonce"] = data.draw(st.sampled_from([tx["nonce"] + 1, 2**64 - 1, 2**64, 2**256 - 1]))
    elif name == "gas":
        tx["gas"] = data.draw(st.sampled_from([0, 100_000_000, 100_000_001, 2**63, 2**64 - 1, 2**256 - 1]))
    elif name == "value":
        tx["value"] = data.draw(st.sampled_from([2**255, 2**256 - 1]))
    elif name == "chainId":
        tx["chainId"] = data.draw(st.sampled_from([0, 1, CHAIN_ID + 1, 2**64]))
    elif name == "fee":
        price = data.draw(st.sampled_from([0, 1, 10**8, 2**128, 2**256 - 1]))
        if "gasPrice" in tx:
            tx["gasPrice"] = price
        else:
            tx.update(maxFeePerGas=price, maxPriorityFeePerGas=data.draw(st.sampled_from([0, price, price + 1])))
    elif name == "unprotected":
        tx.pop("chainId")
        tx.pop("accessList", None)
        tx["gasPrice"] = tx.pop("maxFeePerGas", GWEI)
        tx.pop("maxPriorityFeePerGas", None)
    else:
        tx["to"] = to_checksum_address(data.draw(st.binary(min_size=20, max_size=20)))
    return tx


def _mutate(data, raw: bytes) -> bytes:
    how = data.draw(st.sampled_from(["flip", "truncate", "insert", "append", "prefix", "splice"]))
    at = data.draw(st.integers(0, max(0, len(raw) - 1)))
    if how == "flip":
        return raw[:at] + bytes([raw[at] ^ data.draw(st.integers(1, 255))]) + raw[at + 1:]
    if how == "truncate":
        return raw[:at]
    if how == "insert":
        return raw[:at] + data.draw(st.binary(min_size=1, max_size=8)) + raw[at:]
    if how == "append":
        return raw + data.draw(st.binary(min_size=1, max_size=64))
    if how == "prefix":
        return bytes([data.draw(st.integers(0, 0x7F))]) + raw
    return raw[:at] + raw[at:][::-1]


def _junk(data) -> bytes:
    how = data.draw(st.sampled_from(["bytes", "deep", "claimed_deep", "typed", "list"]))
    if how == "bytes":
        return data.draw(st.binary(max_size=300))
    if how == "deep":  # a list nested this deep, lengths honest
        raw = b"\xc0"
        for _ in range(data.draw(st.integers(1, 300))):
            raw = rlp.codec.length_prefix(len(raw), 0xC0) + raw
        return raw
    if how == "claimed_deep":  # list headers that claim more than there is, tens of thousands deep
        return b"\xf9\xff\xff" * data.draw(st.integers(1, 40_000))
    if how == "typed":  # unknown and unsupported types (blob, set-code, the rest)
        return bytes([data.draw(st.integers(3, 0x7F))]) + rlp.encode([b"\x01"] * data.draw(st.integers(0, 14)))
    return rlp.encode(data.draw(st.lists(st.binary(max_size=40), max_size=12)))


def contract_address(sender: bytes, nonce: int) -> bytes:
    return keccak(rlp.encode([sender, nonce]))[12:]


KINDS = ["transfer", "precompile", "precompile", "precompile", "deploy", "constructor", "constructor",
         "call_contract", "call_contract", "call_contract", "initcode", "absurd", "mutated", "junk"]
CONTRACT_VALUES = [0, CMT, 2_000 * CMT, 10_000 * CMT, 100_000 * CMT]


def draw_tx(data, world: World) -> bytes:
    """One transaction, signed with the sender's next nonce (World.admitted moves it on)."""
    kind = data.draw(st.sampled_from(KINDS))
    if kind == "call_contract" and not world.contracts:
        kind = "constructor"
    if kind == "junk":
        return _junk(data)
    key = data.draw(st.sampled_from(world.keys))
    to, value, payload, gas = None, 0, b"", data.draw(st.sampled_from(GAS))
    if kind == "transfer":
        to, value = _address(data, world), data.draw(st.sampled_from(VALUES[:7]))
    elif kind in ("precompile", "absurd", "mutated"):
        to = data.draw(st.sampled_from(MODULES))
        payload, value = precompile_call(data, world, to)
        gas = max(gas, 100_000)
    elif kind == "deploy":
        payload = assembler.initcode(hostile_runtime(data, world))
        gas = data.draw(st.sampled_from([100_000, 2_000_000, 2_000_000]))
    elif kind == "constructor":  # the hostile calls run as the creation code, with the value sent
        payload = hostile_runtime(data, world)
        value = data.draw(st.sampled_from(CONTRACT_VALUES))
        gas = data.draw(st.sampled_from([100_000, 1_000_000, 2_000_000]))
    elif kind == "call_contract":
        to = data.draw(st.sampled_from(world.contracts[-8:]))
        value = data.draw(st.sampled_from(CONTRACT_VALUES))
        gas = data.draw(st.sampled_from([30_000, 100_000, 300_000, 1_000_000]))
    else:  # random initcode, sometimes around EIP-3860's 49,152-byte limit
        size = data.draw(st.sampled_from([0, 1, 33, 1_000, 49_152, 49_153, 60_000]))
        payload = data.draw(st.binary(min_size=min(size, 64), max_size=min(size, 64))).ljust(size, b"\x5b")
        gas = data.draw(st.sampled_from([53_000, 1_000_000, 3_000_000, 12_000_000]))
    fields = _fields(data, world, key, to, value, payload, gas)
    if kind == "absurd":
        fields = _absurd(data, world, fields)
    raw = sign(key, fields)
    if raw is None:
        return _junk(data)
    return _mutate(data, raw) if kind == "mutated" else raw
