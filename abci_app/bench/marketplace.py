"""The marketplace-day workload: the commerce this chain exists for, from many accounts.

Who: `accounts` buyers; max(2, accounts // 10) sellers, each with its own `Shop` and
`LoyaltyPoints` (contracts/examples) listing three items of 2, 5 and 9 CMT; three arbiters (the
default panel size, so every dispute draws all of them, whatever the block hashes); a coupon
sponsor; two advertisers.

Setup (untimed): the sellers deploy and list, the arbiters join the pool, the buyers opt in to
ads; the sponsor funds one coupon campaign (1 CMT a coupon) per shop and round of coupon sales;
each advertiser funds its ad campaigns (0.01 CMT a message), one setup block each.

The day, sale i = 0, 1, ...: buyer i % buyers buys item (i // shops) % 3 of shop (i + i // shops) %
shops (each round of the shops shifts by one, so coupons and disputes reach every shop).
- every 4th sale (i % 4 == 0) pays 1 CMT of the price with a coupon: claim, reserve it at the
  shop, transfer it to the shop, buy;
- every 5th (i % 5 == 4) is disputed through the shop (1 CMT fee); the arbiters vote 2:1 for the
  buyer on even-numbered disputes, for the seller on odd ones; the buyer claims what the order
  paid it;
- the others are confirmed: the seller is paid and the shop mints loyalty points to the buyer;
- every sale is accepted by its seller (`acceptOrder` on the arbitration precompile, directly:
  the seller is the order's seller, the shop its buyer) and shipped, and reviewed by its buyer
  (through the shop): only an order its seller accepted counts in the seller's credit, and only
  then may the buyer review it;
- every 2nd sale (i % 2 == 0) brings an ad message to a buyer, accepted 3 times in 4.
Per 20 sales, 151 txs: 20 buys, 15 coupon steps, 20 accepts, 20 ships, 16 confirmations, 4
disputes, 20 reviews, 10 ad messages, 10 answers, 12 votes, 4 claims. `count` asks for at least
that many txs: the day is the fewest whole sales that reach it.

Stages, each committed before the next is sent: 1 shopping (claims, buys, ad messages), 2
shipping (each seller accepts the order, then ships it), 3 confirm or dispute, 4 reviews of
confirmed sales, 5 ad answers, 6 votes, 7 claims and reviews of disputed sales. Stages 4 and 5 are the `draw_delay_blocks` (2) blocks a panel waits
for after its dispute. Orders, coupons and ad messages get ids from counters as they are created,
so stage 1 must be included in the order signed: the application and socket levels run blocks as
given, end to end it goes as one lane, every tx with the same tip (the proposer takes mempool
order) and the same gas limit (none slips past one that does not fit). Should the ids come out
otherwise, a later tx names a wrong id and fails, and a failed tx stops the benchmark.
"""

from collections import Counter
from dataclasses import dataclass

from eth._utils.address import generate_contract_address

from ..app.driver import GENESIS_TIME_S
from ..contracts import encode_call, encode_deploy
from ..middleware import ads, arbitration, coupons
from ..middleware.arbitration.params import ArbitrationParams
from .workloads import CENTRE, FUNDING_CMT, WEI_PER_CMT, Stage, Workload, seeded_keys, sign_bench_tx

ARBITRATION = "0x" + arbitration.ADDRESS.hex()
COUPONS = "0x" + coupons.ADDRESS.hex()
ADS = "0x" + ads.ADDRESS.hex()
PARAMS = ArbitrationParams()        # the chain's defaults: the workload's genesis leaves them
assert PARAMS.draw_delay_blocks <= 2, "stages 4 and 5 are the blocks a panel waits for after its dispute"
ITEM_PRICES_CMT = (2, 5, 9)
COUPON_WEI = WEI_PER_CMT
AD_REWARD_WEI = WEI_PER_CMT // 100
ADVERTISERS = 2
DELIVERY_S = 7 * 24 * 3600
CAMPAIGN_S = 10**7                  # coupon and ad campaigns run this long from `start_s`
# Declared gas, about 1.3x the most each call used here (a tx is charged at least half of it).
# Every stage-1 tx declares the same, the most of them (a buy with a coupon: 380,585), so that
# none slips past one that does not fit in a block. acceptOrder used 62,704 to 62,716 (a day of
# 3,004 txs from 100 buyers).
SHOPPING_GAS = 500_000
GAS = {"acceptOrder": 80_000, "ship": 80_000, "confirmDelivery": 550_000, "dispute": 340_000, "review": 160_000,
       "accept": 160_000, "reject": 160_000, "vote": 400_000, "claim": 140_000, "joinPool": 200_000,
       "optIn": 160_000, "setMinter": 100_000, "listItem": 200_000}
DEPLOY_GAS = 3_000_000
CAMPAIGN_GAS = 1_000_000            # a campaign stores a dozen words


@dataclass(frozen=True)
class Sale:
    index: int
    buyer: int
    shop: int
    item: int
    coupon: bool
    disputed: bool
    ad: bool        # brings an ad message

    @property
    def txs(self) -> int:
        """Buy, accept, ship, confirm or dispute, review; claim, reserve, transfer; 3 votes, claim; the ad's send
        and answer."""
        return 5 + 3 * self.coupon + 4 * self.disputed + 2 * self.ad


def sales(count: int, buyers: int, shops: int) -> list[Sale]:
    """The fewest sales whose txs reach `count`."""
    day, total = [], 0
    while total < count or not day:
        i = len(day)
        shop, item = (i + i // shops) % shops, (i // shops) % len(ITEM_PRICES_CMT)  # each round shifts the shops
        day.append(Sale(i, i % buyers, shop, item, coupon=i % 4 == 0, disputed=i % 5 == 4, ad=i % 2 == 0))
        total += day[-1].txs
    return day


class _Signer:
    """Signs for many keys, counting each key's nonces; collects the timed txs stage by stage."""

    def __init__(self) -> None:
        self.nonces: Counter[str] = Counter()
        self.stages: list[tuple[list[tuple[bytes, str]], bool]] = []

    def sign(self, key, to: str, data: bytes, value: int = 0, gas: int = 0) -> bytes:
        nonce = self.nonces[key.address]
        self.nonces[key.address] += 1
        return sign_bench_tx(key, nonce, to, value, data, gas)

    def call(self, key, to: str, contract: str, function: str, *args, value: int = 0, gas: int = 0) -> bytes:
        """`function` of `contract` (its compiled ABI), declaring GAS[function] unless `gas`."""
        return self.sign(key, to, encode_call(contract, function, *args), value, gas or GAS[function])

    def stage(self, in_order: bool = False) -> list[tuple[bytes, str]]:
        self.stages.append(([], in_order))
        return self.stages[-1][0]

    def timed(self, stage: list, key, to: str, contract: str, function: str, *args, value: int = 0,
              gas: int = 0) -> None:
        stage.append((self.call(key, to, contract, function, *args, value=value, gas=gas), key.address))


def shop_of(seller) -> tuple[str, str]:
    """The seller's (LoyaltyPoints, Shop) addresses: its first two txs deploy them."""
    return tuple("0x" + generate_contract_address(bytes.fromhex(seller.address[2:]), n).hex() for n in (0, 1))


@dataclass(frozen=True)
class Roles:
    buyers: list
    sellers: list
    arbiters: list
    sponsor: object
    advertisers: list

    @classmethod
    def of(cls, accounts: int) -> "Roles":
        """`accounts` buyers and the rest (module docstring), from fixed seeds."""
        return cls(seeded_keys("market-buyer", accounts), seeded_keys("market-seller", max(2, accounts // 10)),
                   seeded_keys("market-arbiter", PARAMS.arbiters_per_case), seeded_keys("market-sponsor", 1)[0],
                   seeded_keys("market-advertiser", ADVERTISERS))

    @property
    def keys(self) -> list:
        return [*self.buyers, *self.sellers, *self.arbiters, self.sponsor, *self.advertisers]


def marketplace(count: int, accounts: int, start_s: int = GENESIS_TIME_S) -> Workload:
    """The marketplace day of at least `count` timed txs from `accounts` buyers; campaigns start at `start_s`."""
    who = Roles.of(accounts)
    day = sales(count, len(who.buyers), len(who.sellers))
    signer = _Signer()
    shops = [shop_of(s) for s in who.sellers]
    setup = [_opening(signer, who, shops), _listing(signer, who.sellers, shops)]
    coupon_campaign = _coupon_campaigns(signer, who.sponsor, shops, day, setup[-1], start_s)
    messages = _ad_messages(day, len(who.buyers))
    campaign_ids = _ad_campaigns(signer, who.advertisers, messages, setup, start_s)
    shop_addresses = [shop for _, shop in shops]
    sent = _shopping(signer, day, who, shop_addresses, coupon_campaign, messages, campaign_ids)
    _after(signer, day, who, shop_addresses, sent)
    timed = [pair for txs, _ in signer.stages for pair in txs]
    return Workload("marketplace", who.keys, setup, [raw for raw, _ in timed], [sender for _, sender in timed],
                    [Stage(len(txs), in_order) for txs, in_order in signer.stages if txs], _funding(day, who))


def _funding(day: list[Sale], who: Roles) -> dict[str, int]:
    """Genesis CMT: the usual 1,000 for gas plus what each buyer pays, the arbiters' stakes and
    the coupons' and ads' escrow (rounded up to whole CMT)."""
    wei: Counter[str] = Counter()
    for sale in day:
        price = ITEM_PRICES_CMT[sale.item] * WEI_PER_CMT
        wei[who.buyers[sale.buyer].address] += price + PARAMS.dispute_fee_wei * sale.disputed
    wei[who.sponsor.address] += COUPON_WEI * sum(s.coupon for s in day)
    wei.update({a.address: AD_REWARD_WEI * sum(s.ad for s in day) for a in who.advertisers})
    wei.update({a.address: PARAMS.min_arbiter_stake_wei for a in who.arbiters})
    return {address: FUNDING_CMT + -(-amount // WEI_PER_CMT) for address, amount in wei.items()}


def _opening(signer: _Signer, who: Roles, shops) -> list[bytes]:
    """Sellers deploy their points and shops, arbiters join the pool, buyers opt in to ads."""
    block = []
    for seller, (points, _) in zip(who.sellers, shops):
        block.append(signer.sign(seller, "", encode_deploy("LoyaltyPoints", "Shop points", "PTS"), gas=DEPLOY_GAS))
        block.append(signer.sign(seller, "", encode_deploy("Shop", points, DELIVERY_S), gas=DEPLOY_GAS))
    block += [signer.call(a, ARBITRATION, "IArbitration", "joinPool", value=PARAMS.min_arbiter_stake_wei)
              for a in who.arbiters]
    block += [signer.call(b, ADS, "IAds", "optIn", 1 | 1 << (1 + n % 7), 0, 0) for n, b in enumerate(who.buyers)]
    return block


def _listing(signer: _Signer, sellers, shops) -> list[bytes]:
    """Each shop may mint its points and lists its items."""
    block = []
    for seller, (points, shop) in zip(sellers, shops):
        block.append(signer.call(seller, points, "LoyaltyPoints", "setMinter", shop, True))
        block += [signer.call(seller, shop, "Shop", "listItem", price * WEI_PER_CMT, f"item {n}")
                  for n, price in enumerate(ITEM_PRICES_CMT)]
    return block


def _coupon_campaigns(signer: _Signer, sponsor, shops, day: list[Sale], block: list, start_s: int) -> dict:
    """One campaign per shop and round (a buyer claims once per campaign), sized to its coupon
    sales, created in this order by one sponsor (ids 1, 2, ...): {sale index: campaign id}."""
    rounds: Counter[tuple[int, int]] = Counter()
    campaign_of = {}
    for sale in (s for s in day if s.coupon):
        campaign_of[sale.index] = (sale.shop, rounds[sale.buyer, sale.shop])
        rounds[sale.buyer, sale.shop] += 1
    sizes = Counter(campaign_of.values())
    ids = {campaign: n + 1 for n, campaign in enumerate(sorted(sizes))}
    for (shop, _), size in sorted(sizes.items()):
        block.append(signer.call(sponsor, COUPONS, "ICoupons", "createCampaign", shops[shop][1], COUPON_WEI, size,
                                 *CENTRE, 1_000, start_s, start_s + CAMPAIGN_S, "0x" + "00" * 20, "market",
                                 value=COUPON_WEI * size, gas=CAMPAIGN_GAS))
    return {index: ids[campaign] for index, campaign in campaign_of.items()}


def _ad_messages(day: list[Sale], buyers: int) -> list[tuple[int, int]]:
    """(campaign, buyer) of each message, in sending order: message m goes to buyer m // C in
    campaign m % C, with C campaigns (a multiple of the advertisers) enough that no buyer gets one twice."""
    count = sum(s.ad for s in day)
    per_round = ADVERTISERS * -(-count // (ADVERTISERS * buyers))
    return [(m % per_round, m // per_round) for m in range(count)]


def _ad_campaigns(signer: _Signer, advertisers, messages, setup: list, start_s: int) -> dict[int, int]:
    """Advertiser a funds campaigns a, a + 2, ... in a setup block of its own (ids count across
    advertisers in that order): {campaign: id}."""
    sizes = Counter(campaign for campaign, _ in messages)
    ids: dict[int, int] = {}
    for a, advertiser in enumerate(advertisers):
        block = []
        for campaign in sorted(c for c in sizes if c % ADVERTISERS == a):
            ids[campaign] = len(ids) + 1
            block.append(signer.call(advertiser, ADS, "IAds", "createCampaign", 1, 0, AD_REWARD_WEI,
                                     start_s + CAMPAIGN_S, f"ad {campaign}", value=AD_REWARD_WEI * sizes[campaign],
                                     gas=CAMPAIGN_GAS))
        setup.append(block)
    return ids


def _shopping(signer: _Signer, day: list[Sale], who: Roles, shops: list[str], coupon_campaign: dict,
              messages, campaign_ids) -> list[tuple[int, int]]:
    """Stage 1, in order: claims and buys (coupon and order ids 1, 2, ...), ad messages (ids 1,
    2, ...); returns (message id, buyer) of each message."""
    stage = signer.stage(in_order=True)
    sent, issued = [], 0
    for sale in day:
        buyer, shop = who.buyers[sale.buyer], shops[sale.shop]
        price = ITEM_PRICES_CMT[sale.item] * WEI_PER_CMT
        coupon = 0                                   # the coupon id the buy names (0: none)
        if sale.coupon:
            issued += 1
            coupon = issued
            signer.timed(stage, buyer, COUPONS, "ICoupons", "claim", coupon_campaign[sale.index], CENTRE[0] + 100,
                         CENTRE[1] - 100, 0, b"", gas=SHOPPING_GAS)
            signer.timed(stage, buyer, shop, "Shop", "reserveCoupon", coupon, gas=SHOPPING_GAS)
            signer.timed(stage, buyer, COUPONS, "ICoupons", "transfer", coupon, shop, gas=SHOPPING_GAS)
        signer.timed(stage, buyer, shop, "Shop", "buy", sale.item, coupon, value=price - COUPON_WEI * sale.coupon,
                     gas=SHOPPING_GAS)
        if sale.ad:
            campaign, user = messages[len(sent)]
            signer.timed(stage, who.advertisers[campaign % ADVERTISERS], ADS, "IAds", "sendMessage",
                         campaign_ids[campaign], who.buyers[user].address, gas=SHOPPING_GAS)
            sent.append((len(sent) + 1, user))
    return sent


def _after(signer: _Signer, day: list[Sale], who: Roles, shops: list[str], sent: list[tuple[int, int]]) -> None:
    """Stages 2 to 7 (module docstring), signed stage by stage so that nonces follow the stages;
    sale i's order id is i + 1."""
    parties = [(sale, sale.index + 1, who.buyers[sale.buyer], shops[sale.shop]) for sale in day]
    disputes = [party for party in parties if party[0].disputed]
    stage = signer.stage()
    for sale, order, _, shop in parties:   # the seller takes the order on (while it is open), then ships
        seller = who.sellers[sale.shop]
        signer.timed(stage, seller, ARBITRATION, "IArbitration", "acceptOrder", order)
        signer.timed(stage, seller, shop, "Shop", "ship", order, f"TRACK-{sale.index}")
    stage = signer.stage()
    for sale, order, buyer, shop in parties:
        if sale.disputed:
            signer.timed(stage, buyer, shop, "Shop", "dispute", order, "not as described", value=PARAMS.dispute_fee_wei)
        else:
            signer.timed(stage, buyer, shop, "Shop", "confirmDelivery", order)
    stage = signer.stage()
    for sale, order, buyer, shop in parties:
        if not sale.disputed:
            signer.timed(stage, buyer, shop, "Shop", "review", order, 3 + sale.index % 3, "as described")
    stage = signer.stage()
    for message_id, user in sent:
        signer.timed(stage, who.buyers[user], ADS, "IAds", "reject" if message_id % 4 == 0 else "accept", message_id)
    stage = signer.stage()
    for n, (_, order, _, _) in enumerate(disputes):   # 2:1 for the buyer on even disputes, for the seller on odd
        for a, arbiter in enumerate(who.arbiters):
            signer.timed(stage, arbiter, ARBITRATION, "IArbitration", "vote", order, (a < 2) == (n % 2 == 0))
    stage = signer.stage()
    for n, (_, order, buyer, shop) in enumerate(disputes):
        signer.timed(stage, buyer, shop, "Shop", "claim", order)
        signer.timed(stage, buyer, shop, "Shop", "review", order, 1 + n % 2, "arbitrated")


