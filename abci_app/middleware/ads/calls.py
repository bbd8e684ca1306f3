"""The ads precompile's Solidity functions (contracts/interfaces/IAds.sol).

Each call is thin: CHECKS (a bad call reverts with a reason and changes nothing; the order of the
targeting checks is rules.send_refusal), GAS (the fixed cost per function; the framework adds gas
per stored word), EFFECTS through state.py and rules.py, EVENTS. CMT enters only as the value of
createCampaign and leaves only through ctx.pay; `funds` follows every move.
"""

from ...errors import CallError
from ...precompiles import CallContext, Event, function
from ..group_membership import NO_GROUP, check_restriction, is_member
from . import rules, views
from .records import ACCEPTED, PENDING, REJECTED, Campaign, Message, Profile
from .state import AdsState, address_int, int_address

OPTED_IN = Event("OptedIn(address user,uint256 interestMask,uint32 regionCode,uint256 minReward)", indexed=1)
OPTED_OUT = Event("OptedOut(address user)", indexed=1)
ADVERTISER_BLOCKED = Event("AdvertiserBlocked(address user,address advertiser)", indexed=2)
ADVERTISER_UNBLOCKED = Event("AdvertiserUnblocked(address user,address advertiser)", indexed=2)
CAMPAIGN_CREATED = Event(
    "CampaignCreated(uint256 campaignId,address advertiser,uint256 budget,uint256 rewardPerMessage,"
    "uint64 endTime)", indexed=2)
MESSAGE_SENT = Event("MessageSent(uint256 messageId,uint256 campaignId,address user,uint256 reward)", indexed=3)
MESSAGE_ACCEPTED = Event(
    "MessageAccepted(uint256 messageId,uint256 campaignId,address user,uint256 reward)", indexed=3)
MESSAGE_REJECTED = Event(
    "MessageRejected(uint256 messageId,uint256 campaignId,address user,uint256 reward,bool toAdvertiser)", indexed=3)
CAMPAIGN_CLOSED = Event("CampaignClosed(uint256 campaignId,address advertiser,uint256 refund)", indexed=2)
CAMPAIGN_RESTRICTED = Event("CampaignRestricted(uint256 campaignId,uint256 groupId)", indexed=2)

# Every event of the ads precompile (app/modules.py maps its logs to ABCI events).
EVENTS = (
    OPTED_IN, OPTED_OUT, ADVERTISER_BLOCKED, ADVERTISER_UNBLOCKED, CAMPAIGN_CREATED, MESSAGE_SENT,
    MESSAGE_ACCEPTED, MESSAGE_REJECTED, CAMPAIGN_CLOSED, CAMPAIGN_RESTRICTED,
)

NO_PROFILE = Profile(opted_in=False, interest_mask=0, region_code=0, min_reward_wei=0)


def _address(text: str) -> bytes:
    return bytes.fromhex(text[2:])


def _existing_campaign(st: AdsState, campaign_id: int) -> Campaign:
    if not st.campaign_exists(campaign_id):
        raise CallError("no such campaign")
    return st.campaign(campaign_id)


def _pending_message_of(st: AdsState, message_id: int, sender: bytes) -> Message:
    """The sender's own message, still waiting for an answer."""
    if not st.message_exists(message_id):
        raise CallError("no such message")
    message = st.message(message_id)
    if message.user != address_int(sender):
        raise CallError("not the message's recipient")
    if message.status != PENDING:
        raise CallError("message already answered")
    return message


def _release(ctx: CallContext, st: AdsState, message_id: int, message: Message) -> None:
    """A reject (by the user, or by anyone once it expired): the reward returns to the budget, or
    to the advertiser once the campaign is closed."""
    campaign = st.campaign(message.campaign_id)
    released, to_advertiser = rules.apply_reject(campaign, message.reward_wei)
    st.set_campaign(message.campaign_id, released)
    st.set_message(message_id, Message(message.campaign_id, message.user, message.reward_wei, REJECTED,
                                       message.sent_at_s))
    st.inbox(int_address(message.user)).remove(message_id)
    if to_advertiser:
        st.set_funds_wei(st.funds_wei - message.reward_wei)
        ctx.pay(int_address(campaign.advertiser), message.reward_wei)
    ctx.emit(MESSAGE_REJECTED, message_id, message.campaign_id, int_address(message.user), message.reward_wei,
             to_advertiser)


class AdsCalls:
    """The functions of the ads precompile."""

    # ---- users -----------------------------------------------------------------------------

    @function("optIn(uint256,uint32,uint256)", gas=20_000)
    def opt_in(self, ctx: CallContext, interest_mask: int, region_code: int, min_reward_wei: int) -> None:
        st = AdsState(ctx.storage)
        # CHECKS
        if interest_mask == 0:
            raise CallError("interest mask must not be zero")
        # EFFECTS
        st.set_profile(ctx.sender, Profile(True, interest_mask, region_code, min_reward_wei))
        # EVENTS
        ctx.emit(OPTED_IN, ctx.sender, interest_mask, region_code, min_reward_wei)

    @function("optOut()", gas=10_000)
    def opt_out(self, ctx: CallContext) -> None:
        st = AdsState(ctx.storage)
        if not st.profile(ctx.sender).opted_in:
            raise CallError("not opted in")
        st.set_profile(ctx.sender, NO_PROFILE)  # nothing of the profile is kept
        ctx.emit(OPTED_OUT, ctx.sender)

    @function("blockAdvertiser(address)", gas=10_000)
    def block_advertiser(self, ctx: CallContext, advertiser: str) -> None:
        st = AdsState(ctx.storage)
        advertiser = _address(advertiser)
        if st.is_blocked(ctx.sender, advertiser):
            raise CallError("advertiser already blocked")
        st.set_blocked(ctx.sender, advertiser, True)
        ctx.emit(ADVERTISER_BLOCKED, ctx.sender, advertiser)

    @function("unblockAdvertiser(address)", gas=10_000)
    def unblock_advertiser(self, ctx: CallContext, advertiser: str) -> None:
        st = AdsState(ctx.storage)
        advertiser = _address(advertiser)
        if not st.is_blocked(ctx.sender, advertiser):
            raise CallError("advertiser not blocked")
        st.set_blocked(ctx.sender, advertiser, False)
        ctx.emit(ADVERTISER_UNBLOCKED, ctx.sender, advertiser)

    # ---- advertisers -----------------------------------------------------------------------

    @function("createCampaign(uint256,uint32,uint256,uint64,string)", gas=40_000, payable=True,
              returns=("uint256",))
    def create_campaign(self, ctx: CallContext, interest_mask: int, region_code: int, reward_wei: int,
                        end_time_s: int, content: str) -> int:
        st = AdsState(ctx.storage)
        # CHECKS
        refusal = rules.campaign_refusal(interest_mask, reward_wei, ctx.value_wei, end_time_s, ctx.now_s,
                                         len(content.encode()), st.params())
        if refusal:
            raise CallError(refusal)
        # EFFECTS
        campaign = Campaign(
            advertiser=address_int(ctx.sender), interest_mask=interest_mask, region_code=region_code,
            reward_per_message_wei=reward_wei, end_time_s=end_time_s, deposit_wei=ctx.value_wei,
            budget_wei=ctx.value_wei, reserved_wei=0, spent_wei=0, refunded_wei=0, sent=0, accepted=0, rejected=0,
            closed=False)
        campaign_id = st.add_campaign(campaign, content)
        st.set_funds_wei(st.funds_wei + ctx.value_wei)
        # EVENTS
        ctx.emit(CAMPAIGN_CREATED, campaign_id, ctx.sender, ctx.value_wei, reward_wei, end_time_s)
        return campaign_id

    @function("sendMessage(uint256,address)", gas=30_000, returns=("uint256",))
    def send_message(self, ctx: CallContext, campaign_id: int, user: str) -> int:
        st = AdsState(ctx.storage)
        user = _address(user)
        # CHECKS
        campaign = _existing_campaign(st, campaign_id)
        inbox = st.inbox(user)
        refusal = rules.send_refusal(
            campaign, st.profile(user), sender=address_int(ctx.sender), now_s=ctx.now_s,
            blocked=st.is_blocked(user, ctx.sender), already_received=st.received(campaign_id, user),
            inbox_size=len(inbox), params=st.params())
        if refusal:
            raise CallError(refusal)
        group_id = st.campaign_group(campaign_id)
        if group_id != NO_GROUP and not is_member(ctx, group_id, user):
            raise CallError("user is not a member of the campaign's group")
        # EFFECTS
        reward = campaign.reward_per_message_wei
        st.set_campaign(campaign_id, rules.apply_send(campaign))
        message_id = st.add_message(Message(campaign_id, address_int(user), reward, PENDING, ctx.now_s))
        st.mark_received(campaign_id, user)
        inbox.add(message_id)
        # EVENTS
        ctx.emit(MESSAGE_SENT, message_id, campaign_id, user, reward)
        return message_id

    @function("restrictToGroup(uint256,uint256)", gas=20_000)
    def restrict_to_group(self, ctx: CallContext, campaign_id: int, group_id: int) -> None:
        """Only members of the group may receive the campaign's messages from now on
        (group_membership.check_restriction)."""
        st = AdsState(ctx.storage)
        # CHECKS
        campaign = _existing_campaign(st, campaign_id)
        if campaign.advertiser != address_int(ctx.sender):
            raise CallError("not the campaign's advertiser")
        check_restriction(ctx, group_id, current_group=st.campaign_group(campaign_id),
                          too_late="messages already sent" if campaign.sent else "", role="advertiser")
        # EFFECTS
        st.set_campaign_group(campaign_id, group_id)
        # EVENTS
        ctx.emit(CAMPAIGN_RESTRICTED, campaign_id, group_id)

    @function("closeCampaign(uint256)", gas=20_000)
    def close_campaign(self, ctx: CallContext, campaign_id: int) -> None:
        st = AdsState(ctx.storage)
        # CHECKS
        campaign = _existing_campaign(st, campaign_id)
        if campaign.advertiser != address_int(ctx.sender):
            raise CallError("not the campaign's advertiser")
        if campaign.closed:
            raise CallError("campaign already closed")
        if ctx.now_s < campaign.end_time_s:
            raise CallError("campaign has not ended")
        # EFFECTS: the unreserved budget goes back; rewards reserved for pending messages stay
        closed, refund = rules.apply_close(campaign)
        st.set_campaign(campaign_id, closed)
        st.set_funds_wei(st.funds_wei - refund)
        ctx.pay(ctx.sender, refund)
        # EVENTS
        ctx.emit(CAMPAIGN_CLOSED, campaign_id, ctx.sender, refund)

    # ---- answers ---------------------------------------------------------------------------

    @function("accept(uint256)", gas=20_000)
    def accept(self, ctx: CallContext, message_id: int) -> None:
        st = AdsState(ctx.storage)
        # CHECKS
        message = _pending_message_of(st, message_id, ctx.sender)
        # EFFECTS
        campaign = st.campaign(message.campaign_id)
        st.set_campaign(message.campaign_id, rules.apply_accept(campaign, message.reward_wei))
        st.set_message(message_id, Message(message.campaign_id, message.user, message.reward_wei, ACCEPTED,
                                           message.sent_at_s))
        st.inbox(ctx.sender).remove(message_id)
        st.set_funds_wei(st.funds_wei - message.reward_wei)
        ctx.pay(ctx.sender, message.reward_wei)
        # EVENTS
        ctx.emit(MESSAGE_ACCEPTED, message_id, message.campaign_id, ctx.sender, message.reward_wei)

    @function("reject(uint256)", gas=20_000)
    def reject(self, ctx: CallContext, message_id: int) -> None:
        st = AdsState(ctx.storage)
        # CHECKS
        message = _pending_message_of(st, message_id, ctx.sender)
        # EFFECTS and EVENTS
        _release(ctx, st, message_id, message)

    @function("expire(uint256)", gas=20_000)
    def expire(self, ctx: CallContext, message_id: int) -> None:
        """Anyone may release a message left unanswered for `answer_seconds`: like a reject, so no
        reserved reward stays in escrow for ever."""
        st = AdsState(ctx.storage)
        # CHECKS
        if not st.message_exists(message_id):
            raise CallError("no such message")
        message = st.message(message_id)
        if message.status != PENDING:
            raise CallError("message already answered")
        if ctx.now_s < message.sent_at_s + st.params().answer_seconds:
            raise CallError("message may still be answered")
        # EFFECTS and EVENTS
        _release(ctx, st, message_id, message)

    # ---- views -----------------------------------------------------------------------------

    @function("profile(address)", gas=3_000, view=True, returns=views.PROFILE_ABI)
    def profile(self, ctx: CallContext, user: str):
        return views.profile_tuple(AdsState(ctx.storage), _address(user))

    @function("campaign(uint256)", gas=5_000, view=True, returns=(views.CAMPAIGN_ABI,))
    def campaign(self, ctx: CallContext, campaign_id: int):
        st = AdsState(ctx.storage)
        _existing_campaign(st, campaign_id)
        return views.campaign_tuple(st, campaign_id)

    @function("campaignGroup(uint256)", gas=3_000, view=True, returns=("uint256",))
    def campaign_group(self, ctx: CallContext, campaign_id: int) -> int:
        """The group whose members alone may receive the campaign's messages (0: anyone)."""
        st = AdsState(ctx.storage)
        _existing_campaign(st, campaign_id)
        return st.campaign_group(campaign_id)

    @function("message(uint256)", gas=3_000, view=True, returns=(views.MESSAGE_ABI,))
    def message(self, ctx: CallContext, message_id: int):
        st = AdsState(ctx.storage)
        if not st.message_exists(message_id):
            raise CallError("no such message")
        return views.message_tuple(st, message_id)

    @function("inbox(address)", gas=5_000, view=True, returns=("uint256[]",))
    def inbox(self, ctx: CallContext, user: str):
        return list(AdsState(ctx.storage).inbox(_address(user)))

    @function("isBlocked(address,address)", gas=3_000, view=True, returns=("bool",))
    def is_blocked(self, ctx: CallContext, user: str, advertiser: str):
        return AdsState(ctx.storage).is_blocked(_address(user), _address(advertiser))

    @function("totals()", gas=3_000, view=True, returns=("uint256", "uint256", "uint256"))
    def totals(self, ctx: CallContext):
        """(campaigns created, messages sent, CMT held in wei)."""
        st = AdsState(ctx.storage)
        return st.campaign_count, st.message_count, st.funds_wei

    @function("params()", gas=3_000, view=True, returns=(views.PARAMS_ABI,))
    def params(self, ctx: CallContext):
        return views.params_tuple(AdsState(ctx.storage).params())
