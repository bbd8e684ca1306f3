"""What the arbitration precompile owes (arbitration.owed), to the wei: escrows, fee reserves, the
dispute fees of disputes not decided, the pool's stakes and the stakes unbonding after a leave."""

from abci_app.middleware import arbitration

from .harness import (ARBITRATION, CMT, DISPUTE_FEE, JOIN, LEAVE, MIN_STAKE, SETTLE, UNBONDING_S, VOTE, VOTING_S,
                      WITHDRAW)

ESCROW = 10 * CMT + 101
FEE = ESCROW // 100            # the 1% fee reserve of the test params
PENALTY = MIN_STAKE * 500 // 10_000


def owed(net) -> dict[str, int]:
    return arbitration.owed(net.chain.app.reader.state)


def surplus(net) -> int:
    return net.chain.balance(ARBITRATION) - sum(owed(net).values())


NO_GROUP_POOLS = {"group_stakes": 0, "group_unbonding": 0}


def test_escrows_fees_and_stakes_are_owed_exactly(net, keys):
    buyer, seller, arbiters = keys[2], keys[3], keys[4:7]
    assert owed(net) == {"escrows": 0, "fees": 0, "dispute_fees": 0, "stakes": 0, "unbonding": 0, **NO_GROUP_POOLS}
    for arbiter in arbiters:
        net.ok(arbiter, JOIN, value=MIN_STAKE)
    disputed, confirmed = net.open_order(buyer, seller, ESCROW), net.open_order(buyer, seller, 3 * CMT)
    assert owed(net) == {"escrows": ESCROW - FEE + 3 * CMT - 3 * CMT // 100, "fees": FEE + 3 * CMT // 100,
                         "dispute_fees": 0, "stakes": 3 * MIN_STAKE, "unbonding": 0, **NO_GROUP_POOLS}
    net.ok(buyer, "confirmDelivery(uint256)", confirmed)
    net.dispute(buyer, disputed, "never arrived")
    assert owed(net) == {"escrows": ESCROW - FEE, "fees": FEE, "dispute_fees": DISPUTE_FEE,
                         "stakes": 3 * MIN_STAKE, "unbonding": 0, **NO_GROUP_POOLS}
    net.draw(disputed)
    drawn, _ = net.case(disputed)
    voters = [k for k in arbiters if k.address.lower() in drawn[:2]]
    for voter in voters:
        net.ok(voter, VOTE, disputed, True)
    assert owed(net) == {"escrows": ESCROW - FEE, "fees": FEE, "dispute_fees": DISPUTE_FEE,
                         "stakes": 3 * MIN_STAKE, "unbonding": 0, **NO_GROUP_POOLS}
    net.block(seconds=VOTING_S)
    net.ok(keys[8], SETTLE, disputed)         # the silent arbiter's penalty is paid out with the fees
    assert owed(net) == {"escrows": 0, "fees": 0, "dispute_fees": 0, "stakes": 3 * MIN_STAKE - PENALTY,
                         "unbonding": 0, **NO_GROUP_POOLS}
    assert surplus(net) == 0


def test_the_stake_of_an_arbiter_who_left_is_owed_until_withdrawn(net, keys):
    arbiter = keys[4]
    net.ok(arbiter, JOIN, value=MIN_STAKE + 5)
    net.ok(arbiter, LEAVE)
    assert owed(net) == {"escrows": 0, "fees": 0, "dispute_fees": 0, "stakes": 0, "unbonding": MIN_STAKE + 5,
                         **NO_GROUP_POOLS}
    assert surplus(net) == 0
    net.ok(arbiter, JOIN, value=MIN_STAKE)     # back in the pool, its earlier stake still unbonding
    assert owed(net) == {"escrows": 0, "fees": 0, "dispute_fees": 0, "stakes": MIN_STAKE,
                         "unbonding": MIN_STAKE + 5, **NO_GROUP_POOLS}
    assert surplus(net) == 0
    net.ok(arbiter, LEAVE)
    net.block(seconds=UNBONDING_S)
    net.ok(arbiter, WITHDRAW)
    assert surplus(net) == 0 and net.chain.balance(ARBITRATION) == 0
