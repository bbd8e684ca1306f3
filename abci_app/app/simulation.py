"""`/simulate`: eth_simulateV1 in one query (evm/simulated_blocks.py runs it).

The query's data is the method's payload as the specification writes it ({blockStateCalls,
validation, traceTransfers}, hex quantities), parsed here strictly: anyone may send it. The
answer is {"blocks": [...]} in the app's plain JSON (the gateway shapes Ethereum's objects), or
{"error": {code, message}} with the specification's code for a request it refuses.
"""

import json

from eth_utils import is_hex_address, to_canonical_address

from ..evm.simulated_blocks import (
    ACCESS_LIST, DYNAMIC_FEE, LEGACY, MAX_BLOCKS, AccountOverride, BlockOverrides, BlockRequest, Parent,
    SimulatedBlock, SimulatedCall, SimulationError, simulate_blocks,
)
from ..staking import REWARD_POOL
from ..store import Overlay, keys
from . import chain_records
from .genesis import current_params

INVALID_PARAMS = -32602
LIMIT_EXCEEDED = -38026
MAX_OVERRIDE_ITEMS = 4096   # accounts and storage slots overridden in one request
MIN_BLOB_BASE_FEE = 1       # EIP-4844's minimum, what BLOBBASEFEE answers here
UINT64, UINT256 = 2**64, 2**256
HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


def answer(ctx) -> dict:
    """The `/simulate` answer at the query's height (a query.QueryContext)."""
    if ctx.height == 0:   # before the first Commit the store holds no state to build on
        return {"error": {"code": -32000, "message": "no committed block yet"}}
    try:
        requests, validation, trace_transfers = parse_payload(ctx.data)
        blocks = simulate_blocks(ctx.reader.vm, Overlay(ctx.store), ctx.reader.state_root, ctx.genesis.chain_id,
                                 _parent(ctx), requests, validation=validation, trace_transfers=trace_transfers,
                                 gas_budget=ctx.call_gas_cap)
    except SimulationError as exc:
        return {"error": {"code": exc.code, "message": exc.message}}
    return {"blocks": [_block_json(block) for block in blocks]}


def _parent(ctx) -> Parent:
    state = ctx.reader.state
    params = current_params(ctx.genesis, state)
    record = json.loads(ctx.store.get(keys.block_key(ctx.height)) or b"{}")
    return Parent(number=ctx.height, timestamp=record.get("time_s", 0), gas_limit=params.block_gas_limit,
                  next_base_fee=chain_records.base_fee(state, params.min_gas_price_wei),
                  min_gas_price=params.min_gas_price_wei, coinbase=REWARD_POOL,
                  hashes=tuple(reversed(chain_records.recent_hashes(state, ctx.height))),
                  system_accounts=frozenset({chain_records.ADDRESS, REWARD_POOL}))


# the payload


def parse_payload(data: bytes) -> tuple[tuple[BlockRequest, ...], bool, bool]:
    """(block requests, validation, traceTransfers) of eth_simulateV1's payload."""
    try:
        payload = json.loads(data or b"null")
    except (ValueError, RecursionError):
        raise _invalid("the payload is not JSON") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("blockStateCalls"), list):
        raise _invalid("the payload must be an object with blockStateCalls: [...]")
    calls = payload["blockStateCalls"]
    if len(calls) > MAX_BLOCKS:
        raise SimulationError(LIMIT_EXCEEDED, f"at most {MAX_BLOCKS} blocks are simulated at once")
    requests = tuple(_block_request(item) for item in calls)
    items = sum(len(request.state) + sum(len(o.storage or ()) + len(o.storage_diff) for _, o in request.state)
                for request in requests)
    if items > MAX_OVERRIDE_ITEMS:
        raise SimulationError(LIMIT_EXCEEDED, f"at most {MAX_OVERRIDE_ITEMS} accounts and slots are overridden")
    return requests, _flag(payload, "validation"), _flag(payload, "traceTransfers")


def _invalid(message: str) -> SimulationError:
    return SimulationError(INVALID_PARAMS, message)


def _flag(document: dict, name: str) -> bool:
    value = document.get(name, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _invalid(f"{name} must be a boolean")
    return value


def _object(value, name: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _invalid(f"{name} must be an object")
    return value


def _block_request(item) -> BlockRequest:
    item = _object(item, "a block state call")
    block = _object(item.get("blockOverrides"), "blockOverrides")
    state = _object(item.get("stateOverrides"), "stateOverrides")
    calls = [] if item.get("calls") is None else item["calls"]
    if not isinstance(calls, list):
        raise _invalid("calls must be an array")
    if block.get("withdrawals"):
        raise _invalid("withdrawals do not exist on this chain")
    if _quantity(block.get("blobBaseFee"), "blobBaseFee", UINT64) not in (None, MIN_BLOB_BASE_FEE):
        raise _invalid("blobBaseFee: this chain takes no blobs, so its blob base fee stays at the minimum, 0x1")
    overrides = BlockOverrides(
        number=_quantity(block.get("number"), "number", UINT64),
        time=_quantity(block.get("time"), "time", UINT64),
        gas_limit=_quantity(block.get("gasLimit"), "gasLimit", UINT64),
        fee_recipient=_address(block.get("feeRecipient"), "feeRecipient"),
        base_fee=_quantity(block.get("baseFeePerGas"), "baseFeePerGas", UINT256),
        prev_randao=_word(block.get("prevRandao"), "prevRandao"),
    )
    accounts = _unique({_address(address, "a stateOverrides key"): _account_override(override)
                        for address, override in state.items()}, len(state), "an account")
    return BlockRequest(overrides, accounts, tuple(_call(call) for call in calls))


def _account_override(value) -> AccountOverride:
    value = _object(value, "an account override")
    if value.get("state") is not None and value.get("stateDiff") is not None:
        raise _invalid("an account override has state or stateDiff, not both")
    storage = None if value.get("state") is None else _storage(value["state"], "state")
    return AccountOverride(
        nonce=_quantity(value.get("nonce"), "nonce", UINT64),
        balance=_quantity(value.get("balance"), "balance", UINT256),
        code=_bytes(value.get("code"), "code"),
        storage=storage, storage_diff=_storage(value.get("stateDiff"), "stateDiff") or (),
        move_precompile_to=_address(value.get("movePrecompileToAddress"), "movePrecompileToAddress"),
    )


def _storage(value, name: str) -> tuple[tuple[int, int], ...]:
    slots = _object(value, name)
    return _unique({_int_word(slot, name): _int_word(word, name) for slot, word in slots.items()}, len(slots),
                   f"a {name} slot")


def _unique(parsed: dict, given: int, what: str) -> tuple:
    """The parsed entries, sorted; refused if two keys as given name one (an address in two cases)."""
    if len(parsed) != given:
        raise _invalid(f"{what} is given twice")
    return tuple(sorted(parsed.items()))


def _call(value) -> SimulatedCall:
    value = _object(value, "a call")
    payload = value.get("input") if value.get("input") is not None else value.get("data")
    type_id = _quantity(value.get("type"), "type", 256)
    fees = {name: _quantity(value.get(name), name, UINT256) for name in ("gasPrice", "maxFeePerGas",
                                                                          "maxPriorityFeePerGas")}
    access_list = _access_list(value.get("accessList"))
    if type_id is None:
        type_id = DYNAMIC_FEE if fees["gasPrice"] is None else ACCESS_LIST if access_list else LEGACY
    if type_id not in (LEGACY, ACCESS_LIST, DYNAMIC_FEE):
        raise _invalid(f"transaction type {type_id} is not simulated here (0, 1 and 2 are)")
    if fees["gasPrice"] is not None and (type_id == DYNAMIC_FEE or fees["maxFeePerGas"] is not None
                                         or fees["maxPriorityFeePerGas"] is not None):
        raise _invalid("gasPrice and the fee-market fields are not given together")
    if type_id == LEGACY and access_list:
        raise _invalid("a legacy transaction has no access list")
    to = _address(value.get("to"), "to")
    return SimulatedCall(
        sender=_address(value.get("from"), "from") or b"\0" * 20, to=to, data=_bytes(payload, "input") or b"",
        value=_quantity(value.get("value"), "value", UINT256) or 0, gas=_quantity(value.get("gas"), "gas", UINT64),
        nonce=_quantity(value.get("nonce"), "nonce", UINT64), type_id=type_id, gas_price=fees["gasPrice"] or 0,
        max_fee=fees["maxFeePerGas"] or 0, max_priority_fee=fees["maxPriorityFeePerGas"] or 0,
        access_list=access_list)


def _access_list(value) -> tuple[tuple[bytes, tuple[int, ...]], ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        raise _invalid("accessList must be an array of {address, storageKeys}")
    entries = []
    for entry in value:
        slots = entry.get("storageKeys") or []
        if not isinstance(slots, list):
            raise _invalid("storageKeys must be an array")
        if entry.get("address") is None:
            raise _invalid("an access list entry has no address")
        entries.append((_address(entry["address"], "an access list address"),
                        tuple(_int_word(slot, "storageKeys") for slot in slots)))
    return tuple(entries)


def _hex(value, name: str) -> str:
    if not isinstance(value, str) or not value.startswith("0x"):
        raise _invalid(f"{name} must be a 0x-prefixed hex string")
    return value[2:]


def _quantity(value, name: str, bound: int) -> int | None:
    if value is None:
        return None
    digits = _hex(value, name)
    if not digits or len(digits) > 64 or not all(c in HEX_DIGITS for c in digits):
        raise _invalid(f"{name} is not a hex quantity")
    number = int(digits, 16)
    if number >= bound:
        raise _invalid(f"{name} is out of range")
    return number


def _bytes(value, name: str) -> bytes | None:
    if value is None:
        return None
    digits = _hex(value, name)
    if len(digits) % 2 or not all(c in HEX_DIGITS for c in digits):
        raise _invalid(f"{name} is not hex bytes")
    return bytes.fromhex(digits)


def _word(value, name: str) -> bytes | None:
    word = _bytes(value, name)
    if word is not None and len(word) != 32:
        raise _invalid(f"{name} must be 32 bytes")
    return word


def _int_word(value, name: str) -> int:
    return int.from_bytes(_word(value, name), "big")


def _address(value, name: str) -> bytes | None:
    if value is None:
        return None
    if not isinstance(value, str) or not is_hex_address(value):
        raise _invalid(f"{name} is not an address")
    return to_canonical_address(value)


# the answer


def _block_json(block: SimulatedBlock) -> dict:
    header = block.header
    return {
        "number": header.block_number, "hash": "0x" + header.hash.hex(), "parent_hash": "0x" + header.parent_hash.hex(),
        "time_s": header.timestamp, "gas_limit": header.gas_limit, "gas_used": header.gas_used,
        "base_fee_wei": str(header.base_fee_per_gas), "miner": "0x" + header.coinbase.hex(),
        "mix_hash": "0x" + header.mix_hash.hex(), "state_root": "0x" + header.state_root.hex(),
        "transactions_root": "0x" + header.transaction_root.hex(), "receipts_root": "0x" + header.receipt_root.hex(),
        "logs_bloom": "0x" + header.bloom.to_bytes(256, "big").hex(),
        "calls": [{"hash": "0x" + call.tx.hash.hex(), "raw": "0x" + call.tx.encode().hex(),
                   "from": "0x" + call.sender.hex(), "status": 1 if call.success else 0,
                   "output": "0x" + call.output.hex(), "gas_used": call.gas_used, "error": call.error,
                   "reverted": call.reverted, "logs": [log.to_json() for log in call.logs]}
                  for call in block.calls],
    }
