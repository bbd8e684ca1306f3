"""The arbitration precompile's Solidity functions (contracts/interfaces/IArbitration.sol).

Each call is thin: CHECKS (a bad call reverts with a reason and changes nothing), GAS (the fixed
cost per function, plus per pool member scanned by an eligibility check or a draw and per drawn
arbiter of a decision; the framework adds gas per stored word), EFFECTS through state.py,
rules.py, draw.py and settlement.py, EVENTS. CMT enters only as the value of joinPool, openOrder
and raiseDispute and leaves only through ctx.pay: there is no end-of-block hook for middleware, so
every payout and every draw is triggered by a call (drawArbiters and settle are open to anyone,
so nothing waits on one party).
"""

import dataclasses

from ...errors import CallError
from ...precompiles import CallContext, function
from ..group_membership import NO_GROUP, is_member
from . import draw, events, pools, rules, settlement, views
from .credit import MAX_STARS, MIN_STARS, record_review
from .records import CONFIRMED, DISPUTED, ENDED, NOT_VOTED, OPEN, SETTLED, VOTE_REFUND, VOTE_RELEASE, Order
from .state import ADDRESS, GLOBAL_POOL, ArbitrationState, address_int, int_address

MAX_TEXT_BYTES = 280
LAST_SYSTEM_ADDRESS = 0xFFFF  # Ethereum precompiles and the chain's modules live below this


def _existing_order(st: ArbitrationState, order_id: int) -> Order:
    if not st.order_exists(order_id):
        raise CallError("unknown order")
    return st.order(order_id)


def _disputed_order(st: ArbitrationState, order_id: int) -> Order:
    order = _existing_order(st, order_id)
    if order.state != DISPUTED:
        raise CallError("order is not in dispute")
    return order


def _check_text(label: str, text: str) -> None:
    if len(text.encode()) > MAX_TEXT_BYTES:
        raise CallError(f"{label} longer than {MAX_TEXT_BYTES} bytes")


def _open_order(ctx: CallContext, seller: str, order_ref: bytes, delivery_deadline_s: int, group_id: int) -> int:
    st = ArbitrationState(ctx.storage)
    seller_bytes = bytes.fromhex(seller[2:])
    # CHECKS
    if ctx.value_wei == 0:
        raise CallError("escrow must be more than zero")
    if address_int(seller_bytes) == 0:
        raise CallError("seller is the zero address")
    if seller_bytes == ctx.sender:
        raise CallError("buyer and seller must differ")
    if address_int(seller_bytes) <= LAST_SYSTEM_ADDRESS or seller_bytes == ADDRESS:
        raise CallError("seller is a system address")
    if delivery_deadline_s <= ctx.now_s:
        raise CallError("delivery deadline must be in the future")
    if group_id != NO_GROUP and not is_member(ctx, group_id, seller_bytes):
        raise CallError("seller is not a member of the group")
    # EFFECTS
    fee = rules.compute_fee_reserve(ctx.value_wei, st.params())
    order_id = st.next_order_id()
    st.set_order(order_id, Order(
        buyer=address_int(ctx.sender), seller=address_int(seller_bytes), order_ref=int.from_bytes(order_ref, "big"),
        escrow_wei=ctx.value_wei, fee_wei=fee, delivery_deadline_s=delivery_deadline_s, opened_s=ctx.now_s,
        state=OPEN, outcome=0, disputed_by=0, disputed_s=0, voting_ends_s=0, arbiter_count=0,
        votes_refund=0, votes_release=0, ended_s=0, buyer_stars=0, seller_stars=0, dispute_fee_wei=0,
        draw_height=0, seed_height=0, paid_to_buyer_wei=0, paid_to_seller_wei=0, group_id=group_id, panel_group=0,
        accepted_s=0))
    st.add_funds(ctx.value_wei)
    # EVENTS
    ctx.emit(events.ORDER_OPENED, order_id, ctx.sender, seller_bytes, order_ref, ctx.value_wei, fee,
             delivery_deadline_s)
    if group_id != NO_GROUP:
        ctx.emit(events.ORDER_IN_GROUP, order_id, group_id)
    return order_id


def _members(ctx: CallContext, group: int) -> list[str]:
    members = list(ArbitrationState(ctx.storage).pool(group))
    ctx.charge(200 * len(members))
    return [views.hex_address(m) for m in members]


def _group(group_id: int) -> int:
    if group_id == NO_GROUP:
        raise CallError("group id must not be zero")
    return group_id


class ArbitrationCalls:
    """The functions of the arbitration precompile."""

    # ---- arbiter pool ------------------------------------------------------------------------

    @function("joinPool()", gas=30_000, payable=True)
    def join_pool(self, ctx: CallContext) -> None:
        pools.join(ctx, ArbitrationState(ctx.storage), GLOBAL_POOL)

    @function("leavePool()", gas=30_000)
    def leave_pool(self, ctx: CallContext) -> None:
        pools.leave(ctx, ArbitrationState(ctx.storage), GLOBAL_POOL)

    @function("withdrawStake()", gas=20_000)
    def withdraw_stake(self, ctx: CallContext) -> None:
        pools.withdraw(ctx, ArbitrationState(ctx.storage), GLOBAL_POOL)

    @function("joinGroupPool(uint256)", gas=30_000, payable=True)
    def join_group_pool(self, ctx: CallContext, group_id: int) -> None:
        pools.join(ctx, ArbitrationState(ctx.storage), _group(group_id))

    @function("leaveGroupPool(uint256)", gas=30_000)
    def leave_group_pool(self, ctx: CallContext, group_id: int) -> None:
        pools.leave(ctx, ArbitrationState(ctx.storage), _group(group_id))

    @function("withdrawGroupStake(uint256)", gas=20_000)
    def withdraw_group_stake(self, ctx: CallContext, group_id: int) -> None:
        pools.withdraw(ctx, ArbitrationState(ctx.storage), _group(group_id))

    # ---- orders ------------------------------------------------------------------------------

    @function("openOrder(address,bytes32,uint64)", gas=40_000, payable=True, returns=("uint256",))
    def open_order(self, ctx: CallContext, seller: str, order_ref: bytes, delivery_deadline_s: int) -> int:
        return _open_order(ctx, seller, order_ref, delivery_deadline_s, NO_GROUP)

    @function("openGroupOrder(address,bytes32,uint64,uint256)", gas=40_000, payable=True, returns=("uint256",))
    def open_group_order(self, ctx: CallContext, seller: str, order_ref: bytes, delivery_deadline_s: int,
                         group_id: int) -> int:
        """An order in a group: a dispute is decided by the group's arbiters (draw.py). The seller
        must be a member: the group's experts judge its members' goods."""
        return _open_order(ctx, seller, order_ref, delivery_deadline_s, group_id)

    @function("acceptOrder(uint256)", gas=20_000)
    def accept_order(self, ctx: CallContext, order_id: int) -> None:
        """The seller takes the order on: from now on it counts in the seller's credit (its end,
        the buyer's review, a dispute it loses); an order the seller never accepted does not."""
        st = ArbitrationState(ctx.storage)
        # CHECKS
        order = _existing_order(st, order_id)
        if address_int(ctx.sender) != order.seller:
            raise CallError("only the seller may accept the order")
        if order.state != OPEN:
            raise CallError("order is not open")
        if order.accepted_s:
            raise CallError("order already accepted")
        # EFFECTS
        st.set_order(order_id, dataclasses.replace(order, accepted_s=ctx.now_s))
        # EVENTS
        ctx.emit(events.ORDER_ACCEPTED, order_id, ctx.sender)

    @function("confirmDelivery(uint256)", gas=30_000)
    def confirm_delivery(self, ctx: CallContext, order_id: int) -> None:
        st = ArbitrationState(ctx.storage)
        # CHECKS
        order = _existing_order(st, order_id)
        if address_int(ctx.sender) != order.buyer:
            raise CallError("only the buyer may confirm delivery")
        if order.state != OPEN:
            raise CallError("order is not open")
        # EFFECTS
        to_seller, fee_back = settlement.release_to_seller(ctx, st, order_id, order, CONFIRMED)
        # EVENTS
        ctx.emit(events.DELIVERY_CONFIRMED, order_id, ctx.sender, int_address(order.seller), to_seller, fee_back)

    @function("refund(uint256)", gas=30_000)
    def refund(self, ctx: CallContext, order_id: int) -> None:
        st = ArbitrationState(ctx.storage)
        # CHECKS
        order = _existing_order(st, order_id)
        if address_int(ctx.sender) != order.seller:
            raise CallError("only the seller may refund")
        if order.state != OPEN:
            raise CallError("order is not open")
        # EFFECTS
        settlement.refund_buyer(ctx, st, order_id, order)
        # EVENTS
        ctx.emit(events.ORDER_REFUNDED, order_id, ctx.sender, int_address(order.buyer), order.escrow_wei)

    @function("raiseDispute(uint256,string)", gas=60_000, payable=True)
    def raise_dispute(self, ctx: CallContext, order_id: int, reason: str) -> None:
        st = ArbitrationState(ctx.storage)
        params = st.params()
        # CHECKS
        order = _existing_order(st, order_id)
        if address_int(ctx.sender) not in (order.buyer, order.seller):
            raise CallError("only the buyer or the seller may raise a dispute")
        if order.state != OPEN:
            raise CallError("order is not open")
        if ctx.now_s > rules.dispute_deadline(order.delivery_deadline_s, params):
            raise CallError("dispute window is over")
        if not reason.strip():
            raise CallError("reason must not be empty")
        _check_text("reason", reason)
        if ctx.value_wei != params.dispute_fee_wei:
            raise CallError(f"the dispute fee is {params.dispute_fee_wei} wei")
        # GAS: reads every member of the pools (draw.py); a pool too small now would give no panel
        # later. An order in a group fixes its experts now: the group's, else the global pool's.
        experts = draw.group_experts(ctx, st, order) if order.group_id != NO_GROUP else []
        enough = params.arbiters_per_case
        if len(experts) < enough and len(draw.eligible_members(ctx, st, order, ctx.height)) < enough:
            raise CallError("not enough arbiters")
        # EFFECTS: nobody is drawn yet: the panel comes from the hash of a block that does not exist
        if len(experts) >= enough:
            st.set_experts(order_id, experts)
        draw_height = ctx.height + params.draw_delay_blocks
        st.set_order(order_id, dataclasses.replace(
            order, state=DISPUTED, disputed_by=address_int(ctx.sender), disputed_s=ctx.now_s,
            dispute_fee_wei=ctx.value_wei, draw_height=draw_height))
        st.set_reason(order_id, reason)
        st.add_funds(ctx.value_wei)
        # EVENTS
        ctx.emit(events.DISPUTE_RAISED, order_id, ctx.sender, reason, ctx.value_wei, draw_height)

    @function("drawArbiters(uint256)", gas=30_000)
    def draw_arbiters(self, ctx: CallContext, order_id: int) -> None:
        st = ArbitrationState(ctx.storage)
        # CHECKS
        order = _disputed_order(st, order_id)
        if draw.is_drawn(order):
            raise CallError("arbiters already drawn")
        # GAS, EFFECTS, EVENTS: draw.py (a revert until the draw block's hash exists)
        draw.ensure_drawn(ctx, st, order_id, order)

    @function("vote(uint256,bool)", gas=30_000)
    def vote(self, ctx: CallContext, order_id: int, refund_buyer: bool) -> None:
        st = ArbitrationState(ctx.storage)
        # CHECKS (the first touch after the draw block draws the panel: draw.py)
        order = draw.ensure_drawn(ctx, st, order_id, _disputed_order(st, order_id))
        drawn = [arbiter for arbiter, _ in st.case_arbiters(order_id)]
        if ctx.sender not in drawn:
            raise CallError("not an arbiter of this case")
        index = drawn.index(ctx.sender)
        if st.vote(order_id, index) != NOT_VOTED:
            raise CallError("already voted")
        if ctx.now_s >= order.voting_ends_s:
            raise CallError("voting period is over")
        # EFFECTS
        st.set_vote(order_id, index, VOTE_REFUND if refund_buyer else VOTE_RELEASE)
        order = dataclasses.replace(order, votes_refund=order.votes_refund + int(refund_buyer),
                                    votes_release=order.votes_release + int(not refund_buyer))
        st.set_order(order_id, order)
        # EVENTS (and the decision once every drawn arbiter has voted)
        ctx.emit(events.VOTED, order_id, ctx.sender, refund_buyer)
        if order.votes_refund + order.votes_release == order.arbiter_count:
            settlement.resolve_dispute(ctx, st, order_id, order)

    @function("settle(uint256)", gas=40_000)
    def settle(self, ctx: CallContext, order_id: int) -> None:
        st = ArbitrationState(ctx.storage)
        # CHECKS
        order = _existing_order(st, order_id)
        if order.state == OPEN:
            if ctx.now_s <= rules.dispute_deadline(order.delivery_deadline_s, st.params()):
                raise CallError("dispute window still open")
            # EFFECTS, EVENTS: nobody confirmed or disputed in time: the seller is paid
            to_seller, fee_back = settlement.release_to_seller(ctx, st, order_id, order, SETTLED)
            ctx.emit(events.ORDER_SETTLED, order_id, int_address(order.seller), int_address(order.buyer),
                     to_seller, fee_back)
        elif order.state == DISPUTED and not draw.is_drawn(order):
            draw.ensure_drawn(ctx, st, order_id, order)   # the next step of a dispute not drawn yet
        elif order.state == DISPUTED:
            if ctx.now_s < order.voting_ends_s:
                raise CallError("voting period still open")
            settlement.resolve_dispute(ctx, st, order_id, order)
        else:
            raise CallError("order already ended")

    # ---- reviews -----------------------------------------------------------------------------

    @function("review(uint256,uint8,string)", gas=20_000)
    def review(self, ctx: CallContext, order_id: int, stars: int, comment: str) -> None:
        st = ArbitrationState(ctx.storage)
        # CHECKS
        order = _existing_order(st, order_id)
        sender = address_int(ctx.sender)
        if sender not in (order.buyer, order.seller):
            raise CallError("only the buyer or the seller may review")
        if order.state not in ENDED:
            raise CallError("order has not ended")
        is_buyer = sender == order.buyer
        if (order.buyer_stars if is_buyer else order.seller_stars) != 0:
            raise CallError("already reviewed")
        if is_buyer and not order.accepted_s:
            raise CallError("the seller did not accept this order")
        if not MIN_STARS <= stars <= MAX_STARS:
            raise CallError(f"stars must be {MIN_STARS} to {MAX_STARS}")
        _check_text("comment", comment)
        # EFFECTS: a party reviews its counterparty, into the counterparty's credit
        subject = int_address(order.seller if is_buyer else order.buyer)
        field = "buyer_stars" if is_buyer else "seller_stars"
        st.set_order(order_id, dataclasses.replace(order, **{field: stars}))
        st.set_credit(subject, record_review(st.credit(subject), stars))
        # EVENTS
        ctx.emit(events.REVIEWED, order_id, ctx.sender, subject, stars, comment)

    # ---- views -------------------------------------------------------------------------------

    @function("order(uint256)", gas=10_000, view=True, returns=(views.ORDER_ABI,))
    def order(self, ctx: CallContext, order_id: int) -> tuple:
        st = ArbitrationState(ctx.storage)
        _existing_order(st, order_id)
        return views.order_tuple(st, order_id)

    @function("orderCount()", gas=2_000, view=True, returns=("uint256",))
    def order_count(self, ctx: CallContext) -> int:
        return ArbitrationState(ctx.storage).order_count

    @function("arbiter(address)", gas=5_000, view=True, returns=(views.ARBITER_ABI,))
    def arbiter(self, ctx: CallContext, address: str) -> tuple:
        return views.arbiter_tuple(ArbitrationState(ctx.storage), bytes.fromhex(address[2:]))

    @function("groupArbiter(uint256,address)", gas=5_000, view=True, returns=(views.ARBITER_ABI,))
    def group_arbiter(self, ctx: CallContext, group_id: int, address: str) -> tuple:
        return views.arbiter_tuple(ArbitrationState(ctx.storage), bytes.fromhex(address[2:]), group_id)

    @function("pool()", gas=5_000, view=True, returns=("address[]",))
    def pool(self, ctx: CallContext) -> list[str]:
        return _members(ctx, GLOBAL_POOL)

    @function("groupPool(uint256)", gas=5_000, view=True, returns=("address[]",))
    def group_pool(self, ctx: CallContext, group_id: int) -> list[str]:
        return _members(ctx, group_id)

    @function("caseArbiters(uint256)", gas=5_000, view=True, returns=("address[]", "uint8[]"))
    def case_arbiters(self, ctx: CallContext, order_id: int) -> tuple:
        st = ArbitrationState(ctx.storage)
        _existing_order(st, order_id)
        drawn = st.case_arbiters(order_id)
        return [views.hex_address(a) for a, _ in drawn], [vote for _, vote in drawn]

    @function("credit(address)", gas=5_000, view=True, returns=(views.CREDIT_ABI, "uint256"))
    def credit(self, ctx: CallContext, address: str) -> tuple[tuple, int]:
        return views.credit_answer(ArbitrationState(ctx.storage), bytes.fromhex(address[2:]))

    @function("funds()", gas=2_000, view=True, returns=("uint256",))
    def funds(self, ctx: CallContext) -> int:
        return ArbitrationState(ctx.storage).funds_wei

    @function("params()", gas=3_000, view=True, returns=(views.PARAMS_ABI,))
    def params(self, ctx: CallContext) -> tuple:
        return views.params_tuple(ArbitrationState(ctx.storage).params())
