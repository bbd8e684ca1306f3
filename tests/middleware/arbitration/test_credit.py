"""Credit (credit.py): the score's bounds and direction and the README's examples; and a hypothesis
run of orders that end every way (confirmed, refunded, settled on timeout, disputes decided by any
votes or none) and of reviews by anyone, checked after every block: every credit record equals a
slow recomputation from all the stored orders (harness.recompute_credit), and a review succeeds
exactly when its writer is a party to the ended order and has not reviewed it yet, with 1..5 stars.
"""

import dataclasses

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from abci_app.cli.wallet import dev_account
from abci_app.middleware.arbitration.credit import compute_score
from abci_app.middleware.arbitration.records import DISPUTED, ENDED, OPEN as OPEN_STATE, RESOLVED, Credit

from .harness import (ACCEPT, CMT, CONFIRM, DISPUTE, DISPUTE_FEE, DRAW, JOIN, MIN_STAKE, OPEN, REFUND, REVIEW,
                      SETTLE, VOTE, VOTING_S, WINDOW_S, ArbitrationChain, chain_with_pool)

KEYS = [dev_account(i) for i in range(9)]
BY_ADDRESS = {int(k.address, 16): k for k in KEYS}
PARTIES, ARBITERS = (2, 3, 4, 5), (6, 7, 8)
DEADLINE_S = 30
REVERTED = 32

# ---- the score ------------------------------------------------------------------------------------

# (ended orders as buyer, as seller, disputes lost, reviews received, stars received) -> score; the
# README's table shows the same rows
EXAMPLES = [((0, 0, 0, 0, 0), 0), ((1, 0, 0, 0, 0), 45), ((0, 1, 0, 1, 4), 53), ((0, 1, 1, 0, 0), 15),
            ((0, 10, 0, 10, 50), 458), ((0, 10, 0, 10, 10), 41), ((0, 10, 2, 10, 40), 205),
            ((30, 70, 0, 60, 300), 894), ((0, 1000, 0, 1000, 5000), 989)]


def _record(as_buyer: int, as_seller: int, lost: int, reviews: int, stars: int) -> Credit:
    return Credit(as_buyer, 0, as_seller, 0, 0, lost, reviews, stars, 0, 0)


def test_the_readme_examples():
    assert [compute_score(_record(*fields)) for fields, _ in EXAMPLES] == [score for _, score in EXAMPLES]


@st.composite
def records(draw) -> Credit:
    """Records the calls can make: reviews and decided disputes at most one per ended order."""
    orders = draw(st.integers(0, 10**6))
    reviews = draw(st.integers(0, orders))
    won = draw(st.integers(0, orders))
    return Credit(orders, draw(st.integers(0, 2**200)), 0, 0, won, draw(st.integers(0, orders - won)), reviews,
                  draw(st.integers(reviews, 5 * reviews)), 0, 0)


def _more(record: Credit, **extra: int) -> Credit:
    return dataclasses.replace(record, **{name: getattr(record, name) + n for name, n in extra.items()})


@settings(max_examples=300)
@given(records(), st.integers(1, 5))
def test_the_score_is_bounded_and_moves_the_documented_way(record, stars):
    score = compute_score(record)
    assert 0 <= score < 1000
    if record.orders_as_buyer == 0:
        assert score == 0
    assert compute_score(_more(record, orders_as_buyer=1)) >= score
    assert compute_score(_more(record, orders_as_buyer=1, disputes_won=1)) >= score
    assert compute_score(_more(record, orders_as_buyer=1, disputes_lost=1)) <= compute_score(
        _more(record, orders_as_buyer=1))
    assert compute_score(_more(record, disputes_lost=1)) <= score
    reviewed = compute_score(_more(record, reviews_received=1, stars_received=stars))
    top, bottom = record.stars_received + 6, record.reviews_received + 2   # the mean with the prior: top / bottom
    if stars * bottom >= top:
        assert reviewed >= score
    if stars * bottom <= top:
        assert reviewed <= score
    assert compute_score(_more(record, volume_as_buyer_wei=1, disputes_won=1)) == score   # amounts, wins: no


# ---- the record against the orders, over random histories ---------------------------------------

picks = st.integers(0, 99)
# by the order's buyer or seller, or by someone else (a key index); then maybe the same again
reviews = st.tuples(st.just("review"), picks, st.sampled_from(["buyer", "seller"] * 3 + [*PARTIES, ARBITERS[0]]),
                    st.sampled_from([1, 2, 3, 4, 5, 5, 0, 6]), st.booleans())
actions = st.one_of(
    st.tuples(st.just("open"), st.sampled_from(PARTIES), st.sampled_from(PARTIES),
              st.sampled_from([1, 10 * CMT + 7, 3 * CMT])),
    st.tuples(st.just("confirm"), picks),
    st.tuples(st.just("refund"), picks),
    st.tuples(st.just("timeout"), picks),
    # raise (by the buyer or the seller), draw, then each drawn arbiter votes (True: refund) or not
    st.tuples(st.just("dispute"), picks, st.booleans(),
              st.just([None] * 3) | st.lists(st.sampled_from([True, False, None]), min_size=3, max_size=3)),
    reviews, reviews,
    # the seller accepts (mostly), or someone else tries to
    st.tuples(st.just("accept"), picks, st.sampled_from(["seller"] * 4 + [PARTIES[0]])),
    st.tuples(st.just("accept"), picks, st.just("seller")),
)


class Run:
    def __init__(self, net: ArbitrationChain) -> None:
        self.net = net

    def call(self, key, signature: str, *args, value: int = 0, seconds: int = 1) -> bool:
        """One call in its own block; whether it succeeded (a revert is fine, a VM error is not)."""
        result = self.net.call(key, signature, *args, value=value, seconds=seconds)
        assert result.code in (0, REVERTED), result.log
        event(f"{signature.split('(')[0]} {'ok' if result.code == 0 else result.log}")
        return result.code == 0

    def pick(self, n: int, states: tuple[int, ...]) -> int:
        """An order id: mostly one in `states`, sometimes any (to hit the reverts)."""
        st_ = self.net.state()
        wanted = [i for i in range(1, st_.order_count + 1) if st_.order(i).state in states]
        return wanted[n % len(wanted)] if wanted and n % 5 else 1 + n % st_.order_count

    def run(self, action) -> None:
        kind, *args = action
        net = self.net
        if kind == "open":
            buyer, seller, escrow = args
            self.call(KEYS[buyer], OPEN, KEYS[seller].address, b"\x02" * 32, net.chain.time_s + DEADLINE_S,
                      value=escrow)
            return
        if net.state().order_count == 0:
            return
        order_id = self.pick(args[0], ENDED if kind == "review" else (OPEN_STATE,))
        order = net.state().order(order_id)
        buyer, seller = BY_ADDRESS[order.buyer], BY_ADDRESS[order.seller]
        if kind == "accept":
            accepter = seller if args[1] == "seller" else KEYS[args[1]]
            allowed = accepter is seller and order.state == OPEN_STATE and not order.accepted_s
            assert self.call(accepter, ACCEPT, order_id) == allowed
        elif kind == "confirm":
            self.call(buyer, CONFIRM, order_id)
        elif kind == "refund":
            self.call(seller, REFUND, order_id)
        elif kind == "timeout":
            past = max(1, order.delivery_deadline_s + WINDOW_S + 1 - net.chain.time_s)
            self.call(KEYS[0], SETTLE, order_id, seconds=past)
        elif kind == "dispute":
            self.dispute(order_id, buyer if args[1] else seller, args[2])
        else:
            who, stars, again = args[1:]
            writer = {"buyer": buyer, "seller": seller}.get(who) or KEYS[who]
            for _ in range(1 + again):
                self.review(order_id, writer, stars)

    def dispute(self, order_id: int, by, votes: list) -> None:
        """Raise, draw, vote as `votes` says, settle when someone stayed silent: decided."""
        if not self.call(by, DISPUTE, order_id, "not as described", value=DISPUTE_FEE):
            return
        while self.net.chain.height < self.net.state().order(order_id).draw_height:
            self.net.block([])
        assert self.call(KEYS[0], DRAW, order_id)
        for (arbiter, _), refund in zip(self.net.state().case_arbiters(order_id), votes):
            if refund is not None:
                assert self.call(BY_ADDRESS[int.from_bytes(arbiter, "big")], VOTE, order_id, refund)
        if self.net.state().order(order_id).state == DISPUTED:
            assert self.call(KEYS[0], SETTLE, order_id, seconds=VOTING_S)
        assert self.net.state().order(order_id).state == RESOLVED

    def review(self, order_id: int, writer, stars: int) -> None:
        """The review rule, restated: a party, the order ended, its first review, 1..5 stars, and
        the buyer only of an order the seller accepted."""
        order = self.net.state().order(order_id)
        writer_int = int(writer.address, 16)
        own = order.buyer_stars if writer_int == order.buyer else order.seller_stars
        allowed = (writer_int in (order.buyer, order.seller) and order.state in ENDED and own == 0
                   and 1 <= stars <= 5 and (writer_int == order.seller or order.accepted_s != 0))
        assert self.call(writer, REVIEW, order_id, stars, "ok") == allowed


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(actions, min_size=10, max_size=30))
def test_every_credit_record_is_what_the_orders_say(steps):
    # arbiters at twice the minimum stake stay eligible through many penalties for silence
    with chain_with_pool(KEYS, [KEYS[i] for i in ARBITERS], 2 * MIN_STAKE) as net:
        run = Run(net)
        for buyer, seller in ((2, 3), (3, 4), (4, 2)):
            run.run(("open", buyer, seller, 5 * CMT))
        for action in steps:
            run.run(action)
            net.assert_credit()
        net.assert_funds()


# ---- a seller's consent -------------------------------------------------------------------------

def test_a_stranger_cannot_lower_a_sellers_credit(net, keys):
    """ATTACK (review of issue 17): a seller with a good record (ten confirmed orders, 5 stars
    each: 458); a stranger opens 1-wei orders naming it and confirms them at once, or disputes
    them and wins. Before `acceptOrder` each was an order, a 1-star review or a lost dispute in the
    seller's record for gas alone (ten 1-star reviews took it to 333). Orders the seller never
    accepted stay out of its record, and their buyer cannot review it."""
    seller, customer, stranger = keys[3], keys[2], keys[8]
    seller_address = bytes.fromhex(seller.address[2:])
    for _ in range(10):
        order_id = net.open_order(customer, seller, CMT)
        net.ok(customer, CONFIRM, order_id)
        net.ok(customer, REVIEW, order_id, 5, "great")
    before = net.state().credit(seller_address)
    assert compute_score(before) == 458
    for arbiter in keys[5:8]:
        net.ok(arbiter, JOIN, value=MIN_STAKE)
    for dispute in (False, True):
        order_id = net.open_order(stranger, seller, 1, accepted=False)
        if dispute:
            net.dispute(stranger, order_id)
            net.draw(order_id)
            net.ok(keys[0], SETTLE, order_id, seconds=VOTING_S)       # nobody voted: the buyer wins
        else:
            net.ok(stranger, CONFIRM, order_id)
        net.revert(stranger, "the seller did not accept this order", REVIEW, order_id, 1, "junk")
    assert net.state().credit(seller_address) == before
    assert net.state().credit(bytes.fromhex(stranger.address[2:])).orders_as_buyer == 2   # the buyer's side counts
