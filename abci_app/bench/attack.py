"""Issue 14's attack run: one attacker against a real single-validator chain, one vector at a time,
while an honest account sends one transfer a second.

A fresh node (LocalNode, the chain's own 60M block gas limit) serves the Ethereum gateway from its
app process, as `miles start` does. Genesis funds an attacker, an honest account and a staker
(whose unbondings the view scans read). Each phase runs `seconds` of its vector beside the honest
sender, then drains the mempool, and reports what the honest user saw (submit -> commit, p50 and
p99), the longest interval between two blocks' commits (bench/chain_watch.py), the app's peak
memory (its process tree: a query worker it starts counts too) and what the attacker paid (its
balance drop over the phase, per minute of attack).

Everyone talks to the node through public interfaces only (the gateway's JSON-RPC and CometBFT's
RPC), so the run measures the same thing whichever process inside serves queries. Both accounts
send as a wallet does, with the same tip (bench/eth_wallet.py). At equal tips the proposer takes
txs in mempool order, so the attacker keeps at most `backlog` of its txs in the mempool: the
honest tx waits behind at most that many.
"""

import base64
import itertools
import math
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from eth_abi import encode
from eth_account import Account
from eth_hash.auto import keccak
from eth_utils import to_checksum_address

from ..app.genesis import Params, WEI_PER_CMT
from ..cli.localnode import LocalNode, free_port, wait_until
from ..cli.node import DEFAULT_EVM_CHAIN_ID
from ..cli.wallet import GWEI, dev_account
from ..rpc import RpcError
from ..staking import ADDRESS as STAKING
from . import gas_work
from .chain_watch import ChainWatcher
from .eth_wallet import TIP_WEI, Eth, Wallet
from .supply import db_supply

HONEST_PERIOD_S = 1.0
HONEST_VALUE_WEI = WEI_PER_CMT // 1000
RECIPIENT = "0x" + "be" * 20
BACKLOG = 4            # attacker txs in the mempool at once
FLOOD_CLIENTS = 8      # concurrent eth_call clients (the gateway's worker threads)
JUNK_CLIENTS = 2
JUNK_BYTES = 100 * 1024
JUNK_POOL = 200        # distinct junk txs, sent round and round (CometBFT forgets refused ones)
JUNK_BATCH = 5         # 5 x 100 KiB in base64 stays under CometBFT's 1 MB request body
STALE_S = 30           # an attacker tx not committed by then was dropped (recheck): stop waiting for it
DRAIN_TIMEOUT_S = 120
START_TIMEOUT_S = 60
DEPLOY_GAS = 1_000_000
STAKER_UNBONDINGS = 7  # the most a (delegator, candidate) pair may have pending
STAKER_DELEGATION_CMT = 1_000  # the minimum delegation
PHASES = ("baseline", "max-gas loops", "block stuffing", "view scans", "eth_call flood", "junk txs")


def _key(name: str):
    return Account.from_key(keccak(b"attack-run-" + name.encode()))


ATTACKER, HONEST, STAKER = _key("attacker"), _key("honest"), _key("staker")


def genesis() -> dict:
    """The attacker is rich (a full block of loops costs ~0.1 CMT at the minimum base fee, the
    base fee rises 12.5% a full block); the others hold what they need."""
    funded = {ATTACKER: 1_000_000, HONEST: 1_000, STAKER: 2 * STAKER_DELEGATION_CMT}
    return {"chain_id": DEFAULT_EVM_CHAIN_ID,
            "accounts": [{"address": k.address, "balance_wei": str(cmt * WEI_PER_CMT)} for k, cmt in funded.items()]}


def percentile(values: list[float], share: float) -> float | None:
    """Nearest rank: the smallest value at or above `share` of them (None for none)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else None


@dataclass
class Run:
    """What every phase works with."""

    node: LocalNode
    eth: Eth
    watcher: ChainWatcher
    attacker: Wallet
    honest: Wallet
    staker: Wallet
    contracts: dict[str, str]
    backlog: int = BACKLOG
    flood_clients: int = FLOOD_CLIENTS
    gas_limit: int = Params().block_gas_limit

    def wait_committed(self, hashes: list[str], timeout_s: float = START_TIMEOUT_S) -> list[int]:
        """Each tx's ExecTxResult code once all are committed."""
        wait_until(lambda: all(h in self.watcher.committed for h in hashes), timeout_s, "setup txs to commit", 0.05)
        return [self.watcher.committed[h][2] for h in hashes]

    def deploy(self, runtime: bytes) -> str:
        tx_hash = self.attacker.send("", gas=DEPLOY_GAS, data=gas_work.initcode(runtime))
        if self.wait_committed([tx_hash]) != [0]:
            raise RuntimeError("an attack contract failed to deploy")
        return self.eth("eth_getTransactionReceipt", tx_hash)["contractAddress"]


# ---- the vectors: each runs until `stop` is set and returns its own counts ---------------------

def _tx_vector(target):
    """The attacker sends full-block-gas txs, `target(run, i)` -> (to, value, data), keeping at
    most `run.backlog` of them uncommitted."""
    def attack(run: Run, stop: threading.Event) -> dict:
        pending: dict[str, float] = {}
        sent = refused = 0
        while not stop.is_set():
            now = time.monotonic()
            pending = {h: t for h, t in pending.items() if h not in run.watcher.committed and now - t < STALE_S}
            if len(pending) >= run.backlog:
                stop.wait(0.02)
                continue
            to, value_wei, data = target(run, sent)
            try:
                pending[run.attacker.send(to, value_wei, run.gas_limit, data)] = now
                sent += 1
            except RpcError:
                refused += 1
                stop.wait(0.5)
        return {"attacker_txs": sent, "attacker_refused": refused}
    return attack


def _flood(run: Run, stop: threading.Event) -> dict:
    """`run.flood_clients` clients calling the loop contract with the block's gas, back to back:
    free for the caller (the node caps the gas at app.call_gas_cap)."""
    answered = [0] * run.flood_clients
    call = {"to": run.contracts["loop"], "gas": hex(run.gas_limit)}

    def client(i: int) -> None:
        eth = Eth(run.eth.url)
        while not stop.is_set():
            try:
                eth("eth_call", call, "latest")
            except RpcError as exc:
                if "cannot reach" in str(exc):  # no answer (refused, timed out): only answers count
                    stop.wait(0.05)
                    continue
            answered[i] += 1  # out of gas, the answer we expect, counts

    _in_threads(client, run.flood_clients)
    return {"eth_calls": sum(answered)}


def _junk_txs() -> list[bytes]:
    """JUNK_POOL txs of JUNK_BYTES calldata, each from its own key that holds nothing."""
    txs = []
    for i in range(JUNK_POOL):
        key = Account.from_key(keccak(b"attack-run-junk-%d" % i))
        tx = {"nonce": 0, "value": 0, "gas": Params().block_gas_limit, "chainId": DEFAULT_EVM_CHAIN_ID,
              "to": to_checksum_address(RECIPIENT), "data": keccak(key.key) * (JUNK_BYTES // 32),
              "maxFeePerGas": 2 * GWEI, "maxPriorityFeePerGas": TIP_WEI}
        txs.append(bytes(key.sign_transaction(tx).raw_transaction))
    return txs


def _junk(run: Run, stop: threading.Event) -> dict:
    """JUNK_CLIENTS clients posting junk with broadcast_tx_async as fast as CometBFT takes it."""
    pool, posted = _junk_txs(), [0] * JUNK_CLIENTS

    def client(i: int) -> None:
        for first in itertools.cycle(range(i * JUNK_BATCH, len(pool), JUNK_CLIENTS * JUNK_BATCH)):
            if stop.is_set():
                return
            batch = [{"jsonrpc": "2.0", "id": n, "method": "broadcast_tx_async",
                      "params": {"tx": base64.b64encode(raw).decode()}}
                     for n, raw in enumerate(pool[first:first + JUNK_BATCH])]
            try:
                posted[i] += len(run.node.rpc.post_batch("junk", batch))
            except RpcError:
                stop.wait(0.05)

    _in_threads(client, JUNK_CLIENTS)
    return {"junk_posted": sum(posted)}


def _in_threads(client, count: int) -> None:
    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _loop_target(run: Run, i: int):
    return run.contracts["loop"], 0, b""


def _stuffing_target(run: Run, i: int):
    return RECIPIENT, 1, b""  # declares the block's gas, uses 21,000


def _scan_target(run: Run, i: int):
    return run.contracts["candidates" if i % 2 == 0 else "unbondings"], 0, b""


def _stake_unbondings(run: Run) -> None:
    """The staker delegates to the validator and undelegates 1 CMT STAKER_UNBONDINGS times: the
    unbondings(staker) view then returns that many records (they mature after the devnet's 120 s,
    so this runs just before the view scans)."""
    run.staker.sync()
    validator = dev_account(0).address
    sends = [run.staker.send("0x" + STAKING.hex(), STAKER_DELEGATION_CMT * WEI_PER_CMT, DEPLOY_GAS,
                             keccak(b"delegate(address)")[:4] + encode(["address"], [validator]))]
    undelegate = keccak(b"undelegate(address,uint256)")[:4] + encode(["address", "uint256"], [validator, WEI_PER_CMT])
    sends += [run.staker.send("0x" + STAKING.hex(), 0, DEPLOY_GAS, undelegate) for _ in range(STAKER_UNBONDINGS)]
    if set(run.wait_committed(sends)) != {0}:
        raise RuntimeError("the staker's delegation or undelegations failed")


VECTORS = {  # name -> (untimed preparation or None, attack or None)
    "baseline": (None, None),
    "max-gas loops": (None, _tx_vector(_loop_target)),
    "block stuffing": (None, _tx_vector(_stuffing_target)),
    "view scans": (_stake_unbondings, _tx_vector(_scan_target)),
    "eth_call flood": (None, _flood),
    "junk txs": (None, _junk),
}


# ---- a phase, and the whole run ---------------------------------------------------------------

def _honest(run: Run, stop: threading.Event) -> tuple[list[tuple[str, float]], list[str]]:
    """One transfer every HONEST_PERIOD_S until `stop`: (tx hash, monotonic time the wallet
    started sending it) each, and why the node refused (or never answered) the others."""
    sent, refused = [], []
    started = time.monotonic()
    for i in itertools.count():
        if stop.wait(max(0.0, started + i * HONEST_PERIOD_S - time.monotonic())):
            return sent, refused
        at = time.monotonic()
        try:
            sent.append((run.honest.send(RECIPIENT, HONEST_VALUE_WEI), at))
        except RpcError as exc:
            refused.append(str(exc)[:200])


def _drain(run: Run) -> None:
    """Wait for the mempool to empty (what was sent is committed, or dropped by recheck) and for
    the watcher to see the node's last block."""
    wait_until(lambda: int(run.node.rpc.call("num_unconfirmed_txs")["n_txs"]) == 0, DRAIN_TIMEOUT_S,
               "the mempool to drain", 0.1)
    height = run.node.height()
    wait_until(lambda: run.watcher.height >= height, DRAIN_TIMEOUT_S, "the watcher to catch up", 0.05)


def run_phase(run: Run, name: str, seconds: float) -> dict:
    """`seconds` of vector `name` beside the honest sender, then the drain; the phase's figures."""
    prepare, attack = VECTORS[name]
    if prepare is not None:
        prepare(run)
    run.attacker.sync()
    run.honest.sync()
    balance_before = run.attacker.balance_wei()
    first = run.watcher.height
    stop = threading.Event()
    started = time.monotonic()
    with ThreadPoolExecutor(2) as pool:
        honest = pool.submit(_honest, run, stop)
        attacking = pool.submit(attack, run, stop) if attack is not None else None
        try:
            stop.wait(seconds)
        finally:
            stop.set()
        sent, refused = honest.result()
        counts = attacking.result() if attacking is not None else {}
    _drain(run)
    ended = time.monotonic()
    paid_wei = balance_before - run.attacker.balance_wei()
    outcomes = [(run.watcher.committed.get(tx_hash), at) for tx_hash, at in sent]
    waits = [seen[0] - at for seen, at in outcomes if seen is not None]
    blocks = [b for b in run.watcher.blocks if b.height >= first]
    return {
        "phase": name,
        "seconds": seconds,
        "honest_sent": len(sent) + len(refused),
        "honest_refused": len(refused),
        "honest_refusals": sorted(set(refused)),
        "honest_confirmed": sum(1 for seen, _ in outcomes if seen is not None and seen[2] == 0),
        "honest_failed": sum(1 for seen, _ in outcomes if seen is not None and seen[2] != 0),
        "honest_p50_s": percentile(waits, 0.50),
        "honest_p99_s": percentile(waits, 0.99),
        "blocks": len(blocks) - 1,
        "longest_block_interval_s": max(b.seen_s - a.seen_s for a, b in zip(blocks, blocks[1:])),
        "app_peak_rss_mib": max(mib for at, mib in run.watcher.rss if started <= at <= ended),
        "attacker_cmt_per_min": paid_wei / WEI_PER_CMT / (seconds / 60),
        **counts,
    }


def _view_scan(selector: bytes) -> bytes:
    """Runtime code that STATICCALLs the staking precompile with `selector`'s call forever."""
    return gas_work.calls(int.from_bytes(STAKING, "big"), selector, kind=gas_work.STATICCALL)


def measure(seconds: float, backlog: int = BACKLOG, flood_clients: int = FLOOD_CLIENTS,
            phases: tuple[str, ...] = PHASES) -> dict:
    """The attack run on a fresh node: the figures of every phase, then the supply invariant and
    every module's solvency on the stopped app's committed state."""
    with tempfile.TemporaryDirectory() as tmp:
        gateway_port = free_port()
        node = LocalNode.create(Path(tmp) / "node", genesis_extra=genesis(),
                                app_env={"MILES_GATEWAY_PORT": str(gateway_port)})
        db = node.home.load().app_db(node.home.path)
        watcher = None
        try:
            node.start()
            eth = Eth(f"http://127.0.0.1:{gateway_port}")
            wait_until(lambda: _answers(eth), START_TIMEOUT_S, "the gateway to answer")
            watcher = ChainWatcher(node.config.rpc_url, node.app.pid, node.height() + 1).start()
            run = Run(node, eth, watcher, Wallet(ATTACKER, eth), Wallet(HONEST, eth), Wallet(STAKER, eth), {},
                      backlog, flood_clients)
            run.attacker.sync()
            run.contracts = {
                "loop": run.deploy(gas_work.instruction(0x39)),  # CODECOPY: the slowest work per gas
                "candidates": run.deploy(_view_scan(keccak(b"candidates()")[:4])),
                "unbondings": run.deploy(_view_scan(keccak(b"unbondings(address)")[:4]
                                                    + encode(["address"], [STAKER.address]))),
            }
            figures = [run_phase(run, name, seconds) for name in phases]
        finally:
            if watcher is not None:
                watcher.stop()
            node.stop()
        supply = db_supply(db)
    settings = {"phase_seconds": seconds, "backlog": backlog, "flood_clients": flood_clients,
                "block_gas_limit": Params().block_gas_limit, "tip_wei": TIP_WEI}
    return {"settings": settings, "phases": figures, **supply}


def _answers(eth: Eth) -> bool:
    try:
        return bool(eth("eth_chainId"))
    except RpcError:
        return False


COLUMNS = (("phase", "phase", "{}"), ("honest ok/sent", None, "{}"), ("p50 s", "honest_p50_s", "{:.2f}"),
           ("p99 s", "honest_p99_s", "{:.2f}"), ("longest block gap s", "longest_block_interval_s", "{:.2f}"),
           ("blocks", "blocks", "{}"), ("app RSS MiB", "app_peak_rss_mib", "{:.0f}"),
           ("attacker CMT/min", "attacker_cmt_per_min", "{:.4f}"))
EXTRAS = ("attacker_txs", "attacker_refused", "eth_calls", "junk_posted", "honest_failed", "honest_refused")


def table(doc: dict) -> str:
    """The figures as a Markdown table, a row a phase; the vector's own counts after it."""
    lines = ["| " + " | ".join(title for title, _, _ in COLUMNS) + " |",
             "|" + "---|" * len(COLUMNS)]
    for phase in doc["phases"]:
        cells = [f"{phase['honest_confirmed']}/{phase['honest_sent']}" if key is None else
                 "-" if phase[key] is None else form.format(phase[key]) for _, key, form in COLUMNS]
        lines.append("| " + " | ".join(cells) + " |")
    for phase in doc["phases"]:
        counts = ", ".join(f"{key} {phase[key]}" for key in EXTRAS if phase.get(key))
        if counts:
            lines.append(f"{phase['phase']}: {counts}")
        for reason in phase.get("honest_refusals", ()):
            lines.append(f"{phase['phase']}: an honest transfer refused: {reason}")
    return "\n".join(lines)
