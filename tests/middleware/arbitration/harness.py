"""Talking to the arbitration precompile like a wallet: the staking harness pointed at 0x...CC03,
plus a snapshot of everything the module stores (so a revert can be shown to change nothing), the
funds check (funds == the precompile's balance == what the records hold) and the credit check
(every stored credit record == a slow recomputation from the stored orders)."""

import contextlib
import dataclasses
import hashlib
import tempfile

from eth_abi import decode
from eth_hash.auto import keccak

from abci_app.middleware import arbitration
from abci_app.middleware.arbitration import views as arbitration_views
from abci_app.middleware.arbitration.records import DISPUTED, ENDED, REFUNDED_TO_BUYER, RESOLVED, Credit

from ...chain import CMT
from ...staking.harness import staking_state
from ..harness import ModuleChain

ARBITRATION = "0x" + arbitration.ADDRESS.hex()
GAS = 3_000_000

JOIN = "joinPool()"
LEAVE = "leavePool()"
WITHDRAW = "withdrawStake()"
OPEN = "openOrder(address,bytes32,uint64)"
ACCEPT = "acceptOrder(uint256)"
CONFIRM = "confirmDelivery(uint256)"
REFUND = "refund(uint256)"
DISPUTE = "raiseDispute(uint256,string)"
VOTE = "vote(uint256,bool)"
SETTLE = "settle(uint256)"
REVIEW = "review(uint256,uint8,string)"
DRAW = "drawArbiters(uint256)"
ORDER_ABI = [arbitration_views.ORDER_ABI]
ARBITER_ABI = ["(uint256,uint256,uint64,uint256,bool)"]
PARAMS_ABI = ["(uint256,uint8,uint16,uint64,uint64,uint16,uint64,uint256,uint16)"]
CREDIT_ABI = ["(uint256,uint256,uint256,uint256,uint256,uint256,uint256,uint256,uint64,uint64)", "uint256"]

MIN_STAKE = 100 * CMT
WINDOW_S = 60
VOTING_S = 60
UNBONDING_S = 120
DISPUTE_FEE = CMT // 10 + 3      # leaves a remainder when shared by 3 (or 2) voters
DRAW_DELAY = 2
TEST_PARAMS = {"min_arbiter_stake_wei": str(MIN_STAKE), "arbiters_per_case": 3, "fee_bps": 100,
               "dispute_window_seconds": WINDOW_S, "voting_seconds": VOTING_S, "arbiter_penalty_bps": 500,
               "unbonding_seconds": UNBONDING_S, "dispute_fee_wei": str(DISPUTE_FEE),
               "draw_delay_blocks": DRAW_DELAY}

# positions in the order(id) tuple
STATE, OUTCOME, DISPUTED_BY, REASON, DISPUTED_AT, VOTING_ENDS, ARBITER_COUNT = 8, 9, 10, 11, 12, 13, 14
DISPUTE_FEE_PAID, DRAW_HEIGHT, SEED_HEIGHT, PAID_TO_BUYER, PAID_TO_SELLER = 20, 21, 22, 23, 24

__all__ = ["ARBITRATION", "CMT", "ArbitrationChain", "arbitration_state", "block_hash", "chain_with_pool",
           "recompute_credit", "topic"]


def arbitration_state(keys, params: dict | None = None) -> dict:
    """Genesis: funded keys (1,000,000 CMT each), two staking validators, the arbitration params
    (the small test params unless given)."""
    state = staking_state(keys)
    state["arbitration"] = TEST_PARAMS if params is None else params
    return state


def canonical(address: str) -> bytes:
    return bytes.fromhex(address[2:])


def topic(signature: str) -> str:
    return "0x" + keccak(signature.encode()).hex()


def block_hash(height: int) -> bytes:
    """The in-process chain's hash of block `height` (what CometBFT would give)."""
    return hashlib.sha256(b"block-%d" % height).digest()


def recompute_credit(st: arbitration.ArbitrationState, address: bytes) -> Credit:
    """The credit record of `address` as the README defines it, the slow way: from every stored
    order 1..orderCount, ended ones only. Independent of credit.py on purpose."""
    party = int.from_bytes(address, "big")
    counts = dict.fromkeys((f.name for f in dataclasses.fields(Credit)), 0)
    ended_at = []
    for order_id in range(1, st.order_count + 1):
        o = st.order(order_id)
        if o.state not in ENDED or party not in (o.buyer, o.seller) or (party == o.seller and not o.accepted_s):
            continue                        # (a seller's record holds only the orders it accepted)
        role, stars_about = ("buyer", o.seller_stars) if party == o.buyer else ("seller", o.buyer_stars)
        counts[f"orders_as_{role}"] += 1
        counts[f"volume_as_{role}_wei"] += o.escrow_wei
        if o.state == RESOLVED:
            winner = o.buyer if o.outcome == REFUNDED_TO_BUYER else o.seller
            counts["disputes_won" if party == winner else "disputes_lost"] += 1
        if stars_about:
            counts["reviews_received"] += 1
            counts["stars_received"] += stars_about
        ended_at.append(o.ended_s)
    return dataclasses.replace(Credit(**counts), first_activity_s=min(ended_at, default=0),
                               last_activity_s=max(ended_at, default=0))


class ArbitrationChain(ModuleChain):
    """ModuleChain pointed at the arbitration precompile (its calls declare 3,000,000 gas)."""

    ADDRESS = ARBITRATION

    def call(self, key, signature: str, *args, value: int = 0, seconds: int = 1):
        """One arbitration call in its own block (gas limit 3,000,000), `seconds` after the last."""
        return self.send(key, signature, *args, value=value, gas=GAS, seconds=seconds, to=ARBITRATION)

    def open_order(self, buyer, seller, escrow: int, deadline_in: int = 30, ref: bytes = b"ref",
                   accepted: bool = True) -> int:
        """The buyer's order, which the seller then accepts (in the next block) unless told not to."""
        result = self.ok(buyer, OPEN, seller.address, ref.ljust(32, b"\0"), self.chain.time_s + deadline_in,
                         value=escrow)
        (order_id,) = decode(["uint256"], result.data)
        if accepted:
            self.ok(seller, ACCEPT, order_id)
        return order_id

    def dispute(self, key, order_id: int, reason: str = "not as described", value: int = DISPUTE_FEE):
        """raiseDispute paying the test params' dispute fee."""
        return self.ok(key, DISPUTE, order_id, reason, value=value)

    def settle_all(self, settler) -> list:
        """Every order not ended settled by `settler`, past every deadline; a dispute not drawn
        yet takes two settles (the first draws its arbiters, the second decides it). The results."""
        results = []
        for _ in range(2):
            for _ in range(DRAW_DELAY):
                self.block([])
            self.block([], seconds=1_000)
            st = self.state()
            for order_id in range(1, st.order_count + 1):
                if st.order(order_id).state not in ENDED:
                    results.append(self.call(settler, SETTLE, order_id))
        return results

    def draw(self, order_id: int, seconds: int = 1):
        """Empty blocks until the dispute's draw block exists, then drawArbiters (keys[0] calls)."""
        while self.chain.height < self.state().order(order_id).draw_height:
            self.block([])
        return self.ok(self.keys[0], DRAW, order_id, seconds=seconds)

    def arb_view(self, signature: str, returns: list[str], *args):
        """An arbitration view through a transaction (the first key pays the gas)."""
        return self.view(self.keys[0], signature, returns, *args, to=ARBITRATION)

    def order(self, order_id: int) -> tuple:
        (record,) = self.arb_view("order(uint256)", ORDER_ABI, order_id)
        return record

    def arbiter(self, key) -> tuple:
        (record,) = self.arb_view("arbiter(address)", ARBITER_ABI, key.address)
        return record

    def case(self, order_id: int) -> tuple[list[str], list[int]]:
        arbiters, votes = self.arb_view("caseArbiters(uint256)", ["address[]", "uint8[]"], order_id)
        return [a.lower() for a in arbiters], list(votes)

    def credit(self, key) -> tuple[tuple, int]:
        """The credit(address) view through a transaction: (the record as a tuple, the score)."""
        return self.arb_view("credit(address)", CREDIT_ABI, key.address)

    def ask_credit(self, key) -> tuple[tuple, int]:
        """The same view through the `/call` abci_query, as the CLI asks it (no transaction)."""
        return self.ask("credit(address)", CREDIT_ABI, key.address)

    def state(self) -> arbitration.ArbitrationState:
        return arbitration.state_view(self.chain.app.reader.state)

    def snapshot(self) -> tuple:
        """Staking's snapshot plus every arbitration record: orders (with reasons and drawn
        arbiters), the keys' arbiter and credit records, the pool and the funds total."""
        st = self.state()
        people = [canonical(k.address) for k in self.keys]
        orders = tuple((st.order(i), st.reason(i), tuple(st.case_arbiters(i)))
                       for i in range(1, st.order_count + 1))
        records = tuple((st.arbiter(p), st.credit(p)) for p in people)
        return super().snapshot(), orders, records, tuple(st.pool()), st.funds_wei, st.params()

    def assert_funds(self) -> None:
        """funds == the precompile's balance == stakes + unbonding stakes (in every pool) + escrows
        of orders that have not ended + dispute fees of disputes not decided == arbitration.owed
        (exact); the supply is unchanged."""
        st = self.state()
        running = [st.order(i) for i in range(1, st.order_count + 1) if st.order(i).state not in ENDED]
        held = sum(o.escrow_wei + (o.dispute_fee_wei if o.state == DISPUTED else 0) for o in running)
        for group in [0, *st.group_pools]:       # the global pool and every group's
            for p in [canonical(k.address) for k in self.keys]:
                a = st.arbiter(p, group)
                held += a.stake_wei + a.unbonding_wei
        owed = sum(arbitration.owed(self.chain.app.reader.state).values())
        assert st.funds_wei == self.chain.balance(ARBITRATION) == held == owed
        self.assert_supply()

    def assert_credit(self) -> None:
        """The stored credit record of every key and every party to an order equals the slow
        recomputation from the stored orders."""
        st = self.state()
        parties = {canonical(k.address) for k in self.keys}
        for order_id in range(1, st.order_count + 1):
            order = st.order(order_id)
            parties |= {order.buyer.to_bytes(20, "big"), order.seller.to_bytes(20, "big")}
        for party in sorted(parties):
            assert st.credit(party) == recompute_credit(st, party), "0x" + party.hex()


@contextlib.contextmanager
def chain_with_pool(keys, arbiters, stake_wei: int):
    """A chain of its own in a temporary folder (a hypothesis example gets no tmp_path), with
    `arbiters` in the pool at `stake_wei` each."""
    with tempfile.TemporaryDirectory() as tmp:
        net = ArbitrationChain.start(tmp + "/db", arbitration_state(keys))
        net.keys = keys
        try:
            for arbiter in arbiters:
                assert net.call(arbiter, JOIN, value=stake_wei).code == 0
            yield net
        finally:
            net.chain.app.close()
