"""Every arbitration call through a signed transaction: its effects, its events, every revert
reason (each revert is shown to change nothing), the credit records after every kind of ending and
review, and after each test the funds check and the credit check (every stored record == a
recomputation from the orders)."""

import pytest
from eth_abi import decode

from abci_app.middleware.arbitration.records import (CONFIRMED, DISPUTED, OPEN, REFUNDED, REFUNDED_TO_BUYER,
                                                     RELEASED, RESOLVED, SETTLED)

from ...staking.harness import call_data
from .harness import (ACCEPT, ARBITRATION, CMT, CONFIRM, CREDIT_ABI, DISPUTE, DISPUTE_FEE, DRAW, DRAW_DELAY, JOIN,
                      LEAVE, MIN_STAKE, OPEN as OPEN_ORDER, PAID_TO_BUYER, PAID_TO_SELLER, PARAMS_ABI, REFUND, REVIEW,
                      SETTLE, TEST_PARAMS, UNBONDING_S, VOTE, VOTING_S, WINDOW_S, WITHDRAW, ArbitrationChain,
                      arbitration_state, topic)

NO_CREDIT = ((0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 0)
REVIEWS = slice(6, 8)            # reviewsReceived, starsReceived in the credit record

ACCEPTED_AT = 27                 # position in the order(id) tuple
ESCROW = 10 * CMT + 101          # fee reserve (1%): 0.1 CMT + 1 wei
FEE = ESCROW // 100
REF = b"order-42".ljust(32, b"\0")


@pytest.fixture(autouse=True)
def books_hold(net):
    """After every test: funds == the precompile's balance == what the records hold; supply kept;
    every credit record is what the orders say."""
    yield
    net.assert_funds()
    net.assert_credit()


def _roles(keys):
    """buyer, seller, arbiters (4)."""
    return keys[2], keys[3], keys[4:8]


def _pool(net, arbiters, stake=MIN_STAKE):
    for a in arbiters:
        net.ok(a, JOIN, value=stake)


def _disputed(net, keys, by=None, escrow=ESCROW) -> tuple[int, list]:
    """An order in dispute, its arbiters drawn: (id, the drawn arbiters' keys in draw order)."""
    buyer, seller, arbiters = _roles(keys)
    _pool(net, arbiters)
    order_id = net.open_order(buyer, seller, escrow)
    net.dispute(by or buyer, order_id, "item never arrived")
    net.draw(order_id)
    drawn, _ = net.case(order_id)
    by_address = {k.address.lower(): k for k in keys}
    return order_id, [by_address[a] for a in drawn]


def _data(log, types):
    return decode(types, bytes.fromhex(log["data"][2:]))


def _word(address: str) -> str:
    return "0x" + address.lower()[2:].rjust(64, "0")


# ---- genesis and views ----------------------------------------------------------------------------

def test_genesis_account_params_and_empty_views(net, keys):
    assert net.chain.account(ARBITRATION)["nonce"] == 1 and net.chain.balance(ARBITRATION) == 0
    assert net.arb_view("params()", PARAMS_ABI) == (
        (MIN_STAKE, 3, 100, WINDOW_S, VOTING_S, 500, UNBONDING_S, DISPUTE_FEE, DRAW_DELAY),)
    assert net.arb_view("pool()", ["address[]"]) == ((),)
    assert net.arb_view("orderCount()", ["uint256"]) == (0,)
    assert net.arb_view("funds()", ["uint256"]) == (0,)
    assert net.arbiter(keys[4]) == (0, 0, 0, 0, False)
    assert net.credit(keys[3]) == NO_CREDIT


def test_views_of_unknown_orders_revert(net, keys):
    net.revert(keys[0], "unknown order", "order(uint256)", 1)
    net.revert(keys[0], "unknown order", "caseArbiters(uint256)", 0)


def test_non_payable_calls_refuse_cmt(net, keys):
    net.revert(keys[2], "leavePool does not accept CMT", LEAVE, value=1)
    net.revert(keys[2], "confirmDelivery does not accept CMT", CONFIRM, 1, value=1)


# ---- arbiter pool ---------------------------------------------------------------------------------

def test_join_and_top_up(net, keys):
    a = keys[4]
    result = net.ok(a, JOIN, value=MIN_STAKE)
    (log,) = net.logs(result)
    assert log["address"] == ARBITRATION and log["topics"] == [topic("ArbiterJoined(address,uint256,uint256)"),
                                                               _word(a.address)]
    assert _data(log, ["uint256", "uint256"]) == (MIN_STAKE, MIN_STAKE)
    net.ok(a, JOIN, value=7)   # joining again adds stake, any amount
    assert net.arbiter(a) == (MIN_STAKE + 7, 0, 0, 0, True)
    assert net.arb_view("pool()", ["address[]"]) == ((a.address.lower(),),)
    assert net.chain.balance(ARBITRATION) == MIN_STAKE + 7


def test_join_reverts(net, keys):
    net.revert(keys[4], "stake must be more than zero", JOIN)
    net.revert(keys[4], f"stake below the minimum of {MIN_STAKE} wei", JOIN, value=MIN_STAKE - 1)


def test_leave_unbond_and_withdraw(net, keys):
    a = keys[4]
    net.revert(a, "not in the arbiter pool", LEAVE)
    net.revert(a, "nothing to withdraw", WITHDRAW)
    net.ok(a, JOIN, value=MIN_STAKE + 5)
    result = net.ok(a, LEAVE)
    until = net.chain.time_s + UNBONDING_S
    (log,) = net.logs(result)
    assert log["topics"] == [topic("ArbiterLeft(address,uint256,uint64)"), _word(a.address)]
    assert _data(log, ["uint256", "uint64"]) == (MIN_STAKE + 5, until)
    assert net.arbiter(a) == (0, MIN_STAKE + 5, until, 0, False)
    assert net.arb_view("pool()", ["address[]"]) == ((),)
    net.revert(a, "not in the arbiter pool", LEAVE)
    net.revert(a, "stake still unbonding", WITHDRAW)
    net.chain.time_s = until - 2   # the next call lands one second before the end
    net.revert(a, "stake still unbonding", WITHDRAW)
    before = net.chain.balance(a.address)
    result = net.ok(a, WITHDRAW)
    assert net.chain.balance(a.address) == before + MIN_STAKE + 5 - net.fee(result)
    (log,) = net.logs(result)
    assert log["topics"] == [topic("StakeWithdrawn(address,uint256)"), _word(a.address)]
    assert _data(log, ["uint256"]) == (MIN_STAKE + 5,)
    assert net.arbiter(a) == (0, 0, 0, 0, False)
    net.revert(a, "nothing to withdraw", WITHDRAW)


def test_rejoin_while_unbonding_keeps_both(net, keys):
    a = keys[4]
    net.ok(a, JOIN, value=MIN_STAKE)
    net.ok(a, LEAVE)
    net.ok(a, JOIN, value=2 * MIN_STAKE)
    stake, unbonding, _, _, in_pool = net.arbiter(a)
    assert (stake, unbonding, in_pool) == (2 * MIN_STAKE, MIN_STAKE, True)


def test_leave_refused_with_open_cases(net, keys):
    order_id, drawn = _disputed(net, keys)
    for a in drawn:
        net.revert(a, "arbiter has open cases", LEAVE)
        assert net.arbiter(a)[3] == 1


# ---- orders ---------------------------------------------------------------------------------------

def test_open_order(net, keys):
    buyer, seller, _ = _roles(keys)
    deadline = net.chain.time_s + 30
    result = net.ok(buyer, OPEN_ORDER, seller.address, REF, deadline, value=ESCROW)
    assert decode(["uint256"], result.data) == (1,)
    opened_at = net.chain.time_s
    (log,) = net.logs(result)
    assert log["topics"] == [topic("OrderOpened(uint256,address,address,bytes32,uint256,uint256,uint64)"),
                             "0x" + "1".rjust(64, "0"), _word(buyer.address), _word(seller.address)]
    assert _data(log, ["bytes32", "uint256", "uint256", "uint64"]) == (REF, ESCROW, FEE, deadline)
    zero = "0x" + "00" * 20
    assert net.order(1) == (1, buyer.address.lower(), seller.address.lower(), REF, ESCROW, FEE, deadline, opened_at,
                            OPEN, 0, zero, "", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)   # not accepted yet
    assert net.open_order(buyer, seller, 1) == 2   # ids count up; a tiny escrow has no fee reserve
    assert net.order(2)[5] == 0
    assert net.arb_view("orderCount()", ["uint256"]) == (2,)
    assert net.chain.balance(ARBITRATION) == ESCROW + 1


def test_the_seller_accepts_an_order_once_while_it_is_open(net, keys):
    buyer, seller, _ = _roles(keys)
    order_id = net.open_order(buyer, seller, ESCROW, accepted=False)
    net.revert(seller, "unknown order", ACCEPT, order_id + 1)
    net.revert(buyer, "only the seller may accept the order", ACCEPT, order_id)
    result = net.ok(seller, ACCEPT, order_id)
    (log,) = net.logs(result)
    assert log["topics"] == [topic("OrderAccepted(uint256,address)"), "0x" + f"{order_id:064x}",
                             _word(seller.address)]
    assert net.order(order_id)[ACCEPTED_AT] == net.chain.time_s - 1      # the accept block's (a view is a block on)
    net.revert(seller, "order already accepted", ACCEPT, order_id)
    ended = net.open_order(buyer, seller, ESCROW, accepted=False)
    net.ok(buyer, CONFIRM, ended)
    net.revert(seller, "order is not open", ACCEPT, ended)
    assert net.credit(seller)[0][:4] == (0, 0, 0, 0)   # the ended order it never accepted is not in its record
    assert net.credit(buyer)[0][:2] == (1, ESCROW)     # the buyer's side always counts


def test_open_order_reverts(net, keys):
    buyer, seller, _ = _roles(keys)
    later = net.chain.time_s + 100
    net.revert(buyer, "escrow must be more than zero", OPEN_ORDER, seller.address, REF, later)
    net.revert(buyer, "seller is the zero address", OPEN_ORDER, "0x" + "00" * 20, REF, later, value=1)
    net.revert(buyer, "buyer and seller must differ", OPEN_ORDER, buyer.address, REF, later, value=1)
    net.revert(buyer, "seller is a system address", OPEN_ORDER, ARBITRATION, REF, later, value=1)
    net.revert(buyer, "seller is a system address", OPEN_ORDER, "0x" + "00" * 19 + "01", REF, later, value=1)
    # the call lands 1 s after the current time: a deadline at that second is not in the future
    net.revert(buyer, "delivery deadline must be in the future", OPEN_ORDER, seller.address, REF,
               net.chain.time_s + 1, value=1)


def test_confirm_delivery_pays_seller_and_returns_fee(net, keys):
    buyer, seller, _ = _roles(keys)
    order_id = net.open_order(buyer, seller, ESCROW)
    net.revert(seller, "only the buyer may confirm delivery", CONFIRM, order_id)
    net.revert(buyer, "unknown order", CONFIRM, order_id + 1)
    b0, s0 = net.chain.balance(buyer.address), net.chain.balance(seller.address)
    result = net.ok(buyer, CONFIRM, order_id)
    confirmed_at = net.chain.time_s
    assert net.chain.balance(seller.address) == s0 + ESCROW - FEE
    assert net.chain.balance(buyer.address) == b0 + FEE - net.fee(result)
    (log,) = net.logs(result)
    assert log["topics"] == [topic("DeliveryConfirmed(uint256,address,address,uint256,uint256)"),
                             "0x" + "1".rjust(64, "0"), _word(buyer.address), _word(seller.address)]
    assert _data(log, ["uint256", "uint256"]) == (ESCROW - FEE, FEE)
    order = net.order(order_id)
    assert (order[8], order[9], order[17]) == (CONFIRMED, RELEASED, confirmed_at)
    assert order[PAID_TO_BUYER:PAID_TO_SELLER + 1] == (FEE, ESCROW - FEE)
    assert net.chain.balance(ARBITRATION) == 0
    net.revert(buyer, "order is not open", CONFIRM, order_id)
    net.revert(seller, "order is not open", REFUND, order_id)


def test_refund_returns_whole_escrow(net, keys):
    buyer, seller, _ = _roles(keys)
    order_id = net.open_order(buyer, seller, ESCROW)
    net.revert(buyer, "only the seller may refund", REFUND, order_id)
    net.revert(seller, "unknown order", REFUND, 9)
    b0 = net.chain.balance(buyer.address)
    result = net.ok(seller, REFUND, order_id)
    assert net.chain.balance(buyer.address) == b0 + ESCROW
    (log,) = net.logs(result)
    assert log["topics"] == [topic("OrderRefunded(uint256,address,address,uint256)"), "0x" + "1".rjust(64, "0"),
                             _word(seller.address), _word(buyer.address)]
    assert _data(log, ["uint256"]) == (ESCROW,)
    assert net.order(order_id)[8:10] == (REFUNDED, REFUNDED_TO_BUYER)
    net.revert(seller, "order is not open", REFUND, order_id)
    net.revert(buyer, "order is not open", DISPUTE, order_id, "late", value=DISPUTE_FEE)
    assert net.order(order_id)[PAID_TO_BUYER:PAID_TO_SELLER + 1] == (ESCROW, 0)


# ---- disputes -------------------------------------------------------------------------------------

def test_raise_dispute_then_draw(net, keys):
    buyer, seller, arbiters = _roles(keys)
    _pool(net, [buyer, seller, *arbiters])     # the parties are in the pool too: never drawn
    order_id = net.open_order(buyer, seller, ESCROW)
    s0 = net.chain.balance(seller.address)
    result = net.dispute(seller, order_id, "buyer says it broke; it did not")
    assert net.chain.balance(seller.address) == s0 - DISPUTE_FEE - net.fee(result)
    raised_at, draw_height = net.chain.time_s, net.chain.height + DRAW_DELAY
    (raised,) = net.logs(result)
    assert raised["topics"] == [topic("DisputeRaised(uint256,address,string,uint256,uint64)"),
                                "0x" + "1".rjust(64, "0"), _word(seller.address)]
    assert _data(raised, ["string", "uint256", "uint64"]) == (
        "buyer says it broke; it did not", DISPUTE_FEE, draw_height)
    order = net.order(order_id)
    assert order[8:15] == (DISPUTED, 0, seller.address.lower(), "buyer says it broke; it did not", raised_at, 0, 0)
    assert order[20:23] == (DISPUTE_FEE, draw_height, 0)
    assert net.arb_view("funds()", ["uint256"]) == (4 * MIN_STAKE + 2 * MIN_STAKE + ESCROW + DISPUTE_FEE,)
    result = net.draw(order_id)
    voting_ends = net.chain.time_s + VOTING_S
    drawn, votes = net.case(order_id)
    assert len(set(drawn)) == 3 and votes == [0, 0, 0]
    assert set(drawn) <= {a.address.lower() for a in arbiters}
    (drawn_log,) = net.logs(result)
    assert drawn_log["topics"] == [topic("ArbitersDrawn(uint256,address[],uint64,uint64)"), "0x" + "1".rjust(64, "0")]
    logged, seed_height, logged_end = _data(drawn_log, ["address[]", "uint64", "uint64"])
    assert ([a.lower() for a in logged], seed_height, logged_end) == (drawn, draw_height, voting_ends)
    order = net.order(order_id)
    assert (order[8], order[13], order[14], order[22]) == (DISPUTED, voting_ends, 3, draw_height)
    for a in arbiters:
        assert net.arbiter(a)[3] == (1 if a.address.lower() in drawn else 0)
    net.revert(buyer, "order is not open", DISPUTE, order_id, "again", value=DISPUTE_FEE)
    net.revert(buyer, "order is not open", CONFIRM, order_id)
    net.revert(seller, "order is not open", REFUND, order_id)


def test_raise_dispute_reverts(net, keys):
    buyer, seller, arbiters = _roles(keys)
    order_id = net.open_order(buyer, seller, ESCROW, deadline_in=30)
    deadline = net.order(order_id)[6]
    fee = DISPUTE_FEE
    net.revert(keys[4], "only the buyer or the seller may raise a dispute", DISPUTE, order_id, "x", value=fee)
    net.revert(buyer, "unknown order", DISPUTE, 5, "x", value=fee)
    net.revert(buyer, "reason must not be empty", DISPUTE, order_id, "  ", value=fee)
    net.revert(buyer, "reason longer than 280 bytes", DISPUTE, order_id, "é" * 141, value=fee)
    net.revert(buyer, "not enough arbiters", DISPUTE, order_id, "x", value=fee)
    _pool(net, [arbiters[0], arbiters[1], buyer])   # the buyer does not count for its own case
    net.revert(buyer, "not enough arbiters", DISPUTE, order_id, "x", value=fee)
    net.ok(arbiters[2], JOIN, value=MIN_STAKE)
    net.revert(buyer, f"the dispute fee is {fee} wei", DISPUTE, order_id, "x")
    net.revert(buyer, f"the dispute fee is {fee} wei", DISPUTE, order_id, "x", value=fee + 1)
    net.revert(keys[8], "unknown order", DRAW, order_id + 1)
    net.revert(keys[8], "order is not in dispute", DRAW, order_id)
    net.chain.time_s = deadline + WINDOW_S            # the next call lands one second too late
    net.revert(buyer, "dispute window is over", DISPUTE, order_id, "x", value=fee)


def test_dispute_at_the_last_second(net, keys):
    buyer, seller, arbiters = _roles(keys)
    _pool(net, arbiters)
    order_id = net.open_order(buyer, seller, ESCROW, deadline_in=30)
    net.chain.time_s = net.order(order_id)[6] + WINDOW_S - 1   # lands exactly on deadline + window
    net.dispute(seller, order_id, "x" * 280)


def _balances(net, keys) -> dict[str, int]:
    return {k.address: net.chain.balance(k.address) for k in keys}


def test_dispute_decided_two_to_one_all_voted(net, keys):
    """Every voter gets an equal share of the dispute fee (the remainder to the first in draw
    order); the majority voters also share the fee reserve."""
    buyer, seller, _ = _roles(keys)
    order_id, (a1, a2, a3) = _disputed(net, keys)
    net.ok(a1, VOTE, order_id, False)
    net.revert(a1, "already voted", VOTE, order_id, True)
    net.revert(buyer, "not an arbiter of this case", VOTE, order_id, True)
    net.ok(a2, VOTE, order_id, True)
    assert net.case(order_id)[1] == [2, 1, 0]
    balances = _balances(net, (buyer, seller, a1, a2))
    result = net.ok(a3, VOTE, order_id, False)      # the last vote decides: release to the seller
    per_voter, remainder = divmod(FEE, 2)
    fee_share, fee_remainder = divmod(DISPUTE_FEE, 3)
    assert fee_remainder == 1
    assert net.chain.balance(seller.address) == balances[seller.address] + ESCROW - FEE + remainder
    assert net.chain.balance(buyer.address) == balances[buyer.address]
    assert net.chain.balance(a1.address) == balances[a1.address] + per_voter + fee_share + fee_remainder
    assert net.chain.balance(a2.address) == balances[a2.address] + fee_share   # the minority: the fee share
    assert [net.arbiter(a)[:4] for a in (a1, a2, a3)] == [(MIN_STAKE, 0, 0, 0)] * 3   # nobody penalized
    logs = net.logs(result)
    rewarded = topic("ArbiterRewarded(uint256,address,uint256)")
    resolved = topic("DisputeResolved(uint256,bool,uint256,uint256,uint256,uint256)")
    assert [log["topics"][0] for log in logs] == [topic("Voted(uint256,address,bool)"), rewarded, rewarded, rewarded,
                                                  resolved]
    assert [(log["topics"][2], _data(log, ["uint256"])) for log in logs[1:4]] == [
        (_word(a1.address), (per_voter + fee_share + fee_remainder,)), (_word(a2.address), (fee_share,)),
        (_word(a3.address), (per_voter + fee_share,))]
    assert _data(logs[-1], ["bool", "uint256", "uint256", "uint256", "uint256"]) == (
        False, 1, 2, ESCROW - FEE + remainder, per_voter)
    order = net.order(order_id)
    assert (order[8], order[9], order[15], order[16]) == (RESOLVED, RELEASED, 1, 2)
    assert order[PAID_TO_BUYER:PAID_TO_SELLER + 1] == (0, ESCROW - FEE + remainder)
    net.revert(a2, "order is not in dispute", VOTE, order_id, True)
    net.revert(buyer, "order already ended", SETTLE, order_id)
    net.revert(keys[8], "order is not in dispute", DRAW, order_id)


def test_dispute_with_a_silent_arbiter_is_penalized(net, keys):
    buyer, seller, _ = _roles(keys)
    order_id, (a1, a2, a3) = _disputed(net, keys, by=seller)
    net.ok(a1, VOTE, order_id, True)
    net.ok(a2, VOTE, order_id, True)
    voting_ends = net.order(order_id)[13]
    net.chain.time_s = voting_ends - 2
    net.revert(a3, "voting period still open", SETTLE, order_id)   # lands one second before the end
    net.revert(a3, "voting period is over", VOTE, order_id, True)  # lands exactly at the end
    balances = _balances(net, (buyer, seller, a1, a2, a3))
    result = net.ok(keys[8], SETTLE, order_id)                     # anyone may settle
    penalty = MIN_STAKE * 500 // 10_000
    per_voter, remainder = divmod(FEE + penalty, 2)
    fee_share, fee_remainder = divmod(DISPUTE_FEE, 2)
    assert net.chain.balance(buyer.address) == balances[buyer.address] + ESCROW - FEE + remainder
    assert net.chain.balance(seller.address) == balances[seller.address]
    assert net.chain.balance(a1.address) == balances[a1.address] + per_voter + fee_share + fee_remainder
    assert net.chain.balance(a2.address) == balances[a2.address] + per_voter + fee_share
    assert net.chain.balance(a3.address) == balances[a3.address]
    assert net.arbiter(a3) == (MIN_STAKE - penalty, 0, 0, 0, True)
    penalized_topic = topic("ArbiterPenalized(uint256,address,uint256)")
    penalized = [log for log in net.logs(result) if log["topics"][0] == penalized_topic]
    assert len(penalized) == 1 and penalized[0]["topics"][2] == _word(a3.address)
    assert _data(penalized[0], ["uint256"]) == (penalty,)
    assert net.order(order_id)[8:10] == (RESOLVED, REFUNDED_TO_BUYER)
    assert net.order(order_id)[PAID_TO_BUYER:PAID_TO_SELLER + 1] == (ESCROW - FEE + remainder, 0)


def test_tie_goes_to_the_buyer(net, keys):
    buyer, seller, _ = _roles(keys)
    order_id, (a1, a2, a3) = _disputed(net, keys)
    net.ok(a1, VOTE, order_id, False)
    net.ok(a2, VOTE, order_id, True)
    net.chain.time_s = net.order(order_id)[13]
    balances = _balances(net, (buyer, a1, a2))
    net.ok(keys[8], SETTLE, order_id)
    penalty = MIN_STAKE * 500 // 10_000
    fee_share, fee_remainder = divmod(DISPUTE_FEE, 2)
    assert net.chain.balance(buyer.address) == balances[buyer.address] + ESCROW - FEE
    assert net.chain.balance(a2.address) == balances[a2.address] + FEE + penalty + fee_share
    assert net.chain.balance(a1.address) == balances[a1.address] + fee_share + fee_remainder
    assert net.order(order_id)[9] == REFUNDED_TO_BUYER


def test_dispute_without_votes_refunds_the_buyer_and_the_fee_to_the_raiser(net, keys):
    buyer, seller, arbiters = _roles(keys)
    order_id, drawn = _disputed(net, keys, by=seller)
    net.revert(keys[8], "voting period still open", SETTLE, order_id)
    net.chain.time_s = net.order(order_id)[13]
    b0, s0 = net.chain.balance(buyer.address), net.chain.balance(seller.address)
    result = net.ok(keys[8], SETTLE, order_id)
    penalty = MIN_STAKE * 500 // 10_000
    assert net.chain.balance(buyer.address) == b0 + ESCROW + 3 * penalty   # fee reserve and penalties too
    assert net.chain.balance(seller.address) == s0 + DISPUTE_FEE           # nobody earned the dispute fee
    for a in drawn:
        assert net.arbiter(a) == (MIN_STAKE - penalty, 0, 0, 0, True)
    assert _data(net.logs(result)[-1], ["bool", "uint256", "uint256", "uint256", "uint256"]) == (
        True, 0, 0, ESCROW + 3 * penalty, 0)
    assert net.order(order_id)[PAID_TO_BUYER:PAID_TO_SELLER + 1] == (ESCROW + 3 * penalty, DISPUTE_FEE)
    # penalized below the minimum stake: no longer drawn, so only one eligible arbiter is left
    order2 = net.open_order(buyer, seller, ESCROW)
    net.revert(buyer, "not enough arbiters", DISPUTE, order2, "x", value=DISPUTE_FEE)
    for a in drawn:                                    # topping up makes them eligible again
        net.ok(a, JOIN, value=penalty)
    net.dispute(buyer, order2, "x")


def test_vote_reverts(net, keys):
    buyer, seller, _ = _roles(keys)
    net.revert(keys[4], "unknown order", VOTE, 1, True)
    order_id, drawn = _disputed(net, keys)
    other = net.open_order(buyer, seller, ESCROW)
    net.revert(drawn[0], "order is not in dispute", VOTE, other, True)
    outsider = next(k for k in keys[4:8] if k not in drawn)
    net.revert(outsider, "not an arbiter of this case", VOTE, order_id, True)


# ---- timeouts -------------------------------------------------------------------------------------

def test_open_order_times_out_to_the_seller(net, keys):
    buyer, seller, _ = _roles(keys)
    net.revert(keys[8], "unknown order", SETTLE, 1)
    order_id = net.open_order(buyer, seller, ESCROW, deadline_in=30)
    deadline = net.order(order_id)[6]
    net.revert(keys[8], "dispute window still open", SETTLE, order_id)
    net.chain.time_s = deadline + WINDOW_S - 1          # lands on the last second of the window
    net.revert(keys[8], "dispute window still open", SETTLE, order_id)
    b0, s0 = net.chain.balance(buyer.address), net.chain.balance(seller.address)
    result = net.ok(keys[8], SETTLE, order_id)
    assert net.chain.balance(seller.address) == s0 + ESCROW - FEE
    assert net.chain.balance(buyer.address) == b0 + FEE
    (log,) = net.logs(result)
    assert log["topics"] == [topic("OrderSettled(uint256,address,address,uint256,uint256)"),
                             "0x" + "1".rjust(64, "0"), _word(seller.address), _word(buyer.address)]
    assert _data(log, ["uint256", "uint256"]) == (ESCROW - FEE, FEE)
    assert net.order(order_id)[8:10] == (SETTLED, RELEASED)
    net.revert(keys[8], "order already ended", SETTLE, order_id)
    net.revert(buyer, "order is not open", DISPUTE, order_id, "too late", value=DISPUTE_FEE)
    assert net.order(order_id)[PAID_TO_BUYER:PAID_TO_SELLER + 1] == (FEE, ESCROW - FEE)


# ---- reviews --------------------------------------------------------------------------------------

def test_reviews_once_per_party_after_the_end(net, keys):
    buyer, seller, _ = _roles(keys)
    order_id = net.open_order(buyer, seller, ESCROW)
    net.revert(buyer, "order has not ended", REVIEW, order_id, 5, "great")
    net.revert(keys[4], "only the buyer or the seller may review", REVIEW, order_id, 5, "great")
    net.revert(buyer, "unknown order", REVIEW, order_id + 1, 5, "great")
    net.ok(buyer, CONFIRM, order_id)
    net.revert(buyer, "stars must be 1 to 5", REVIEW, order_id, 0, "zero")
    net.revert(buyer, "stars must be 1 to 5", REVIEW, order_id, 6, "six")
    net.revert(buyer, "comment longer than 280 bytes", REVIEW, order_id, 5, "x" * 281)
    result = net.ok(buyer, REVIEW, order_id, 4, "fast, well packed")
    (log,) = net.logs(result)
    assert log["topics"] == [topic("Reviewed(uint256,address,address,uint8,string)"), "0x" + "1".rjust(64, "0"),
                             _word(buyer.address), _word(seller.address)]
    assert _data(log, ["uint8", "string"]) == (4, "fast, well packed")
    net.revert(buyer, "already reviewed", REVIEW, order_id, 5, "again")
    net.ok(seller, REVIEW, order_id, 5, "x" * 280)
    net.revert(seller, "already reviewed", REVIEW, order_id, 1, "again")
    assert net.order(order_id)[18:20] == (4, 5)
    assert net.credit(seller)[0][REVIEWS] == (1, 4)
    assert net.credit(buyer)[0][REVIEWS] == (1, 5)
    second = net.open_order(buyer, seller, ESCROW)
    net.ok(seller, REFUND, second)
    net.ok(buyer, REVIEW, second, 1, "")
    assert net.credit(seller)[0][REVIEWS] == (2, 5)


def test_reviews_after_settle_and_dispute(net, keys):
    buyer, seller, _ = _roles(keys)
    order_id, drawn = _disputed(net, keys)
    net.revert(seller, "order has not ended", REVIEW, order_id, 3, "")
    for a in drawn:
        net.ok(a, VOTE, order_id, True)
    net.ok(seller, REVIEW, order_id, 1, "they lied")
    timed_out = net.open_order(buyer, seller, ESCROW, deadline_in=2)
    net.ok(keys[8], SETTLE, timed_out, seconds=WINDOW_S + 5)
    net.ok(buyer, REVIEW, timed_out, 2, "slow")
    assert net.credit(buyer)[0][REVIEWS] == (1, 1)
    assert net.credit(seller)[0][REVIEWS] == (1, 2)


# ---- credit ---------------------------------------------------------------------------------------

# how an order ends -> the (disputes won, disputes lost) it gives the buyer and the seller
ENDINGS = {"confirmed": ((0, 0), (0, 0)), "refunded": ((0, 0), (0, 0)), "settled on timeout": ((0, 0), (0, 0)),
           "voted for the buyer": ((1, 0), (0, 1)), "voted for the seller": ((0, 1), (1, 0)),
           "decided without votes": ((1, 0), (0, 1))}


def _start(net, keys, how: str) -> tuple[int, list]:
    """An order between the buyer and the seller, running (in dispute, drawn, for the dispute
    endings): (id, drawn arbiters)."""
    buyer, seller, _ = _roles(keys)
    if how in ("confirmed", "refunded", "settled on timeout"):
        return net.open_order(buyer, seller, ESCROW, deadline_in=2), []
    return _disputed(net, keys)


def _finish(net, keys, how: str, order_id: int, drawn: list) -> int:
    """End the order `how`; the block time of its end."""
    buyer, seller, _ = _roles(keys)
    if how == "confirmed":
        net.ok(buyer, CONFIRM, order_id)
    elif how == "refunded":
        net.ok(seller, REFUND, order_id)
    elif how == "settled on timeout":
        net.ok(keys[8], SETTLE, order_id, seconds=WINDOW_S + 5)
    elif how == "decided without votes":
        net.ok(keys[8], SETTLE, order_id, seconds=VOTING_S)
    else:
        for a in drawn:
            net.ok(a, VOTE, order_id, how == "voted for the buyer")
    return net.chain.time_s


@pytest.mark.parametrize("how", ENDINGS)
def test_an_order_goes_into_both_parties_credit_when_it_ends(net, keys, how):
    """Nothing while the order runs (open or in dispute); at its end one order and its escrow for
    each party in its role, a decided dispute won by the party the outcome favours and lost by the
    other, and the end's block time as first and last activity. The score: 45 for one ended order
    without reviews, 15 with a lost dispute (credit.compute_score)."""
    buyer, seller, _ = _roles(keys)
    order_id, drawn = _start(net, keys, how)
    assert net.credit(buyer) == net.credit(seller) == NO_CREDIT
    ended_at = _finish(net, keys, how, order_id, drawn)
    (buyer_won, buyer_lost), (seller_won, seller_lost) = ENDINGS[how]
    assert net.credit(buyer) == ((1, ESCROW, 0, 0, buyer_won, buyer_lost, 0, 0, ended_at, ended_at),
                                 15 if buyer_lost else 45)
    assert net.credit(seller) == ((0, 0, 1, ESCROW, seller_won, seller_lost, 0, 0, ended_at, ended_at),
                                  15 if seller_lost else 45)
    assert net.order(order_id)[17] == ended_at


def test_credit_adds_up_both_roles_and_keeps_the_first_activity(net, keys):
    buyer, seller, _ = _roles(keys)
    first = net.open_order(buyer, seller, ESCROW)
    net.ok(buyer, CONFIRM, first)
    first_at = net.chain.time_s
    second = net.open_order(seller, buyer, 7)          # the roles reversed
    net.open_order(buyer, seller, 5)                   # still running: not counted
    net.ok(buyer, REFUND, second, seconds=10)
    last_at = net.chain.time_s
    assert net.credit(buyer)[0] == (1, ESCROW, 1, 7, 0, 0, 0, 0, first_at, last_at)
    assert net.credit(seller)[0] == (1, 7, 1, ESCROW, 0, 0, 0, 0, first_at, last_at)


def test_a_review_counts_only_for_the_reviewed_party(net, keys):
    """The subject gets one more review and its stars; the reviewer's record and everyone's
    activity times stay (a review is not an order ending). Good reviews raise the score, bad ones
    lower it."""
    buyer, seller, _ = _roles(keys)
    order_id = net.open_order(buyer, seller, ESCROW)
    net.ok(buyer, CONFIRM, order_id)
    before = net.credit(buyer), net.credit(seller)
    net.ok(buyer, REVIEW, order_id, 5, "")
    assert net.credit(buyer) == before[0]
    record, score = net.credit(seller)
    assert record == before[1][0][:6] + (1, 5) + before[1][0][8:] and score > before[1][1]
    net.ok(seller, REVIEW, order_id, 1, "")
    record, score = net.credit(buyer)
    assert record == before[0][0][:6] + (1, 1) + before[0][0][8:] and score < before[0][1]


def test_credit_is_served_to_abci_query_as_to_contracts(net, keys):
    """The same answer to a transaction, to the `/call` query and to a contract's STATICCALL."""
    buyer, seller, _ = _roles(keys)
    order_id = net.open_order(buyer, seller, ESCROW)
    net.ok(buyer, CONFIRM, order_id)
    ended_at = net.chain.time_s
    net.ok(buyer, REVIEW, order_id, 4, "")
    assert net.ask_credit(seller) == net.credit(seller) == ((0, 0, 1, ESCROW, 0, 0, 1, 4, ended_at, ended_at), 53)
    assert net.ask_credit(keys[8]) == NO_CREDIT
    contract = net.deploy(keys[3], "CallKinds")
    asked = net.send(keys[3], "viaStaticCall(address,bytes)", ARBITRATION,
                     call_data("credit(address)", seller.address), to=contract)
    ok, output = decode(["bool", "bytes"], asked.data)
    assert ok and decode(CREDIT_ABI, output) == net.credit(seller)


def test_five_arbiters_two_to_one_with_two_silent(tmp_path, keys):
    """arbiters_per_case 5: 2 release, 1 refund, 2 silent. The two majority voters share the fee
    reserve and both penalties; the seller gets the rest, with the remainder of the division; the
    three voters share the dispute fee."""
    params = {**TEST_PARAMS, "arbiters_per_case": 5}
    net = ArbitrationChain.start(str(tmp_path / "five"), arbitration_state(keys, params))
    net.keys = keys
    try:
        buyer, seller = keys[2], keys[3]
        _pool(net, keys[4:9], stake=MIN_STAKE + 33)
        order_id = net.open_order(buyer, seller, ESCROW)
        net.dispute(buyer, order_id, "wrong colour")
        net.draw(order_id)
        by_address = {k.address.lower(): k for k in keys}
        drawn = [by_address[a] for a in net.case(order_id)[0]]
        assert sorted(k.address for k in drawn) == sorted(k.address for k in keys[4:9])
        net.ok(drawn[0], VOTE, order_id, False)
        net.ok(drawn[1], VOTE, order_id, True)
        net.ok(drawn[2], VOTE, order_id, False)
        net.chain.time_s = net.order(order_id)[13]
        balances = {k.address: net.chain.balance(k.address) for k in (buyer, seller, *drawn)}
        result = net.ok(keys[0], SETTLE, order_id)
        penalty = (MIN_STAKE + 33) * 500 // 10_000
        per_voter, remainder = divmod(FEE + 2 * penalty, 2)
        assert remainder == 1
        fee_share, fee_remainder = divmod(DISPUTE_FEE, 3)   # the three voters share the dispute fee
        assert net.chain.balance(seller.address) == balances[seller.address] + ESCROW - FEE + remainder
        assert net.chain.balance(buyer.address) == balances[buyer.address]
        gains = (per_voter + fee_share + fee_remainder, fee_share, per_voter + fee_share, 0, 0)
        for k, gain in zip(drawn, gains):
            assert net.chain.balance(k.address) == balances[k.address] + gain
        assert [net.arbiter(k)[0] for k in drawn] == [MIN_STAKE + 33] * 3 + [MIN_STAKE + 33 - penalty] * 2
        assert net.case(order_id)[1] == [2, 1, 2, 0, 0]
        assert _data(net.logs(result)[-1], ["bool", "uint256", "uint256", "uint256", "uint256"]) == (
            False, 1, 2, ESCROW - FEE + remainder, per_voter)
        net.assert_funds()
    finally:
        net.chain.app.close()
