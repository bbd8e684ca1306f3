"""What the coupons precompile owes (coupons.owed), to the wei: the module is exact, so its balance
equals what its records owe after every call."""

from abci_app.middleware import coupons

from .harness import COUPONS, RECLAIM, REDEEM, TRANSFER


def owed(net) -> dict[str, int]:
    return coupons.owed(net.chain.app.reader.state)


def test_unclaimed_and_held_coupons_are_owed_until_reclaimed(net, keys):
    sponsor, merchant = keys[0], keys[1].address
    value = 3 * 10**18 + 7
    assert owed(net) == {"unclaimed": 0, "coupons": 0}
    first = net.create(sponsor, merchant, value=value, count=5, end=net.now + 100)
    second = net.create(sponsor, merchant, value=11, count=2, end=net.now + 1_000)
    assert owed(net) == {"unclaimed": 5 * value + 2 * 11, "coupons": 0}
    held = [net.claim(k, first) for k in keys[2:5]]
    net.claim(keys[2], second)
    assert owed(net) == {"unclaimed": 2 * value + 11, "coupons": 3 * value + 11}
    net.ok(keys[2], TRANSFER, held[0], keys[5].address)       # a transferred coupon is still one coupon
    net.ok(keys[5], REDEEM, held[0])
    assert owed(net) == {"unclaimed": 2 * value + 11, "coupons": 2 * value + 11}
    assert sum(owed(net).values()) == net.chain.balance(COUPONS)
    net.net.block(seconds=100)
    net.ok(sponsor, RECLAIM, first)                             # 2 unclaimed and 2 held coupons go back
    assert owed(net) == {"unclaimed": 11, "coupons": 11}
    assert sum(owed(net).values()) == net.chain.balance(COUPONS)
