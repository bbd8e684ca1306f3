"""Benchmark workloads: every transaction signed before any clock starts.

A workload is a genesis (funded accounts, a raised block gas limit), setup blocks (contract
deployment, token distribution, campaigns) run untimed, and the timed transactions. Contract and
campaign addresses are deterministic, so everything can be signed up front, and the same bytes
feed the application and the bare py-evm baseline. The timed transactions may come in stages
(the marketplace: a seller ships an order once it exists): each stage is committed before the
next is sent, at every level.
"""

from dataclasses import dataclass, field
from functools import partial
from itertools import zip_longest

from eth._utils.address import generate_contract_address
from eth_abi import encode
from eth_account import Account
from eth_hash.auto import keccak

from ..app.driver import GENESIS_TIME_S
from ..app.genesis import WEI_PER_CMT
from ..cli.node import DEFAULT_EVM_CHAIN_ID
from ..cli.wallet import GWEI, sign_tx
from ..contracts import load_contract
from ..middleware import coupons

RECIPIENT = "0x" + "be" * 20
MERCHANT = "0x" + "ee" * 20
COUPONS = "0x" + coupons.ADDRESS.hex()
CREATE = "createCampaign(address,uint256,uint32,int32,int32,uint32,uint64,uint64,address,string)"
CLAIM = "claim(uint256,int32,int32,uint64,bytes)"
CENTRE = (47_378_177, 8_540_192)  # Zurich main station, microdegrees
COUPON_VALUE = 10 * GWEI
BLOCK_GAS_LIMIT = 2_000_000_000  # application and socket levels: blocks of 1,000 claims must fit
ERC20_GAS = 60_000    # a transfer takes 35,683 gas (57,583 to a new holder): a wallet's margin
CLAIM_GAS = 250_000   # a claim takes 173,027 gas (224,327 the first in a campaign)
TIP = 50 * GWEI       # max fee 100 gwei: room for the base fee to rise over a sustained run of full blocks
NAMES = ("cmt", "erc20", "coupons", "mix", "marketplace")
FUNDING_CMT = 1000  # each key's genesis balance unless the workload says otherwise


@dataclass(frozen=True)
class Stage:
    """A run of timed txs sent once the previous run is committed."""

    size: int
    in_order: bool = False  # they create ids that later stages name: included in exactly this order


@dataclass
class Workload:
    name: str
    keys: list = field(default_factory=list)  # funded at genesis
    setup: list[list[bytes]] = field(default_factory=list)  # untimed blocks
    timed: list[bytes] = field(default_factory=list)  # per sender in nonce order
    senders: list[str] = field(default_factory=list)  # the sender of each timed tx
    stages: list[Stage] = field(default_factory=list)  # consecutive runs of `timed`; none: one stage of all
    funding_cmt: dict[str, int] = field(default_factory=dict)  # genesis balances other than FUNDING_CMT

    def genesis(self, engine: bool = True) -> dict:
        """The workload's genesis; `engine=True` raises the block gas limit so that blocks of any
        size measure the engine, `False` keeps the chain's own (end to end, as users meet it)."""
        return {
            "chain_id": DEFAULT_EVM_CHAIN_ID,
            **({"params": {"block_gas_limit": BLOCK_GAS_LIMIT}} if engine else {}),
            "accounts": [{"address": k.address,
                          "balance_wei": str(self.funding_cmt.get(k.address, FUNDING_CMT) * WEI_PER_CMT)}
                         for k in self.keys],
        }

    def staged(self) -> list[tuple[list[bytes], list[str], bool]]:
        """Each stage's txs, their senders, and whether they must be included in this order."""
        parts, first = [], 0
        for stage in self.stages or [Stage(len(self.timed))]:
            parts.append((self.timed[first:first + stage.size], self.senders[first:first + stage.size], stage.in_order))
            first += stage.size
        return parts

    def blocks(self, block_txs: int) -> list[list[bytes]]:
        """Blocks of up to `block_txs` timed txs; a block never holds two stages."""
        return [txs[i:i + block_txs] for txs, _, _ in self.staged() for i in range(0, len(txs), block_txs)]

    def lanes(self, count: int) -> list[list[list[bytes]]]:
        """Per stage, its txs over `count` client lanes, each sender's all in one lane, in order: a
        lane posts in order, so every sender's nonces reach the mempool in order. A stage that must
        be included in order goes as one lane (at equal tips the proposer takes mempool order)."""
        stages = []
        for txs, senders, in_order in self.staged():
            lane_of: dict[str, int] = {}
            lanes: list[list[bytes]] = [[] for _ in range(1 if in_order else count)]
            for raw, sender in zip(txs, senders):
                lanes[lane_of.setdefault(sender, len(lane_of) % len(lanes))].append(raw)
            stages.append(lanes)
        return stages


def call(signature: str, *args) -> bytes:
    inputs = signature[signature.index("(") + 1:-1]
    return keccak(signature.encode())[:4] + encode([t for t in inputs.split(",") if t], list(args))


def seeded_keys(tag: str, count: int) -> list:
    """Keys from fixed seeds: every run signs for the same accounts."""
    return [Account.from_key(keccak(b"bench-%s-%d" % (tag.encode(), i))) for i in range(count)]


def sign_bench_tx(key, nonce: int, to: str, value: int = 0, data: bytes = b"", gas: int = 21_000) -> bytes:
    """Every benchmark tx pays the same tip: at equal tips the proposer keeps mempool order."""
    return sign_tx(key, nonce, to, value, chain_id=DEFAULT_EVM_CHAIN_ID, gas=gas, gas_price_wei=TIP, data=data)


def _round_robin(senders: list, count: int, make) -> tuple[list[bytes], list[str]]:
    """`count` txs, sender i % n, consecutive nonces per sender: make(key, nonce, round); and
    the sender of each."""
    n = len(senders)
    order = [senders[i % n] for i in range(count)]
    return [make(key, i // n, i // n) for i, key in enumerate(order)], [key.address for key in order]


def cmt(count: int, accounts: int, tag: str = "cmt") -> Workload:
    keys = seeded_keys(tag, accounts)
    return Workload("cmt", keys, [], *_round_robin(keys, count,
                                                    lambda k, nonce, _: sign_bench_tx(k, nonce, RECIPIENT, 1)))


def erc20(count: int, accounts: int, tag: str = "erc20") -> Workload:
    deployer, *senders = seeded_keys(tag, accounts + 1)
    token = load_contract("Token")
    per_sender = -(-count // accounts)
    deploy = sign_bench_tx(deployer, 0, "", data=token.bytecode + encode(["string", "string", "uint256"],
                                                                         ["Bench", "BNC", 10**30]), gas=3_000_000)
    address = "0x" + generate_contract_address(bytes.fromhex(deployer.address[2:]), 0).hex()
    distribute = [sign_bench_tx(deployer, 1 + i, address, gas=100_000,
                                data=call("transfer(address,uint256)", k.address, per_sender))
                  for i, k in enumerate(senders)]
    timed = _round_robin(senders, count, lambda k, nonce, _: sign_bench_tx(
        k, nonce, address, data=call("transfer(address,uint256)", RECIPIENT, 1), gas=ERC20_GAS))
    return Workload("erc20", [deployer, *senders], [[deploy], distribute], *timed)


def claims(count: int, accounts: int, tag: str = "coupons", start_s: int = GENESIS_TIME_S) -> Workload:
    """One campaign per round: sender i claims in campaign 1 + i // accounts (once per campaign).
    Campaigns run from `start_s` (block time) for 10**7 s: a real node's blocks carry wall time."""
    sponsor, *claimers = seeded_keys(tag, accounts + 1)
    rounds = -(-count // accounts)
    end = start_s + 10**7
    create = [sign_bench_tx(sponsor, r, COUPONS, COUPON_VALUE * accounts, gas=1_000_000, data=call(
        CREATE, MERCHANT, COUPON_VALUE, accounts, *CENTRE, 1_000, start_s, end, "0x" + "00" * 20, "bench"))
        for r in range(rounds)]
    timed = _round_robin(claimers, count, lambda k, nonce, rnd: sign_bench_tx(
        k, nonce, COUPONS, data=call(CLAIM, 1 + rnd, CENTRE[0] + 100, CENTRE[1] - 100, 0, b""), gas=CLAIM_GAS))
    return Workload("coupons", [sponsor, *claimers], [create], *timed)


def mix(count: int, accounts: int, start_s: int = GENESIS_TIME_S) -> Workload:
    """A third each of CMT transfers, ERC-20 transfers and claims, interleaved (the claims part
    can be one or two longer: its extra txs come last)."""
    part = max(1, count // 3)
    parts = [cmt(part, accounts, "mix-cmt"), erc20(part, accounts, "mix-erc20"),
             claims(count - 2 * part, accounts, "mix-coupons", start_s)]
    rounds = zip_longest(*(zip(p.timed, p.senders) for p in parts))
    timed, senders = zip(*(pair for group in rounds for pair in group if pair is not None))
    setup = [block for p in parts for block in p.setup]
    return Workload("mix", [k for p in parts for k in p.keys], setup, list(timed), list(senders))


def build(name: str, count: int, accounts: int, start_s: int = GENESIS_TIME_S) -> Workload:
    """Workload `name`; campaigns (coupons, mix, marketplace) start at block time `start_s`."""
    from .marketplace import marketplace  # it builds on this module

    builders = {"cmt": cmt, "erc20": erc20, "coupons": partial(claims, start_s=start_s),
                "mix": partial(mix, start_s=start_s), "marketplace": partial(marketplace, start_s=start_s)}
    return builders[name](count, accounts)
