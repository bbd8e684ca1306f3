"""abci_query paths, answered as JSON from committed state (docs/reference.md lists them).

State paths answer at the query's height when it names a recent committed block (the app keeps
every block's state root, and state nodes are never deleted), else at the last committed block.
`answer_query` is the whole answer, the same in the app process and in a query worker
(OFFLOADED_ROUTES run there: app/query_pool.py).
"""

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass

import rlp
import structlog
from eth_hash.auto import keccak
from eth_utils import is_hex_address, to_canonical_address
from trie import HexaryTrie

from .. import staking
from ..abci import types
from ..evm import BlockContext
from ..evm.accounts import decode_account
from ..evm.reader import StateReader
from ..evm.simulate import CallRequest, create_access_list, estimate_gas, simulate
from ..staking import REWARD_POOL, StakingState, views
from ..store import Overlay, ReadBudgetExceeded, Store, keys
from . import chain_records, codes, fee_oracle, fork_config, simulation, solvency
from .genesis import Genesis, current_params
from .history import oldest_block, pruned_below, pruned_log
from .logs import TooManyLogs, collect_logs, parse_filter, stored_block
from .pruning import oldest_kept, state_root_at
from .settings import AppSettings

log = structlog.get_logger(__name__)

# The routes that run the EVM or may read much of the store: a node answers them in a query
# worker process, never on the loop that runs blocks (issue 14).
OFFLOADED_ROUTES = frozenset({"call", "estimate", "accesslist", "simulate", "logs", "solvency", "proof", "storages"})
MAX_PROOF_KEYS = 1024  # storage keys per /proof, as geth caps eth_getProof's


@dataclass(frozen=True, slots=True)
class QueryContext:
    """What a query may read: committed state and store, genesis, the committed height."""

    reader: StateReader
    store: Store
    genesis: Genesis
    height: int
    staking: StakingState
    audit_max_reads: int  # this node's bound on one /solvency (AppSettings)
    call_gas_cap: int     # the most gas one /call may use (AppSettings)
    data: bytes = b""   # the query's data (the JSON body of `/call`)


@dataclass(frozen=True, slots=True)
class QueryResult:
    code: int
    value: bytes = b""
    log: str = ""


def _json(doc) -> QueryResult:
    return QueryResult(codes.OK, json.dumps(doc, sort_keys=True).encode())


def query_account(ctx: QueryContext, arg: str) -> QueryResult:
    if not is_hex_address(arg):
        return QueryResult(codes.QUERY_BAD_REQUEST, log=f"not an address: {arg!r}")
    account = ctx.reader.account(to_canonical_address(arg))
    return _json(
        {
            "address": "0x" + to_canonical_address(arg).hex(),
            "balance": str(account.balance_wei),
            "nonce": account.nonce,
            "code_hash": "0x" + account.code_hash.hex(),
        }
    )


def query_tx(ctx: QueryContext, arg: str) -> QueryResult:
    try:
        tx_hash = bytes.fromhex(arg.removeprefix("0x"))
    except ValueError:
        tx_hash = b""
    if len(tx_hash) != 32:
        return QueryResult(codes.QUERY_BAD_REQUEST, log=f"not a transaction hash: {arg!r}")
    stored = ctx.store.get(keys.receipt_key(tx_hash))
    if stored is None:
        oldest = oldest_block(ctx.store)
        return QueryResult(codes.QUERY_NOT_FOUND, log=f"no committed transaction {arg}"
                           + (f" ({pruned_log(ctx.store)})" if oldest > 1 else ""))
    return QueryResult(codes.OK, stored)


def query_code(ctx: QueryContext, arg: str) -> QueryResult:
    address = _address_arg(arg)
    if address is None:
        return QueryResult(codes.QUERY_BAD_REQUEST, log=f"not an address: {arg!r}")
    return _json({"address": "0x" + address.hex(), "code": "0x" + ctx.reader.code(address).hex()})


def query_storage(ctx: QueryContext, arg: str) -> QueryResult:
    """`/storage/<address>/<slot>`: one storage word (slot as decimal or 0x hex)."""
    address_text, _, slot_text = arg.partition("/")
    address = _address_arg(address_text)
    try:
        slot = int(slot_text, 0)
    except ValueError:
        slot = -1
    if address is None or not 0 <= slot < 2**256:
        return QueryResult(codes.QUERY_BAD_REQUEST, log="use /storage/<address>/<slot>")
    value = ctx.reader.storage(address, slot)
    return _json({"address": "0x" + address.hex(), "slot": hex(slot), "value": "0x" + value.to_bytes(32, "big").hex()})


def query_storages(ctx: QueryContext, arg: str) -> QueryResult:
    """`/storages` with JSON {address: [slot]} as query data (eth_getStorageValues): {address:
    [32-byte word]} from one block. At most MAX_PROOF_KEYS slots and accounts in all (an account
    without slots counts as one)."""
    try:
        asked = json.loads(ctx.data or b"{}")
        wanted = {_address_arg(address): [int(slot, 0) for slot in slots]
                  for address, slots in asked.items()} if isinstance(asked, dict) else None
    except (ValueError, TypeError, AttributeError, RecursionError):
        wanted = None
    if not wanted or None in wanted or not all(0 <= slot < 2**256 for slots in wanted.values() for slot in slots):
        return QueryResult(codes.QUERY_BAD_REQUEST, log="use /storages with JSON {address: [slot]} as data")
    if sum(max(1, len(slots)) for slots in wanted.values()) > MAX_PROOF_KEYS:
        return QueryResult(codes.QUERY_TOO_MANY_RESULTS, log=f"at most {MAX_PROOF_KEYS} storage keys and accounts")
    return _json({"0x" + address.hex(): ["0x" + ctx.reader.storage(address, slot).to_bytes(32, "big").hex()
                                         for slot in slots] for address, slots in wanted.items()})


class _StateNodes(dict):
    """The store's state trie nodes by hash, each read at most once per query: the proofs of many
    storage keys share their upper nodes (every one starts at the root)."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self._store = store

    def __missing__(self, node_hash: bytes) -> bytes:
        node = self._store.get(keys.state_key(node_hash))
        if node is None:
            raise KeyError(node_hash)
        self[node_hash] = node
        return node


def trie_proof(trie: HexaryTrie, key: bytes) -> list[str]:
    """EIP-1186's proof of `key` in `trie`: the RLP of each node from the root along the key's
    path, as far as the path goes (an absent key's proof ends where it leaves the trie; an empty
    trie's is empty). A node under 32 bytes is embedded in its parent, so it is not listed on its
    own, as geth lists them: verifiers walk the list, each node by the hash its parent holds."""
    encoded = [rlp.encode(node) for node in trie.get_proof(key)]
    return ["0x" + node.hex() for depth, node in enumerate(encoded) if depth == 0 or len(node) >= 32]


def query_proof(ctx: QueryContext, arg: str) -> QueryResult:
    """`/proof/<address>` with a JSON list of storage slots (0x hex or decimal strings, at most
    MAX_PROOF_KEYS) as query data (eth_getProof): the account, its proof in the state trie (keyed
    by keccak(address)), and each slot's value and proof in the account's storage trie (keyed by
    keccak of the 32-byte slot). An absent account or slot gets its exclusion proof. Everything is
    read from the tries, never the account cache, so each value is the one its proof proves."""
    address = _address_arg(arg)
    try:
        asked = json.loads(ctx.data or b"[]")
        slots = [int(slot, 0) for slot in asked[:MAX_PROOF_KEYS + 1]] if isinstance(asked, list) else None
    except (ValueError, TypeError, RecursionError):
        slots = None
    if address is None or slots is None or not all(0 <= slot < 2**256 for slot in slots):
        return QueryResult(codes.QUERY_BAD_REQUEST, log="use /proof/<address> with a JSON list of slots as data")
    if len(slots) > MAX_PROOF_KEYS:
        return QueryResult(codes.QUERY_TOO_MANY_RESULTS, log=f"at most {MAX_PROOF_KEYS} storage keys per proof")
    nodes = _StateNodes(ctx.store)
    accounts = HexaryTrie(nodes, ctx.reader.state_root)
    account = decode_account(accounts.get(keccak(address)))
    storage = HexaryTrie(nodes, account.storage_root)
    proofs = []
    for slot in slots:
        key = keccak(slot.to_bytes(32, "big"))
        value = storage.get(key)
        proofs.append({"slot": hex(slot), "value": "0x" + (rlp.decode(value) if value else b"").rjust(32, b"\0").hex(),
                       "proof": trie_proof(storage, key)})
    return _json({"address": "0x" + address.hex(), "balance": str(account.balance), "nonce": account.nonce,
                  "code_hash": "0x" + account.code_hash.hex(), "storage_hash": "0x" + account.storage_root.hex(),
                  "account_proof": trie_proof(accounts, keccak(address)), "storage_proof": proofs})


def _access_list(entries) -> tuple[tuple[bytes, tuple[int, ...]], ...]:
    """A `/call` body's access_list, [{address, storage_keys: [0x slot]}] (ValueError if not)."""
    if not isinstance(entries, list) or not all(isinstance(entry, dict) and isinstance(entry.get("storage_keys"), list)
                                                for entry in entries):
        raise ValueError("access_list must be [{address, storage_keys: [slot]}]")
    parsed = tuple((to_canonical_address(entry["address"]), tuple(int(slot, 16) for slot in entry["storage_keys"]))
                   for entry in entries)
    if not all(0 <= slot < 2**256 for _, slots in parsed for slot in slots):
        raise ValueError("a storage key is not a 256-bit slot")
    return parsed


def _call_request(ctx: QueryContext) -> CallRequest | QueryResult:
    """The JSON body {from, to, data, value, gas, access_list} of `/call` and `/estimate` (the
    list as `/accesslist` answers it: [{address, storage_keys}]), its gas capped at
    the node's `call_gas_cap` (a call that names none gets the cap, as geth's RPCGasCap does);
    a QueryResult (code 41) if it is malformed."""
    try:
        doc = json.loads(ctx.data or b"{}")
        to = doc.get("to")
        request = CallRequest(
            sender=to_canonical_address(doc.get("from") or "0x" + "00" * 20),
            to=to_canonical_address(to) if to else None,
            data=bytes.fromhex((doc.get("data") or "0x").removeprefix("0x")),
            value_wei=int(doc.get("value") or 0),
            gas=int(doc.get("gas") or ctx.call_gas_cap),
            access_list=_access_list(doc.get("access_list") or []),
        )
    except (ValueError, TypeError, AttributeError, LookupError, RecursionError) as exc:
        return QueryResult(codes.QUERY_BAD_REQUEST, log=f"bad call: {exc}")
    if request.gas <= 0 or request.value_wei < 0:
        return QueryResult(codes.QUERY_BAD_REQUEST, log="gas must be > 0 and value >= 0")
    return dataclasses.replace(request, gas=min(request.gas, ctx.call_gas_cap))


def _call_json(result) -> dict:
    return {"success": result.success, "output": "0x" + result.output.hex(), "gas_used": result.gas_used,
            "error": result.error}


def query_call(ctx: QueryContext, arg: str) -> QueryResult:
    """`/call` with a JSON body {from, to, data, value, gas} as query data: runs the call on the
    committed state and keeps nothing (eth_call). Gas above the node's `call_gas_cap` (and a call
    that names none) gets the cap."""
    request = _call_request(ctx)
    if isinstance(request, QueryResult):
        return request
    return _json(_call_json(simulate(ctx.reader, request, _call_block(ctx))))


def query_estimate(ctx: QueryContext, arg: str) -> QueryResult:
    """`/estimate` with a `/call` body: the smallest gas at which the call succeeds, searched for
    within the body's gas (capped as `/call`'s) in one query, so the whole search has one time
    budget (eth_estimateGas). Answers `gas` (null if the call fails with all of it) and the
    call's result with all of it (`success`, `output`, `gas_used`, `error`)."""
    request = _call_request(ctx)
    if isinstance(request, QueryResult):
        return request
    block = _call_block(ctx)
    gas, at_most = estimate_gas(lambda gas: simulate(ctx.reader, dataclasses.replace(request, gas=gas), block),
                                request.gas)
    return _json({"gas": gas, **_call_json(at_most)})


def query_access_list(ctx: QueryContext, arg: str) -> QueryResult:
    """`/accesslist` with a `/call` body: the addresses and storage slots the call touches and its
    result run with them as its access list (eth_createAccessList; evm/simulate.py), at most
    MAX_ACCESS_LIST_RUNS runs in one query's time budget."""
    request = _call_request(ctx)
    if isinstance(request, QueryResult):
        return request
    access_list, result = create_access_list(ctx.reader, request, _call_block(ctx))
    return _json({"access_list": [{"address": "0x" + address.hex(),
                                   "storage_keys": ["0x" + slot.to_bytes(32, "big").hex() for slot in slots]}
                                  for address, slots in access_list], **_call_json(result)})


def query_simulate(ctx: QueryContext, arg: str) -> QueryResult:
    """`/simulate` with eth_simulateV1's payload as query data: calls run in simulated blocks
    on the queried state, with block and state overrides, nothing kept (app/simulation.py)."""
    return _json(simulation.answer(ctx))


def _call_block(ctx: QueryContext) -> BlockContext:
    """The block a call runs in: the queried height's number, time and hash, and the hashes of
    the 255 blocks before it (BLOCKHASH; the state after H holds H-255..H), as geth runs eth_call
    at "latest". No base fee: a call pays no gas."""
    record = json.loads(ctx.store.get(keys.block_key(ctx.height)) or b"{}")
    state = ctx.reader.state
    return BlockContext(
        height=ctx.height, timestamp_s=record.get("time_s", 0),
        prev_randao=bytes.fromhex(record.get("hash", "")).rjust(32, b"\0")[:32],
        gas_limit=current_params(ctx.genesis, state).block_gas_limit, base_fee_wei=0, coinbase=REWARD_POOL,
        prev_hashes=tuple(reversed(chain_records.recent_hashes(state, ctx.height)[:-1])),  # H-255..H-1
    )


def query_chain(ctx: QueryContext, arg: str) -> QueryResult:
    """What a wallet needs before signing: the EVM chain id, the minimum gas price and the base
    fee of the next block."""
    params = current_params(ctx.genesis, ctx.reader.state)
    return _json(
        {
            "chain_id": ctx.genesis.chain_id,
            "height": ctx.height,
            "min_gas_price_wei": str(params.min_gas_price_wei),
            "base_fee_wei": str(chain_records.base_fee(ctx.reader.state, params.min_gas_price_wei)),
            "block_gas_limit": params.block_gas_limit,
        }
    )


def query_config(ctx: QueryContext, arg: str) -> QueryResult:
    """`/config`: the EVM rules in force, as EIP-7910 describes a fork (eth_config)."""
    return _json(fork_config.config_json(ctx.reader, ctx.genesis.chain_id))


def query_fees(ctx: QueryContext, arg: str) -> QueryResult:
    """`/fees`: what a tx pays to be included soon, in one query (eth_gasPrice,
    eth_maxPriorityFeePerGas): the next block's base fee and the fee oracle's suggested tip."""
    params = current_params(ctx.genesis, ctx.reader.state)
    return _json({"height": ctx.height,
                  "base_fee_wei": str(chain_records.base_fee(ctx.reader.state, params.min_gas_price_wei)),
                  "suggested_tip_wei": str(fee_oracle.suggested_tip(ctx.store, ctx.height))})


def query_history(ctx: QueryContext, arg: str) -> QueryResult:
    """`/history`: the history this node answers for, from `oldest_block` (block records,
    receipts, logs) and `oldest_state` (state reads, proofs) to `height`, the block `hash`
    (eth_capabilities)."""
    head = ctx.store.get(keys.block_key(ctx.height))
    return _json({"height": ctx.height, "hash": json.loads(head)["hash"] if head else None,
                  "oldest_block": oldest_block(ctx.store), "oldest_state": max(1, _oldest_state(ctx.store))})


def query_block(ctx: QueryContext, arg: str) -> QueryResult:
    """`/block/<height>`: the stored block record (hash, time, gas used, tx hashes) and its receipts."""
    height = int(arg) if arg.isdecimal() and len(arg) <= 19 else 0
    if not 1 <= height < 2**63:   # (a height is 8 bytes in the store's keys)
        return QueryResult(codes.QUERY_BAD_REQUEST, log="use /block/<height>")
    if height < oldest_block(ctx.store):
        return QueryResult(codes.QUERY_PRUNED, log=f"block {height}: {pruned_log(ctx.store)}")
    block = stored_block(ctx.store, height)
    if block is None:
        return QueryResult(codes.QUERY_NOT_FOUND, log=f"no committed block {height}")
    return _json(block)


def query_logs(ctx: QueryContext, arg: str) -> QueryResult:
    """`/logs` with a JSON filter {from, to, address, topics, limit} as query data (eth_getLogs)."""
    try:
        logfilter = parse_filter(ctx.data, ctx.height)
        if logfilter.from_height < oldest_block(ctx.store):
            return QueryResult(codes.QUERY_PRUNED, log=f"logs from block {logfilter.from_height}: {pruned_log(ctx.store)}")
        logs = collect_logs(ctx.store, logfilter)
    except TooManyLogs as exc:
        return QueryResult(codes.QUERY_TOO_MANY_RESULTS, log=str(exc))
    except (ValueError, TypeError, RecursionError) as exc:
        return QueryResult(codes.QUERY_BAD_REQUEST, log=f"bad log filter: {exc}")
    return _json({"logs": logs})


def _address_arg(arg: str) -> bytes | None:
    return to_canonical_address(arg) if is_hex_address(arg) else None


def query_validators(ctx: QueryContext, arg: str) -> QueryResult:
    """The current validator set, ranked, with power and consensus key."""
    return _json({"height": ctx.height, "validators": [
        {**views.candidate_json(ctx.staking, operator), "power": power}
        for operator, power in views.validator_set(ctx.staking)
    ]})


def query_candidate(ctx: QueryContext, arg: str) -> QueryResult:
    operator = _address_arg(arg)
    if operator is None:
        return QueryResult(codes.QUERY_BAD_REQUEST, log=f"not an address: {arg!r}")
    if not ctx.staking.candidate(operator).exists:
        return QueryResult(codes.QUERY_NOT_FOUND, log=f"{arg} is not a candidate")
    return _json(views.candidate_json(ctx.staking, operator))


def query_candidates(ctx: QueryContext, arg: str) -> QueryResult:
    return _json({"candidates": [views.candidate_json(ctx.staking, op) for op in sorted(ctx.staking.candidates)]})


def query_delegations(ctx: QueryContext, arg: str) -> QueryResult:
    delegator = _address_arg(arg)
    if delegator is None:
        return QueryResult(codes.QUERY_BAD_REQUEST, log=f"not an address: {arg!r}")
    return _json(views.delegations_json(ctx.staking, delegator))


def query_params(ctx: QueryContext, arg: str) -> QueryResult:
    return _json({"staking": {k: str(v) for k, v in ctx.staking.params().to_json().items()},
                  "chain": json.loads(query_chain(ctx, "").value)})


def query_supply(ctx: QueryContext, arg: str) -> QueryResult:
    return _json(views.supply_json(ctx.staking))


def query_rewards(ctx: QueryContext, arg: str) -> QueryResult:
    delegator = _address_arg(arg)
    if delegator is None:
        return QueryResult(codes.QUERY_BAD_REQUEST, log=f"not an address: {arg!r}")
    return _json(views.rewards_json(ctx.staking, delegator))


def query_solvency(ctx: QueryContext, arg: str) -> QueryResult:
    """Each precompile's balance against what its records owe, and the supply invariant
    (app/solvency.py); `solvent` is false if any of them is broken. The audit walks every account
    and module record, anyone may ask, and queries run where blocks do: it reads at most the
    node's `audit_max_reads` and refuses past it. Larger states are audited in process (tests,
    `miles bench`)."""
    reader = ctx.reader
    bounded = StateReader(reader.vm, Overlay(ctx.store, max_reads=ctx.audit_max_reads), reader.state_root,
                          ctx.genesis.chain_id)
    try:
        audit = solvency.check(bounded)
    except ReadBudgetExceeded:
        return QueryResult(codes.QUERY_TOO_MANY_RESULTS,
                           log=f"the state is too large to audit in a query (over {ctx.audit_max_reads} "
                               "reads: the node's app.audit_max_reads)")
    return _json({"height": ctx.height, **audit.to_json()})


ROUTES: dict[str, Callable[[QueryContext, str], QueryResult]] = {
    "account": query_account,
    "code": query_code,
    "storage": query_storage,
    "proof": query_proof,
    "storages": query_storages,
    "call": query_call,
    "estimate": query_estimate,
    "accesslist": query_access_list,
    "simulate": query_simulate,
    "chain": query_chain,
    "tx": query_tx,
    "block": query_block,
    "history": query_history,
    "fees": query_fees,
    "config": query_config,
    "logs": query_logs,
    "validators": query_validators,
    "candidate": query_candidate,
    "candidates": query_candidates,
    "delegations": query_delegations,
    "params": query_params,
    "supply": query_supply,
    "rewards": query_rewards,
    "solvency": query_solvency,
}


def route_of(path: str) -> str:
    """The route of a query path: `call` for `/call`, `account` for `/account/0x..`."""
    return path.strip("/").partition("/")[0]


def route_query(path: str, ctx: QueryContext) -> QueryResult:
    """Dispatch `/<route>/<argument>` to its handler."""
    route, _, arg = path.strip("/").partition("/")
    handler = ROUTES.get(route)
    if handler is None:
        return QueryResult(codes.QUERY_BAD_REQUEST, log=f"unknown query path {path!r}; known: "
                           + ", ".join(f"/{name}/..." for name in sorted(ROUTES)))
    return handler(ctx, arg)


# ---- the whole answer --------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class CommittedView:
    """The last committed block as a query sees it: its height, the state after it, the store."""

    store: Store
    genesis: Genesis
    height: int
    reader: StateReader  # the state after block `height`


def answer_query(req: types.RequestQuery, view: CommittedView, settings: AppSettings) -> types.ResponseQuery:
    """The answer to `req` from `view`: at `req.height` if that block's state is kept, else at
    the view's. A bug in a handler answers INTERNAL (and is logged), never an exception."""
    height = req.height or view.height
    try:
        reader = reader_at(view, settings, height)
        if reader is None:
            return types.ResponseQuery(code=codes.QUERY_NOT_FOUND, height=view.height,
                                       log=_no_state(view, settings, height))
        context = QueryContext(reader, view.store, view.genesis, height, staking.state_view(reader.state),
                               settings.audit_max_reads, settings.call_gas_cap, req.data)
        result = route_query(req.path, context)
    except Exception:
        log.exception("query_bug", path=req.path)
        return types.ResponseQuery(code=codes.INTERNAL, log="internal error")
    return types.ResponseQuery(code=result.code, value=result.value, log=result.log, height=height)


def _oldest_state(store: Store) -> int:
    """The oldest height whose state a query can read: its nodes kept, and its block record."""
    return max(oldest_kept(store), pruned_below(store))


def _no_state(view: CommittedView, settings: AppSettings, height: int) -> str:
    oldest = _oldest_state(view.store)
    if 0 < height < oldest:
        return (f"no state at height {height}: pruned or before this node's first state (it answers for "
                f"{oldest} to {view.height}; keep_recent {settings.keep_recent}, keep_blocks {settings.keep_blocks})")
    return f"no state at height {height}: the last committed block is {view.height}"


def reader_at(view: CommittedView, settings: AppSettings, height: int) -> StateReader | None:
    """The committed state after block `height`: every block record keeps its state root
    (the app hash), and pruning keeps every node of the versions from oldest_kept on."""
    if height == view.height:
        return view.reader
    if height < _oldest_state(view.store):
        return None
    root = state_root_at(view.store, height) if 0 < height < view.height else None
    if root is None:
        return None
    return StateReader(view.reader.vm, Overlay(view.store), root, view.genesis.chain_id)
