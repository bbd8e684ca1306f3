"""Credit: what an address's ended orders say about it (issue 17, item 3), as pure integer rules.

settlement.py applies `record_ending` to both parties of every order as it ends, calls.py applies
`record_review` to the party a review is about; so a record is always what its orders say:
README.md ("Credit") defines each field by the stored orders, and the tests recompute it from them.
`compute_score` turns a record into the integer the `credit(address)` view returns with it.
"""

import dataclasses

from .records import REFUNDED_TO_BUYER, RESOLVED, Credit, Order

MIN_STARS, MAX_STARS = 1, 5   # a review's stars

# compute_score: score = SCORE_MAX * experience * rating * conduct, rounded down once
SCORE_MAX = 1000
EXPERIENCE_HALF_ORDERS = 10   # experience = n / (n + 10): 1/2 at 10 ended orders, towards 1 after
PRIOR_REVIEWS = 2             # rating counts two imagined 3-star reviews, so one review moves it little
PRIOR_STARS = 3
LOST_DISPUTE_WEIGHT = 4       # conduct = (n + 1) / (n + 1 + 4 * disputes lost)


def counts_for(order: Order, as_buyer: bool) -> bool:
    """Whether the order goes into that party's record: always the buyer's (it opened and paid);
    the seller's only once the seller accepted it, so nobody writes into a record by naming it as
    the seller of an order it never agreed to (and reviewing or disputing that order)."""
    return as_buyer or order.accepted_s != 0


def record_ending(credit: Credit, order: Order, as_buyer: bool) -> Credit:
    """One party's record after `order` ended (the order as stored at its end): one more order and
    its escrow in the party's role; for a decided dispute one more won or lost (the outcome names the
    winner: refunded to the buyer, the buyer won; released to the seller, the seller won); the
    order's end time as the last activity, and as the first if it is the party's first order."""
    first_s = credit.first_activity_s if credit.orders_as_buyer + credit.orders_as_seller else order.ended_s
    if as_buyer:
        credit = dataclasses.replace(credit, orders_as_buyer=credit.orders_as_buyer + 1,
                                     volume_as_buyer_wei=credit.volume_as_buyer_wei + order.escrow_wei)
    else:
        credit = dataclasses.replace(credit, orders_as_seller=credit.orders_as_seller + 1,
                                     volume_as_seller_wei=credit.volume_as_seller_wei + order.escrow_wei)
    won = order.state == RESOLVED and (order.outcome == REFUNDED_TO_BUYER) == as_buyer
    lost = order.state == RESOLVED and not won
    return dataclasses.replace(credit, disputes_won=credit.disputes_won + won,
                               disputes_lost=credit.disputes_lost + lost, first_activity_s=first_s,
                               last_activity_s=order.ended_s)


def record_review(credit: Credit, stars: int) -> Credit:
    """The reviewed party's record after one more review of `stars` (1..5)."""
    return dataclasses.replace(credit, reviews_received=credit.reviews_received + 1,
                               stars_received=credit.stars_received + stars)


def compute_score(credit: Credit) -> int:
    """0..999: SCORE_MAX times three factors in [0, 1], with one division at the end (integers only):

    - experience = n / (n + 10), n = ended orders as buyer and as seller: 0 without any, so a fresh
      address starts at 0 and leaving a bad record for a new address gains nothing;
    - rating = (stars - reviews + 2 * 2) / (4 * (reviews + 2)): the mean stars, with two imagined
      3-star reviews, mapped from 1..5 to 0..1 (1/2 without reviews);
    - conduct = (n + 1) / (n + 1 + 4 * disputes lost): a lost dispute weighs like four orders;
      disputes won count for nothing (being wronged is no merit).

    It grows with orders and good reviews, falls with bad reviews and lost disputes. Amounts do not
    enter it: a 1-wei order counts like a large one (the record has the volumes)."""
    n = credit.orders_as_buyer + credit.orders_as_seller
    reviews = credit.reviews_received
    stars_above_min = credit.stars_received - MIN_STARS * reviews + (PRIOR_STARS - MIN_STARS) * PRIOR_REVIEWS
    numerator = SCORE_MAX * n * stars_above_min * (n + 1)
    denominator = ((n + EXPERIENCE_HALF_ORDERS) * (MAX_STARS - MIN_STARS) * (reviews + PRIOR_REVIEWS)
                   * (n + 1 + LOST_DISPUTE_WEIGHT * credit.disputes_lost))
    return numerator // denominator
