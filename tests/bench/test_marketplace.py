"""The marketplace-day workload is the documented mix, and at the application level it does that
commerce: every order is accepted by its seller and ends as planned (confirmed, or decided by the
drawn arbiters' votes), every sale is reviewed into its seller's credit, every ad message is paid
or returned, every coupon is redeemed, each shop mints the loyalty points its buyers earned and
keeps no CMT, and the supply and every module's solvency hold after every block. Stage 1 included
in another order fails loudly, and so does a day without the sellers' accepts."""

import dataclasses
import json
from collections import Counter

import pytest
from eth_utils.abi import function_abi_to_4byte_selector, get_abi_input_types

from abci_app.abci import types
from abci_app.app.driver import InProcessChain
from abci_app.bench import marketplace, workloads
from abci_app.bench.levels import run_blocks
from abci_app.bench.supply import app_supply
from abci_app.contracts import contract_functions, encode_call
from abci_app.evm.fork import TX_BUILDER
from abci_app.middleware import ads, arbitration, coupons
from abci_app.middleware.ads.records import ACCEPTED, REJECTED
from abci_app.middleware.arbitration.records import CONFIRMED, REFUNDED_TO_BUYER, RELEASED, RESOLVED

BUYERS = 7
COUNT = 151     # 20 sales exactly (the module docstring's proportions)
WHO = marketplace.Roles.of(BUYERS)
DAY = marketplace.sales(COUNT, BUYERS, len(WHO.sellers))
DISPUTES = [sale for sale in DAY if sale.disputed]


def _signatures() -> dict[bytes, str]:
    """Selector -> 'name(types)' of every function the workload calls."""
    return {function_abi_to_4byte_selector(abi): f"{name}({','.join(get_abi_input_types(abi))})"
            for contract in ("Shop", "IAds", "ICoupons", "IArbitration")
            for name, abi in contract_functions(contract).items()}


def test_twenty_sales_are_the_documented_mix_in_seven_stages():
    workload = workloads.build("marketplace", COUNT, BUYERS)
    assert len(DAY) == 20 and len(workload.timed) == COUNT
    signatures = _signatures()
    calls = Counter(signatures[TX_BUILDER.decode(raw).data[:4]] for raw in workload.timed)
    assert calls == {"buy(uint256,uint256)": 20, "claim(uint256,int32,int32,uint64,bytes)": 5,
                     "reserveCoupon(uint256)": 5, "transfer(uint256,address)": 5, "sendMessage(uint256,address)": 10,
                     "acceptOrder(uint256)": 20, "ship(uint256,string)": 20, "confirmDelivery(uint256)": 16, "dispute(uint256,string)": 4,
                     "review(uint256,uint8,string)": 20, "accept(uint256)": 8, "reject(uint256)": 2,
                     "vote(uint256,bool)": 12, "claim(uint256)": 4}
    assert [(s.size, s.in_order) for s in workload.stages] == [(45, True), (40, False), (20, False), (16, False),
                                                               (10, False), (12, False), (8, False)]
    assert {s.lower() for s in workload.senders} == {k.address.lower() for k in WHO.keys if k is not WHO.sponsor}
    assert [len(lanes) for lanes in workload.lanes(10)] == [1, 10, 10, 10, 10, 10, 10]   # stage 1: one lane


@pytest.mark.parametrize("count", [1, 7, 150, 151, 152, 500])
def test_the_day_is_the_fewest_whole_sales_that_reach_the_count(count):
    day = marketplace.sales(count, BUYERS, 2)
    total = sum(sale.txs for sale in day)
    assert total >= count > total - day[-1].txs


def test_campaigns_run_from_the_given_time():
    """End to end, blocks carry wall time: coupon campaigns start and ad campaigns end from `start_s`."""
    start = 1_800_000_000
    setup = [TX_BUILDER.decode(raw) for block in workloads.build("marketplace", COUNT, BUYERS, start_s=start).setup
             for raw in block]
    for module, moment in ((coupons, start), (ads, start + marketplace.CAMPAIGN_S)):
        creates = [tx for tx in setup if tx.to == module.ADDRESS and tx.value > 0]
        assert creates and all(moment.to_bytes(32, "big") in tx.data for tx in creates), module.NAME


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    """The day run through the application object, solvency and supply checked after every block."""
    workload = workloads.build("marketplace", COUNT, BUYERS)
    chain = InProcessChain.start(str(tmp_path_factory.mktemp("market") / "db"), workload.genesis())
    run_blocks(chain, workload.setup, check=True)
    run_blocks(chain, workload.blocks(25), check=True)  # raises on a refused or failed tx
    yield chain
    chain.app.close()


def _shop(sale) -> str:
    return marketplace.shop_of(WHO.sellers[sale.shop])[1]


def _stars(sale) -> int:
    """The buyer's review: 3 to 5 stars when confirmed, 1 or 2 after a dispute (module docstring)."""
    return 1 + DISPUTES.index(sale) % 2 if sale.disputed else 3 + sale.index % 3


def test_every_order_ends_as_planned_and_disputes_are_decided_by_the_three_votes(chain):
    st = arbitration.state_view(chain.app.reader.state)
    assert st.order_count == len(DAY)
    for sale in DAY:
        order = st.order(sale.index + 1)
        assert (order.buyer, order.seller) == (int(_shop(sale), 16), int(WHO.sellers[sale.shop].address, 16))
        assert order.buyer_stars == _stars(sale)
        assert order.accepted_s > 0      # by its seller, in the shipping stage, before the buyer's review
        if not sale.disputed:
            assert order.state == CONFIRMED and order.paid_to_seller_wei > 0
            continue
        for_buyer = DISPUTES.index(sale) % 2 == 0
        assert order.state == RESOLVED and order.arbiter_count == 3
        assert (order.votes_refund, order.votes_release) == ((2, 1) if for_buyer else (1, 2))
        assert order.outcome == (REFUNDED_TO_BUYER if for_buyer else RELEASED)
        assert (order.paid_to_buyer_wei > 0) == for_buyer
    for arbiter in WHO.arbiters:   # every drawn arbiter voted: no case open, no penalty
        record = st.arbiter(bytes.fromhex(arbiter.address[2:]))
        assert record.open_cases == 0 and record.stake_wei == marketplace.PARAMS.min_arbiter_stake_wei


def test_every_sale_is_reviewed_into_its_sellers_credit(chain):
    st = arbitration.state_view(chain.app.reader.state)
    for shop, seller in enumerate(WHO.sellers):
        sold = [sale for sale in DAY if sale.shop == shop]
        credit = st.credit(bytes.fromhex(seller.address[2:]))
        assert (credit.orders_as_seller, credit.reviews_received, credit.stars_received) == (
            len(sold), len(sold), sum(_stars(s) for s in sold))


def test_ad_messages_are_paid_when_accepted_and_returned_when_rejected(chain):
    st = ads.state_view(chain.app.reader.state)
    statuses = [st.message(m).status for m in range(1, st.message_count + 1)]
    assert statuses == [REJECTED if m % 4 == 0 else ACCEPTED for m in range(1, 11)]
    campaigns = [st.campaign(c) for c in range(1, st.campaign_count + 1)]
    assert sum(c.spent_wei for c in campaigns) == 8 * marketplace.AD_REWARD_WEI
    assert sum(c.reserved_wei for c in campaigns) == 0 and sum(c.accepted for c in campaigns) == 8


def test_every_coupon_paid_part_of_a_price(chain):
    st = coupons.state_view(chain.app.reader.state)
    assert st.coupon_count == 5 and all(st.coupon(c).redeemed for c in range(1, 6))
    assert all(st.campaign(c).redeemed == st.campaign(c).max_coupons for c in range(1, st.campaign_count + 1))


def _points(chain, points: str, holder: str) -> int:
    body = {"to": points, "data": "0x" + encode_call("LoyaltyPoints", "balanceOf", holder).hex()}
    answer = chain.app.query(types.RequestQuery(path="/call", data=json.dumps(body).encode()))
    return int(json.loads(answer.value)["output"], 16)


def test_each_shop_mints_the_points_its_buyers_earned_and_keeps_no_cmt(chain):
    for shop, seller in enumerate(WHO.sellers):
        points, address = marketplace.shop_of(seller)
        for n, buyer in enumerate(WHO.buyers):
            earned = sum(marketplace.ITEM_PRICES_CMT[s.item] for s in DAY
                         if s.shop == shop and s.buyer == n and not s.disputed)
            assert _points(chain, points, buyer.address) == earned
        assert chain.balance(address) == 0
    assert sum(_points(chain, marketplace.shop_of(s)[0], b.address) for s in WHO.sellers for b in WHO.buyers) > 0


def test_the_supply_and_every_module_hold_at_the_end(chain):
    audit = app_supply(chain.app)
    assert audit["supply_ok"] is True and audit["solvent"] is True
    assert audit["supply"]["sum_balances"] == audit["supply"]["total"]
    assert int(audit["solvency"]["modules"]["arbitration"]["balance"]) == 3 * marketplace.PARAMS.min_arbiter_stake_wei


def test_stage_one_included_in_another_order_fails_loudly(tmp_path):
    """Swapping two buyers' buys at one shop swaps their order ids: a buyer then confirms an order
    that is not theirs, and the run stops."""
    workload = workloads.build("marketplace", COUNT, BUYERS)
    buy = function_abi_to_4byte_selector(contract_functions("Shop")["buy"])
    first, second = [i for i, raw in enumerate(workload.timed[:45]) if TX_BUILDER.decode(raw).data[:4] == buy
                     and TX_BUILDER.decode(raw).to.hex() == _shop(DAY[1])[2:]][:2]
    timed, senders = list(workload.timed), list(workload.senders)
    for items in (timed, senders):
        items[first], items[second] = items[second], items[first]
    assert senders[first] != senders[second]
    swapped = dataclasses.replace(workload, timed=timed, senders=senders)
    chain = InProcessChain.start(str(tmp_path / "db"), swapped.genesis())
    try:
        run_blocks(chain, swapped.setup, check=True)
        with pytest.raises(RuntimeError, match="Shop: not your order"):
            run_blocks(chain, swapped.blocks(25), check=True)
    finally:
        chain.app.close()


def test_without_the_sellers_accepts_the_first_review_fails(tmp_path, monkeypatch):
    """The buyer may review only an order its seller accepted: signed without the accepts (the
    sellers' nonces still consecutive), the day stops at the first review."""
    timed = marketplace._Signer.timed

    def no_accepts(self, stage, key, to, contract, function, *args, **kwargs):
        if function != "acceptOrder":
            timed(self, stage, key, to, contract, function, *args, **kwargs)

    monkeypatch.setattr(marketplace._Signer, "timed", no_accepts)
    workload = workloads.build("marketplace", COUNT, BUYERS)
    assert workload.stages[1].size == 20
    chain = InProcessChain.start(str(tmp_path / "db"), workload.genesis())
    try:
        run_blocks(chain, workload.setup, check=True)
        with pytest.raises(RuntimeError, match="the seller did not accept this order"):
            run_blocks(chain, workload.blocks(25), check=True)
    finally:
        chain.app.close()
