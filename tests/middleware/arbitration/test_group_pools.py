"""A group's own arbiter pool (issue 17): only members join it; an order opened in the group draws
its panel there, among arbiters who were in the group when the dispute was raised; with too few
of them the panel comes from the global pool (panelGroup 0). Penalties, rewards and open cases
land on the records of the pool that drew the panel, and every pool stays solvent."""

from eth_abi import decode

from abci_app.middleware import arbitration
from abci_app.middleware.arbitration import rules, solvency

from .harness import (ARBITER_ABI, CMT, DISPUTE, DISPUTE_FEE, DRAW, JOIN, MIN_STAKE, SETTLE, UNBONDING_S, VOTE,
                      VOTING_S, block_hash, canonical, topic)

GROUPS = "0x000000000000000000000000000000000000cc05"
CREATE_GROUP = "createGroup(string,string,uint8,address,uint256,address,bytes32)"
OPEN_RULE = 0
ZERO = "0x" + "00" * 20
JOIN_GROUP_POOL = "joinGroupPool(uint256)"
LEAVE_GROUP_POOL = "leaveGroupPool(uint256)"
WITHDRAW_GROUP_STAKE = "withdrawGroupStake(uint256)"
OPEN_GROUP_ORDER = "openGroupOrder(address,bytes32,uint64,uint256)"
GROUP_ID, PANEL_GROUP = 25, 26   # positions in the order(id) tuple


def _group(net, owner, members) -> int:
    """An open group created by `owner` (the order's seller, keys[3]) that `members` join."""
    (bond,) = decode(["uint256"], net.send(owner, "params()", to=GROUPS).data[:32])
    result = net.send(owner, CREATE_GROUP, "Classic Cars", "vehicles", OPEN_RULE, ZERO, 0, ZERO, b"\0" * 32,
                      value=bond, gas=3_000_000, to=GROUPS)
    assert result.code == 0, result.log
    (group_id,) = decode(["uint256"], result.data)
    for member in members:
        joined = net.send(member, "join(uint256)", group_id, gas=3_000_000, to=GROUPS)
        assert joined.code == 0, joined.log
    return group_id


def _group_order(net, keys, group_id: int, escrow: int = CMT) -> int:
    result = net.ok(keys[2], OPEN_GROUP_ORDER, keys[3].address, b"car".ljust(32, b"\0"), net.chain.time_s + 30,
                    group_id, value=escrow)
    (order_id,) = decode(["uint256"], result.data)
    return order_id


def _group_arbiter(net, group_id: int, key) -> tuple:
    (record,) = net.arb_view("groupArbiter(uint256,address)", ARBITER_ABI, group_id, key.address)
    return record


def _pool_owed(net, group_id: int) -> tuple[int, int]:
    return solvency.pool_owed(net.state(), group_id)


def test_only_members_join_a_group_pool_and_its_stake_is_its_own(net, keys):
    experts = keys[4:7]
    group_id = _group(net, keys[3], experts)
    net.revert(keys[8], "not a member of the group", JOIN_GROUP_POOL, group_id, value=MIN_STAKE)
    net.revert(keys[4], "group id must not be zero", JOIN_GROUP_POOL, 0, value=MIN_STAKE)
    net.revert(keys[4], "stake must be more than zero", JOIN_GROUP_POOL, group_id)
    net.revert(keys[4], f"stake below the minimum of {MIN_STAKE} wei", JOIN_GROUP_POOL, group_id, value=MIN_STAKE - 1)
    net.revert(keys[4], "not a member of the group", JOIN_GROUP_POOL, group_id + 1, value=MIN_STAKE)
    net.ok(keys[4], JOIN_GROUP_POOL, group_id, value=MIN_STAKE + 7)
    net.ok(keys[4], JOIN, value=MIN_STAKE)                       # the global pool is another record
    assert _group_arbiter(net, group_id, keys[4]) == (MIN_STAKE + 7, 0, 0, 0, True)
    assert net.arbiter(keys[4]) == (MIN_STAKE, 0, 0, 0, True)
    (members,) = net.arb_view("groupPool(uint256)", ["address[]"], group_id)
    assert [m.lower() for m in members] == [keys[4].address.lower()]
    assert _pool_owed(net, group_id) == (MIN_STAKE + 7, 0)
    owed = arbitration.owed(net.chain.app.reader.state)
    assert owed["group_stakes"] == MIN_STAKE + 7 and owed["stakes"] == MIN_STAKE
    net.assert_funds()


def test_leaving_and_withdrawing_a_group_pool(net, keys):
    group_id = _group(net, keys[3], [keys[4]])
    net.ok(keys[4], JOIN_GROUP_POOL, group_id, value=MIN_STAKE)
    net.revert(keys[5], "not in the arbiter pool", LEAVE_GROUP_POOL, group_id)
    net.revert(keys[4], "group id must not be zero", LEAVE_GROUP_POOL, 0)
    net.revert(keys[4], "nothing to withdraw", WITHDRAW_GROUP_STAKE, group_id)
    net.revert(keys[4], "group id must not be zero", WITHDRAW_GROUP_STAKE, 0)
    left = net.ok(keys[4], LEAVE_GROUP_POOL, group_id)
    until = net.chain.time_s + UNBONDING_S
    assert _group_arbiter(net, group_id, keys[4]) == (0, MIN_STAKE, until, 0, False)
    assert _pool_owed(net, group_id) == (0, MIN_STAKE)
    (log,) = net.logs(left)
    assert log["topics"] == [topic("GroupArbiterLeft(uint256,address,uint256,uint64)"), "0x" + f"{group_id:064x}",
                             "0x" + keys[4].address[2:].lower().rjust(64, "0")]
    net.revert(keys[4], "stake still unbonding", WITHDRAW_GROUP_STAKE, group_id)
    net.revert(keys[4], "nothing to withdraw", "withdrawStake()")  # the global pool owes it nothing
    net.block(seconds=UNBONDING_S)
    before = net.chain.balance(keys[4].address)
    result = net.ok(keys[4], WITHDRAW_GROUP_STAKE, group_id)
    assert net.chain.balance(keys[4].address) == before + MIN_STAKE - net.fee(result)
    assert _pool_owed(net, group_id) == (0, 0)
    net.assert_funds()


def test_a_group_order_is_decided_by_the_groups_experts(net, keys):
    experts, outsider = keys[4:7], keys[7]
    group_id = _group(net, keys[3], experts)
    for expert in experts:
        net.ok(expert, JOIN_GROUP_POOL, group_id, value=MIN_STAKE)
    net.ok(outsider, JOIN, value=MIN_STAKE)            # the global pool alone could not seat a panel
    net.revert(keys[2], "seller is not a member of the group", OPEN_GROUP_ORDER, keys[8].address, b"\0" * 32,
               net.chain.time_s + 30, group_id, value=CMT)
    order_id = _group_order(net, keys, group_id)
    assert net.order(order_id)[GROUP_ID] == group_id and net.order(order_id)[PANEL_GROUP] == 0
    net.ok(keys[2], DISPUTE, order_id, "the gearbox is not original", value=DISPUTE_FEE)
    net.draw(order_id)
    drawn, _ = net.case(order_id)
    assert sorted(drawn) == sorted(k.address.lower() for k in experts)
    assert net.order(order_id)[PANEL_GROUP] == group_id
    assert [_group_arbiter(net, group_id, k)[3] for k in experts] == [1, 1, 1]   # open cases, in the group pool
    assert net.arbiter(outsider)[3] == 0
    net.revert(experts[0], "arbiter has open cases", LEAVE_GROUP_POOL, group_id)
    voters = [k for k in experts if k.address.lower() in drawn[:2]]
    silent = next(k for k in experts if k not in voters)
    for voter in voters:
        net.ok(voter, VOTE, order_id, True)
    net.block(seconds=VOTING_S)
    net.ok(keys[8], SETTLE, order_id)
    penalty = MIN_STAKE * 500 // 10_000
    assert _group_arbiter(net, group_id, silent)[:4] == (MIN_STAKE - penalty, 0, 0, 0)
    assert net.arbiter(silent)[:4] == (0, 0, 0, 0)
    assert _pool_owed(net, group_id) == (3 * MIN_STAKE - penalty, 0)
    net.assert_funds()


def test_too_few_group_experts_fall_back_to_the_global_pool(net, keys):
    experts = keys[4:6]
    group_id = _group(net, keys[3], experts)
    for expert in experts:
        net.ok(expert, JOIN_GROUP_POOL, group_id, value=MIN_STAKE)
    for arbiter in keys[6:9]:
        net.ok(arbiter, JOIN, value=MIN_STAKE)
    order_id = _group_order(net, keys, group_id)
    net.ok(keys[2], DISPUTE, order_id, "late", value=DISPUTE_FEE)
    net.draw(order_id)
    drawn, _ = net.case(order_id)
    assert sorted(drawn) == sorted(k.address.lower() for k in keys[6:9])
    assert net.order(order_id)[PANEL_GROUP] == 0
    assert [net.arbiter(k)[3] for k in keys[6:9]] == [1, 1, 1]


def test_an_expert_removed_from_the_group_is_not_drawn(net, keys):
    """Three experts staked, then the owner removes one from the group: two still qualify, too
    few for a panel, so the global pool decides."""
    experts = keys[4:7]
    group_id = _group(net, keys[3], experts)
    for expert in experts:
        net.ok(expert, JOIN_GROUP_POOL, group_id, value=MIN_STAKE)
    for arbiter in (keys[7], keys[8], keys[0]):
        net.ok(arbiter, JOIN, value=MIN_STAKE)
    removed = net.send(keys[3], "removeMember(uint256,address)", group_id, keys[6].address, gas=3_000_000, to=GROUPS)
    assert removed.code == 0, removed.log
    order_id = _group_order(net, keys, group_id)
    net.ok(keys[2], DISPUTE, order_id, "late", value=DISPUTE_FEE)
    net.draw(order_id)
    assert net.order(order_id)[PANEL_GROUP] == 0
    assert keys[6].address.lower() not in net.case(order_id)[0]
    net.ok(keys[6], LEAVE_GROUP_POOL, group_id)          # a removed member still gets its stake out
    net.assert_funds()


def test_a_dispute_needs_a_panel_from_one_pool_or_the_other(net, keys):
    group_id = _group(net, keys[3], keys[4:6])
    for expert in keys[4:6]:
        net.ok(expert, JOIN_GROUP_POOL, group_id, value=MIN_STAKE)
    order_id = _group_order(net, keys, group_id)
    net.revert(keys[2], "not enough arbiters", DISPUTE, order_id, "late", value=DISPUTE_FEE)
    assert canonical(keys[4].address) in net.state().pool(group_id)


def _panel_once_the_seed_is_known(net, keys, group_id: int, experts) -> tuple[int, list[str]]:
    """A group order disputed by the buyer, blocks until the seed block exists (its hash is public,
    the panel not drawn yet): the order and the panel anyone can now compute from the seed."""
    order_id = _group_order(net, keys, group_id)
    net.ok(keys[2], DISPUTE, order_id, "the engine is not the original", value=DISPUTE_FEE)
    draw_height = net.state().order(order_id).draw_height
    while net.chain.height < draw_height:
        net.block([])
    seed = rules.draw_seed(block_hash(draw_height), order_id)
    panel = rules.draw_arbiters(seed, [canonical(k.address) for k in experts], 3)
    return order_id, sorted("0x" + a.hex() for a in panel)


def test_a_moderator_cannot_change_the_panel_once_the_seed_is_known(net, keys):
    """Four experts; the seller owns the group. Once the seed block's hash is public the owner
    sees who will sit and removes the expert it fears before anyone draws: the next expert by the
    seed would take the seat (a moderator picking the panel, then approving the expert back).
    The experts are fixed when the dispute is raised."""
    experts = keys[4:8]
    group_id = _group(net, keys[3], experts)
    for expert in experts:
        net.ok(expert, JOIN_GROUP_POOL, group_id, value=MIN_STAKE)
    order_id, panel = _panel_once_the_seed_is_known(net, keys, group_id, experts)
    removed = net.send(keys[3], "removeMember(uint256,address)", group_id, panel[0], gas=3_000_000, to=GROUPS)
    assert removed.code == 0, removed.log
    net.ok(keys[0], DRAW, order_id)
    assert sorted(net.case(order_id)[0]) == panel
    assert net.order(order_id)[PANEL_GROUP] == group_id


def test_closing_the_group_once_the_seed_is_known_does_not_move_the_panel(net, keys):
    """The owner closes the group after the seed is public: every expert stops being a member, so
    the global pool (whose arbiters the owner may prefer) would decide the group's dispute."""
    experts = keys[4:7]
    group_id = _group(net, keys[3], experts)
    for expert in experts:
        net.ok(expert, JOIN_GROUP_POOL, group_id, value=MIN_STAKE)
    for arbiter in (keys[7], keys[8], keys[0]):
        net.ok(arbiter, JOIN, value=MIN_STAKE)
    order_id, panel = _panel_once_the_seed_is_known(net, keys, group_id, experts)
    closed = net.send(keys[3], "closeGroup(uint256)", group_id, gas=3_000_000, to=GROUPS)
    assert closed.code == 0, closed.log
    net.ok(keys[0], DRAW, order_id)
    assert sorted(net.case(order_id)[0]) == panel
    assert net.order(order_id)[PANEL_GROUP] == group_id
    net.assert_funds()


def test_a_moderator_cannot_remove_and_approve_back_an_expert_once_the_seed_is_known(net, keys):
    """The owner removes the expert it fears once the seed is public and approves it back at once:
    a membership that changed after the dispute must not take that expert off the panel."""
    experts = keys[4:8]
    group_id = _group(net, keys[3], experts)
    for expert in experts:
        net.ok(expert, JOIN_GROUP_POOL, group_id, value=MIN_STAKE)
    order_id, panel = _panel_once_the_seed_is_known(net, keys, group_id, experts)
    for signature in ("removeMember(uint256,address)", "approve(uint256,address)"):
        changed = net.send(keys[3], signature, group_id, panel[0], gas=3_000_000, to=GROUPS)
        assert changed.code == 0, changed.log
    net.ok(keys[0], DRAW, order_id)
    assert sorted(net.case(order_id)[0]) == panel


def test_an_expert_parked_before_the_dispute_cannot_be_brought_back_onto_the_panel(net, keys):
    """The owner removes an expert (who keeps its stake in the group's pool) before any dispute,
    and approves it back once the seed is public and says it would sit: it was no member when the
    dispute was raised, so it is not drawn."""
    experts, parked = keys[4:8], keys[8]
    group_id = _group(net, keys[3], [*experts, parked])
    for expert in (*experts, parked):
        net.ok(expert, JOIN_GROUP_POOL, group_id, value=MIN_STAKE)
    removed = net.send(keys[3], "removeMember(uint256,address)", group_id, parked.address, gas=3_000_000, to=GROUPS)
    assert removed.code == 0, removed.log
    order_id, panel = _panel_once_the_seed_is_known(net, keys, group_id, experts)
    approved = net.send(keys[3], "approve(uint256,address)", group_id, parked.address, gas=3_000_000, to=GROUPS)
    assert approved.code == 0, approved.log
    net.ok(keys[0], DRAW, order_id)
    assert sorted(net.case(order_id)[0]) == panel and parked.address.lower() not in panel


def test_an_expert_who_left_the_pool_after_the_dispute_is_not_drawn(net, keys):
    """The experts are fixed at the dispute, but one that leaves the group's pool before the draw
    is out, as a member leaving the global pool is."""
    experts = keys[4:8]
    group_id = _group(net, keys[3], experts)
    for expert in experts:
        net.ok(expert, JOIN_GROUP_POOL, group_id, value=MIN_STAKE)
    order_id = _group_order(net, keys, group_id)
    net.ok(keys[2], DISPUTE, order_id, "the engine is not the original", value=DISPUTE_FEE)
    net.ok(keys[7], LEAVE_GROUP_POOL, group_id)
    net.draw(order_id)
    drawn, _ = net.case(order_id)
    assert sorted(drawn) == sorted(k.address.lower() for k in experts[:3])
    assert net.order(order_id)[PANEL_GROUP] == group_id
