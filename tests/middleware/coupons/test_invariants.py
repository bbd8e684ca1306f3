"""Random sequences of coupons calls and block time keep the books: checked after every block.

Each example runs a fresh chain through random createCampaign / claim / transfer / redeem /
reclaim calls and time advances. A small model written here, independently of the module,
predicts whether each call succeeds and what the records become; after every block the
precompile's `funds` word equals its balance and what the live campaigns still escrow, the paid
amounts add up, and the total supply is unchanged.
"""

import tempfile
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abci_app.cli.wallet import dev_account
from tests.staking.harness import StakingChain, staking_state

from .harness import CENTRE, CLAIM, COUPONS, RECLAIM, REDEEM, TRANSFER, CouponsNet

KEYS = [dev_account(i) for i in range(5)]
FAR = (CENTRE[0] + 30_000, CENTRE[1])
picks = st.integers(0, 999)
actions = st.one_of(
    st.tuples(st.just("create"), picks, picks, st.integers(1, 10**6), st.integers(1, 3), st.integers(-5, 20),
              st.integers(1, 60)),
    st.tuples(st.just("claim"), picks, picks, st.booleans()),
    st.tuples(st.just("transfer"), picks, st.booleans(), picks),
    st.tuples(st.just("redeem"), picks, st.booleans()),
    st.tuples(st.just("reclaim"), picks, st.booleans()),
    st.tuples(st.just("time"), st.integers(1, 40)),
)


@dataclass
class Campaign:
    sponsor: int
    merchant: int
    value: int
    count: int
    start: int
    end: int
    claimed: int = 0
    redeemed: int = 0
    reclaimed: bool = False


@dataclass
class Coupon:
    campaign: int       # index into the model's campaigns
    holder: int
    redeemed: bool = False


def _pick(items: list, pick: int):
    return (pick % len(items), items[pick % len(items)]) if items else (None, None)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(actions, min_size=5, max_size=30))
def test_random_sequences_keep_funds_equal_to_the_balance(steps):
    with tempfile.TemporaryDirectory() as tmp:
        net = CouponsNet(StakingChain.start(tmp + "/db", staking_state(KEYS)))
        try:
            _run(net, steps)
        finally:
            net.chain.app.close()


def _run(net: CouponsNet, steps) -> None:
    campaigns: list[Campaign] = []
    coupons: list[Coupon] = []
    claimed: set[tuple[int, int]] = set()
    escrowed = paid = 0
    for step in steps:
        kind, *args = step
        t = net.now + 1                                    # the time of the block the call lands in
        if kind == "create":
            sponsor, merchant, value, count, start_offset, duration = args
            sponsor, merchant = sponsor % 5, merchant % 5
            start = max(0, t + start_offset)
            end = max(start, t) + duration
            campaign_id = net.create(KEYS[sponsor], KEYS[merchant].address, value=value, count=count, start=start,
                                     end=end)
            assert campaign_id == len(campaigns) + 1
            campaigns.append(Campaign(sponsor, merchant, value, count, start, end))
            escrowed += value * count
        elif kind == "claim":
            pick, user, inside = args
            user = user % 5
            index, c = _pick(campaigns, pick)
            if c is None:
                continue
            expect = (c.start <= t < c.end and c.claimed < c.count and (index, user) not in claimed and inside)
            result = net.send(KEYS[user], CLAIM, index + 1, *(CENTRE if inside else FAR), 0, b"")
            assert (result.code == 0) == expect, result.log
            if expect:
                c.claimed += 1
                claimed.add((index, user))
                coupons.append(Coupon(index, user))
        elif kind == "transfer":
            pick, by_holder, to = args
            index, coupon = _pick(coupons, pick)
            if coupon is None:
                continue
            sender = coupon.holder if by_holder else (coupon.holder + 1) % 5
            to = to % 5
            expect = sender == coupon.holder and not coupon.redeemed and to != sender
            result = net.send(KEYS[sender], TRANSFER, index + 1, KEYS[to].address)
            assert (result.code == 0) == expect, result.log
            if expect:
                coupon.holder = to
        elif kind == "redeem":
            pick, by_holder = args
            index, coupon = _pick(coupons, pick)
            if coupon is None:
                continue
            c = campaigns[coupon.campaign]
            sender = coupon.holder if by_holder else (coupon.holder + 1) % 5
            expect = sender == coupon.holder and not coupon.redeemed and t < c.end
            result = net.send(KEYS[sender], REDEEM, index + 1)
            assert (result.code == 0) == expect, result.log
            if expect:
                coupon.redeemed = True
                c.redeemed += 1
                paid += c.value
        elif kind == "reclaim":
            pick, by_sponsor = args
            index, c = _pick(campaigns, pick)
            if c is None:
                continue
            sender = c.sponsor if by_sponsor else (c.sponsor + 1) % 5
            expect = sender == c.sponsor and t >= c.end and not c.reclaimed
            result = net.send(KEYS[sender], RECLAIM, index + 1)
            assert (result.code == 0) == expect, result.log
            if expect:
                c.reclaimed = True
                paid += (c.count - c.redeemed) * c.value
        else:
            net.net.block(seconds=args[0])
        _check(net, campaigns, coupons, escrowed - paid)


def _check(net: CouponsNet, campaigns: list[Campaign], coupons: list[Coupon], held: int) -> None:
    st_ = net.state()
    assert st_.funds_wei == net.chain.balance(COUPONS) == held
    assert st_.campaign_count == len(campaigns) and st_.coupon_count == len(coupons)
    for i, c in enumerate(campaigns, start=1):
        record = st_.campaign(i)
        assert (record.claimed, record.redeemed, record.reclaimed) == (c.claimed, c.redeemed, c.reclaimed)
    for i, coupon in enumerate(coupons, start=1):
        record = st_.coupon(i)
        assert record.holder == bytes.fromhex(KEYS[coupon.holder].address[2:]) and record.redeemed == coupon.redeemed
    for k, key in enumerate(KEYS):
        held_ids = [i for i, coupon in enumerate(coupons, start=1) if coupon.holder == k]
        assert sorted(st_.coupons_of(bytes.fromhex(key.address[2:]))) == held_ids
    net.assert_funds()
