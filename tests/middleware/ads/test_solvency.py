"""What the ads precompile owes (ads.owed), to the wei: the module is exact, so its balance equals
what its records owe after every call."""

from abci_app.middleware import ads

from .harness import ADS, CMT, CREATE, OPT_IN, SEND

BUDGET, REWARD = 10 * CMT + 3, 2 * CMT + 1


def owed(net) -> dict[str, int]:
    return ads.owed(net.chain.app.reader.state)


def test_budgets_and_pending_rewards_are_owed_until_paid_or_refunded(net, keys):
    advertiser, users = keys[2], keys[3:6]
    for user in users:
        net.ok(user, OPT_IN, 0b1, 0, 0)
    campaign_id = net.returned_id(advertiser, CREATE, 0b1, 0, REWARD, net.chain.time_s + 100, "hello", value=BUDGET)
    assert owed(net) == {"budgets": BUDGET, "reserved": 0}
    sent = [net.returned_id(advertiser, SEND, campaign_id, user.address) for user in users]
    assert owed(net) == {"budgets": BUDGET - 3 * REWARD, "reserved": 3 * REWARD}
    net.ok(users[0], "accept(uint256)", sent[0])                  # paid to the user
    net.ok(users[1], "reject(uint256)", sent[1])                  # back to the budget
    assert owed(net) == {"budgets": BUDGET - 2 * REWARD, "reserved": REWARD}
    assert sum(owed(net).values()) == net.chain.balance(ADS)
    net.block(seconds=100)
    net.ok(advertiser, "closeCampaign(uint256)", campaign_id)     # the budget goes back, the pending reward stays
    assert owed(net) == {"budgets": 0, "reserved": REWARD}
    net.ok(users[2], "reject(uint256)", sent[2])                  # after close: straight to the advertiser
    assert owed(net) == {"budgets": 0, "reserved": 0} and net.chain.balance(ADS) == 0
