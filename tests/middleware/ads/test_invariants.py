"""Random sequences of ads calls and block-time advances keep the books, checked after every block:
the funds total equals the precompile's balance and the campaigns' budgets + reservations, every
campaign's deposit is budget + reserved + spent + refunded, and the supply is unchanged. At the
end, every pending message is answered and every campaign closed: the precompile is left empty,
so no CMT is ever stuck.

Calls are drawn so that many succeed, yet wrong senders, mismatched targeting, ended campaigns and
repeated answers happen too; a refused call must change no ads record, no staking record and no
balance of the precompile (`--hypothesis-show-statistics` shows what succeeded and why the rest
was refused)."""

import tempfile

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from abci_app.cli.wallet import dev_account

from .harness import ADS, CMT, CREATE, OPT_IN, SEND, AdsChain, ads_state

KEYS = [dev_account(i) for i in range(6)]
ADVERTISERS, USERS = (2, 3), (3, 4, 5)   # key 3 is both
MASKS = st.sampled_from([1, 3, (1 << 200) | 1, 1, 4])   # mostly sharing bit 0, sometimes not
USER_REGIONS = st.sampled_from([0, 7, 8])
CAMPAIGN_REGIONS = st.sampled_from([0, 0, 0, 7])       # mostly anywhere
REWARDS = st.integers(1, 5).map(lambda r: r * CMT + 17)
picks = st.integers(0, 999)
mostly = st.integers(0, 4).map(bool)   # True 4 times in 5: the right sender

send = st.tuples(st.just("send"), picks, st.sampled_from((4, 5, 4, 5, 3, 0)), mostly)
answer = st.tuples(st.just("answer"), picks, st.booleans(), mostly)
MINIMUMS = st.sampled_from([0, 0, 2 * CMT, 9 * CMT])


def opt_in(users):
    return st.tuples(st.just("opt_in"), st.sampled_from(users), MASKS, USER_REGIONS, MINIMUMS)


def create(advertisers):
    """(advertiser, mask, region, reward, budget in rewards, odd wei on top, seconds until the end)."""
    return st.tuples(st.just("create"), st.sampled_from(advertisers), MASKS, CAMPAIGN_REGIONS, REWARDS,
                     st.integers(1, 4), st.integers(0, 10**6), st.integers(2, 150))


# every run starts with two users opted in and a campaign, so that messages flow from the start
prelude = st.tuples(opt_in((4,)), opt_in((5,)), create((2,)))
actions = st.one_of(
    send, send, answer, answer, opt_in(USERS), create(ADVERTISERS),
    st.tuples(st.just("opt_out"), st.sampled_from(USERS)),
    st.tuples(st.just("block"), st.sampled_from(USERS), st.sampled_from(ADVERTISERS)),
    st.tuples(st.just("unblock"), st.sampled_from(USERS), st.sampled_from(ADVERTISERS)),
    st.tuples(st.just("close"), picks, mostly),
    st.tuples(st.just("time"), st.integers(1, 30)),
)


class Run:
    def __init__(self, net: AdsChain) -> None:
        self.net = net

    def call(self, i: int, signature: str, *args, value: int = 0) -> bool:
        before = self.net.snapshot()
        result = self.net.call(KEYS[i], signature, *args, value=value)
        assert result.code in (0, 32), result.log  # a success or a clean revert, never a VM bug
        if result.code:
            assert self.net.snapshot() == before
        self.net.assert_funds()
        event(f"{signature.split('(')[0]} {'ok' if result.code == 0 else result.log}")
        return result.code == 0

    def campaign_id(self, pick: int) -> int:
        count = self.net.state().campaign_count
        return pick % count + 1 if count and pick % 7 else pick % 3

    def run(self, action) -> None:
        kind, *args = action
        state = self.net.state()
        if kind == "opt_in":
            i, mask, region, minimum = args
            self.call(i, OPT_IN, mask, region, minimum)
        elif kind == "opt_out":
            self.call(args[0], "optOut()")
        elif kind in ("block", "unblock"):
            i, a = args
            self.call(i, f"{kind}Advertiser(address)", KEYS[a].address)
        elif kind == "create":
            i, mask, region, reward, count, extra, ends_in = args
            self.call(i, CREATE, mask, region, reward, self.net.chain.time_s + ends_in, "ad",
                      value=reward * count + extra)
        elif kind == "send":
            pick, user, by_owner = args
            campaign = self.campaign_id(pick)
            sender = ADVERTISERS[pick % 2]
            if by_owner and state.campaign_exists(campaign):
                sender = KEYS.index(next(k for k in KEYS if int(k.address, 16) == state.campaign(campaign).advertiser))
            self.call(sender, SEND, campaign, KEYS[user].address)
        elif kind == "answer":
            pick, accept, by_recipient = args
            count = state.message_count
            message = pick % count + 1 if count else 1
            user = USERS[pick % 3]
            if by_recipient and state.message_exists(message):
                user = self.owner(state.message(message).user)
            self.call(user, "accept(uint256)" if accept else "reject(uint256)", message)
        elif kind == "close":
            pick, by_owner = args
            campaign = self.campaign_id(pick)
            sender = ADVERTISERS[pick % 2]
            if by_owner and state.campaign_exists(campaign):
                sender = self.owner(state.campaign(campaign).advertiser)
            self.call(sender, "closeCampaign(uint256)", campaign)
        elif kind == "time":
            self.net.block(seconds=args[0])
            self.net.assert_funds()

    @staticmethod
    def owner(address: int) -> int:
        return next(i for i, k in enumerate(KEYS) if int(k.address, 16) == address)

    def settle_everything(self) -> None:
        """Wait past every end time and close every campaign, then answer every message still
        pending (alternately accept and reject: a reject after the close refunds the advertiser)."""
        self.net.block(seconds=200)
        state = self.net.state()
        for campaign in range(1, state.campaign_count + 1):
            record = self.net.state().campaign(campaign)
            if not record.closed:
                assert self.call(self.owner(record.advertiser), "closeCampaign(uint256)", campaign)
        for message in range(1, state.message_count + 1):
            record = self.net.state().message(message)
            if record.status == 0:
                assert self.call(self.owner(record.user), ("accept(uint256)", "reject(uint256)")[message % 2], message)
        state = self.net.state()
        assert state.funds_wei == self.net.chain.balance(ADS) == 0
        for campaign in range(1, state.campaign_count + 1):
            c = state.campaign(campaign)
            assert c.closed and c.reserved_wei == c.budget_wei == 0
            assert c.spent_wei + c.refunded_wei == c.deposit_wei
            assert c.sent == c.accepted + c.rejected


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prelude, st.lists(actions, min_size=15, max_size=40))
def test_random_ads_calls_keep_the_books(start, plan):
    with tempfile.TemporaryDirectory() as tmp:
        net = AdsChain.start(f"{tmp}/db", ads_state(KEYS, {"max_inbox": 3}))
        net.keys = KEYS
        try:
            run = Run(net)
            for action in (*start, *plan):
                run.run(action)
            run.settle_everything()
        finally:
            net.chain.app.close()
