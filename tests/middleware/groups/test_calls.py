"""Every groups call through a signed transaction: its effects on balances, records and isMember,
its events (EVM logs and the ABCI events tx_search indexes), every revert reason."""

from eth_abi import decode
from eth_hash.auto import keccak

from ...chain import transfer
from ...staking.harness import call_data
from ..harness import abci_event, decode_data, topic
from .harness import (ADD_MODERATOR, APPROVAL, APPROVE, BOND, CLOSE, CMT, CREATE, GROUP_ABI, GROUPS, IS_MEMBER,
                      JOIN, LEAVE, MEMBER, NO_TYPE, NONE, OPEN, PENDING, RECHECK, REMOVE, REMOVE_MODERATOR, REMOVED,
                      ZERO, GroupsChain, groups_state)


def _roles(keys):
    """owner, alice, bob, carol."""
    return keys[2], keys[3], keys[4], keys[5]


def _topic_address(key) -> str:
    return "0x" + key.address.lower()[2:].rjust(64, "0")


# ---- genesis and views of nothing -----------------------------------------------------------------

def test_genesis_account_params_and_unknown_groups(net, keys):
    assert net.chain.account(GROUPS)["nonce"] == 1 and net.chain.balance(GROUPS) == 0
    assert net.ask("params()", ["(uint256,uint256,address)"]) == ((BOND, 20, "0x000000000000000000000000000000000000cc06"),)
    assert net.ask("groupCount()", ["uint256"]) == (0,)
    for group_id in (0, 1, 2**256 - 1):
        assert net.is_member(group_id, keys[2]) is False
        assert net.members(group_id) == []
    assert net.group(7) == (ZERO, "", "", 0, ZERO, 0, ZERO, NO_TYPE, 0, 0, 0, False, 0)
    assert net.membership(7, keys[2]) == (NONE, 0, False)
    net.assert_bonds()


def test_genesis_params_are_stored_and_used(tmp_path, keys):
    net = GroupsChain.start(str(tmp_path / "db"), groups_state(keys, {"group_bond_wei": "5000"}))
    net.keys = keys
    try:
        net.revert(keys[2], "bond must be exactly 5000 wei", CREATE, "g", "", OPEN, ZERO, 0, ZERO, NO_TYPE,
                   value=BOND)
        net.ok(keys[2], CREATE, "g", "", OPEN, ZERO, 0, ZERO, NO_TYPE, value=5_000)
        net.assert_bonds()
    finally:
        net.chain.app.close()


# ---- create and close -----------------------------------------------------------------------------

def test_create_takes_the_bond_and_makes_the_owner_a_moderating_member(net, keys):
    owner, alice, *_ = _roles(keys)
    start = net.chain.balance(owner.address)
    result = net.ok(owner, CREATE, "Zurich foodies", "food", OPEN, ZERO, 0, ZERO, NO_TYPE, value=BOND)
    assert decode(["uint256"], result.data) == (1,)
    created_at = net.chain.time_s
    assert net.chain.balance(GROUPS) == BOND
    assert net.chain.balance(owner.address) == start - BOND - net.fee(result)
    assert net.group(1) == (owner.address.lower(), "Zurich foodies", "food", OPEN, ZERO, 0, ZERO, NO_TYPE, BOND, 1,
                            created_at, False, 1)
    assert net.membership(1, owner) == (MEMBER, created_at, True)
    assert net.is_member(1, owner) and not net.is_member(1, alice)
    assert net.members(1) == [owner.address.lower()]
    created, joined = net.logs(result)
    assert created["address"] == GROUPS and created["topics"] == [
        topic("GroupCreated(uint256,address,uint8,string,string,address,uint256,address,bytes32,uint256)"),
        "0x" + "00" * 31 + "01", _topic_address(owner)]
    assert decode_data(created, ["uint8", "string", "string", "address", "uint256", "address", "bytes32",
                                 "uint256"]) == (OPEN, "Zurich foodies", "food", ZERO, 0, ZERO, NO_TYPE, BOND)
    assert joined["topics"] == [topic("MemberJoined(uint256,address,address)"), "0x" + "00" * 31 + "01",
                                _topic_address(owner), _topic_address(owner)]
    assert abci_event(result, "group.created") == {
        "groupId": "1", "owner": owner.address.lower(), "rule": "0", "name": "Zurich foodies", "category": "food",
        "token": ZERO, "minBalance": "0", "attester": ZERO, "claimType": "0x" + NO_TYPE.hex(), "bond": str(BOND)}
    assert abci_event(result, "group.member_joined") == {"groupId": "1", "account": owner.address.lower(),
                                                         "by": owner.address.lower()}
    assert net.create(alice) == 2 and net.ask("groupCount()", ["uint256"]) == (2,)
    net.assert_bonds()


def test_create_rejections(net, keys):
    owner = keys[2]
    token, attester, phone = "0x" + "70" * 20, "0x" + "a7" * 20, keccak(b"miles.phone.verified")
    cases = [
        ("name must be 1 to 64 bytes", ("", "", OPEN, ZERO, 0, ZERO, NO_TYPE)),
        ("name must be 1 to 64 bytes", ("x" * 65, "", OPEN, ZERO, 0, ZERO, NO_TYPE)),
        ("name must be 1 to 64 bytes", ("é" * 33, "", OPEN, ZERO, 0, ZERO, NO_TYPE)),       # 66 bytes of UTF-8
        ("category must be at most 64 bytes", ("n", "c" * 65, OPEN, ZERO, 0, ZERO, NO_TYPE)),
        ("unknown membership rule", ("n", "", 5, ZERO, 0, ZERO, NO_TYPE)),
        ("unknown membership rule", ("n", "", 255, ZERO, 0, ZERO, NO_TYPE)),
        ("fields the rule does not use must be zero", ("n", "", OPEN, token, 0, ZERO, NO_TYPE)),
        ("fields the rule does not use must be zero", ("n", "", APPROVAL, ZERO, 1, ZERO, NO_TYPE)),
        ("fields the rule does not use must be zero", ("n", "", OPEN, ZERO, 0, attester, NO_TYPE)),
        ("fields the rule does not use must be zero", ("n", "", OPEN, ZERO, 0, ZERO, phone)),
        ("minimum balance must be positive", ("n", "", 2, ZERO, 0, ZERO, NO_TYPE)),
        ("fields the rule does not use must be zero", ("n", "", 2, token, 5, ZERO, NO_TYPE)),
        ("token must not be the zero address", ("n", "", 3, ZERO, 5, ZERO, NO_TYPE)),
        ("minimum balance must be positive", ("n", "", 3, token, 0, ZERO, NO_TYPE)),
        ("fields the rule does not use must be zero", ("n", "", 3, token, 5, attester, NO_TYPE)),
        ("attester must not be the zero address", ("n", "", 4, ZERO, 0, ZERO, phone)),
        ("claim type must not be zero", ("n", "", 4, ZERO, 0, attester, NO_TYPE)),
        ("fields the rule does not use must be zero", ("n", "", 4, ZERO, 5, attester, phone)),
    ]
    for reason, args in cases:
        net.revert(owner, reason, CREATE, *args, value=BOND)
    for value in (0, BOND - 1, BOND + 1):
        net.revert(owner, f"bond must be exactly {BOND} wei", CREATE, "n", "", OPEN, ZERO, 0, ZERO, NO_TYPE,
                   value=value)
    net.ok(owner, CREATE, "x" * 64, "c" * 64, OPEN, ZERO, 0, ZERO, NO_TYPE, value=BOND)      # the bounds themselves
    net.assert_bonds()


def test_close_returns_the_bond_and_ends_every_membership(net, keys):
    owner, alice, bob, _ = _roles(keys)
    group_id = net.create(owner)
    net.ok(alice, JOIN, group_id)
    net.revert(alice, "not the owner", CLOSE, group_id)
    net.revert(owner, "closeGroup does not accept CMT", CLOSE, group_id, value=1)
    for missing in (0, 2):
        net.revert(owner, "no such group", CLOSE, missing)
    start = net.chain.balance(owner.address)
    result = net.ok(owner, CLOSE, group_id)
    assert net.chain.balance(GROUPS) == 0 and net.chain.balance(owner.address) == start + BOND - net.fee(result)
    assert abci_event(result, "group.closed") == {"groupId": "1", "owner": owner.address.lower(), "bond": str(BOND)}
    assert not net.is_member(group_id, owner) and not net.is_member(group_id, alice)
    assert net.group(group_id)[9:12] == (2, net.group(group_id)[10], True)    # the records stay, closed
    assert net.membership(group_id, alice)[0] == MEMBER
    for key, signature, args in ((owner, CLOSE, ()), (bob, JOIN, ()), (alice, LEAVE, ()),
                                 (owner, ADD_MODERATOR, (alice.address,)), (owner, REMOVE_MODERATOR, (alice.address,)),
                                 (owner, APPROVE, (bob.address,)), (owner, REMOVE, (alice.address,)),
                                 (bob, RECHECK, (alice.address,))):
        net.revert(key, "group is closed", signature, group_id, *args)
    net.assert_bonds()


# ---- joining by rule ------------------------------------------------------------------------------

def test_an_open_group_join_leave_and_join_again(net, keys):
    owner, alice, bob, _ = _roles(keys)
    group_id = net.create(owner)
    net.revert(alice, "no such group", JOIN, 2)
    net.revert(alice, "join does not accept CMT", JOIN, group_id, value=1)
    joined = net.ok(alice, JOIN, group_id)
    assert abci_event(joined, "group.member_joined") == {"groupId": "1", "account": alice.address.lower(),
                                                         "by": alice.address.lower()}
    assert net.is_member(group_id, alice) and net.membership(group_id, alice) == (MEMBER, net.chain.time_s, False)
    net.revert(alice, "already a member", JOIN, group_id)
    net.ok(bob, JOIN, group_id)
    assert net.group(group_id)[9] == 3 and net.members(group_id) == [k.address.lower() for k in (owner, alice, bob)]
    left = net.ok(alice, LEAVE, group_id)
    assert abci_event(left, "group.member_left") == {"groupId": "1", "account": alice.address.lower()}
    assert not net.is_member(group_id, alice) and net.membership(group_id, alice)[0] == NONE
    assert net.members(group_id) == [owner.address.lower(), bob.address.lower()]      # bob moved into the hole
    net.revert(alice, "not a member or applicant", LEAVE, group_id)
    net.revert(owner, "the owner cannot leave: close the group instead", LEAVE, group_id)
    net.revert(alice, "no such group", LEAVE, 9)
    net.ok(alice, JOIN, group_id)                                                     # leaving is not sticky
    assert net.is_member(group_id, alice) and net.group(group_id)[9] == 3
    net.assert_bonds()


def test_an_approval_group_applies_then_a_moderator_decides(net, keys):
    owner, alice, bob, carol = _roles(keys)
    group_id = net.create(owner, APPROVAL)
    applied = net.ok(alice, JOIN, group_id)
    assert abci_event(applied, "group.member_applied") == {"groupId": "1", "account": alice.address.lower()}
    assert net.membership(group_id, alice) == (PENDING, net.chain.time_s, False)
    assert not net.is_member(group_id, alice) and net.group(group_id)[9] == 1
    net.revert(alice, "already applied", JOIN, group_id)
    net.revert(bob, "not a moderator", APPROVE, group_id, alice.address)
    net.revert(owner, "no application or removal to approve", APPROVE, group_id, bob.address)
    net.revert(owner, "no application or removal to approve", APPROVE, group_id, owner.address)
    approved = net.ok(owner, APPROVE, group_id, alice.address)
    assert abci_event(approved, "group.member_joined") == {"groupId": "1", "account": alice.address.lower(),
                                                           "by": owner.address.lower()}
    assert net.is_member(group_id, alice) and net.group(group_id)[9] == 2
    net.revert(owner, "no application or removal to approve", APPROVE, group_id, alice.address)
    # an applicant may withdraw; a declined one may not apply again, but may be approved later
    net.ok(bob, JOIN, group_id)
    net.ok(bob, LEAVE, group_id)
    assert net.membership(group_id, bob)[0] == NONE
    net.ok(carol, JOIN, group_id)
    declined = net.ok(owner, REMOVE, group_id, carol.address)
    assert abci_event(declined, "group.member_removed") == {
        "groupId": "1", "account": carol.address.lower(), "by": owner.address.lower(), "mayRejoin": "false"}
    assert net.membership(group_id, carol)[0] == REMOVED and net.group(group_id)[9] == 2
    net.revert(carol, "removed from this group", JOIN, group_id)
    net.ok(owner, APPROVE, group_id, carol.address)
    assert net.is_member(group_id, carol)
    net.assert_bonds()


def test_min_cmt_counts_the_balance_at_join_time(net, keys):
    owner, alice, bob, _ = _roles(keys)
    minimum = 900_000 * CMT
    group_id = net.create(owner, rule=2, min_balance=minimum)
    net.ok(alice, JOIN, group_id)                      # 1,000,000 CMT, less gas
    nonce = net.chain.account(bob.address)["nonce"]
    net.block([transfer(bob, nonce, keys[6].address, 200_000 * CMT)])
    net.revert(bob, f"CMT balance below the minimum of {minimum}", JOIN, group_id)
    nonce = net.chain.account(alice.address)["nonce"]
    net.block([transfer(alice, nonce, keys[6].address, 500_000 * CMT)])
    assert net.is_member(group_id, alice)              # spending later does not end the membership
    net.revert(bob, "only claim groups are rechecked", RECHECK, group_id, alice.address)
    net.assert_bonds()


# ---- moderators and removal -----------------------------------------------------------------------

def test_the_owner_names_moderators_who_remove_members(net, keys):
    owner, alice, bob, carol = _roles(keys)
    group_id = net.create(owner)
    for key in (alice, bob, carol):
        net.ok(key, JOIN, group_id)
    net.revert(alice, "not the owner", ADD_MODERATOR, group_id, bob.address)
    net.revert(owner, "not a member", ADD_MODERATOR, group_id, keys[6].address)
    added = net.ok(owner, ADD_MODERATOR, group_id, alice.address)
    assert abci_event(added, "group.moderator_added") == {"groupId": "1", "account": alice.address.lower()}
    assert net.membership(group_id, alice)[2] is True and net.group(group_id)[12] == 2
    net.revert(owner, "already a moderator", ADD_MODERATOR, group_id, alice.address)
    net.revert(owner, "already a moderator", ADD_MODERATOR, group_id, owner.address)
    net.ok(owner, ADD_MODERATOR, group_id, bob.address)
    # a moderator removes a member, not the owner nor another moderator; removal is sticky
    net.revert(carol, "not a moderator", REMOVE, group_id, bob.address)
    net.revert(alice, "the owner cannot be removed", REMOVE, group_id, owner.address)
    net.revert(alice, "only the owner removes a moderator", REMOVE, group_id, bob.address)
    net.revert(alice, "not a member or applicant", REMOVE, group_id, keys[6].address)
    removed = net.ok(alice, REMOVE, group_id, carol.address)
    assert abci_event(removed, "group.member_removed") == {
        "groupId": "1", "account": carol.address.lower(), "by": alice.address.lower(), "mayRejoin": "false"}
    assert not net.is_member(group_id, carol) and net.membership(group_id, carol)[0] == REMOVED
    net.revert(carol, "removed from this group", JOIN, group_id)
    net.revert(carol, "not a member or applicant", LEAVE, group_id)
    net.revert(alice, "not a member or applicant", REMOVE, group_id, carol.address)
    net.ok(alice, APPROVE, group_id, carol.address)                   # a moderator takes it back
    assert net.is_member(group_id, carol)
    # the owner removes a moderator from the group: it stops moderating too
    result = net.ok(owner, REMOVE, group_id, bob.address)
    assert [e.type for e in result.events][1:] == ["group.moderator_removed", "group.member_removed"]
    assert net.membership(group_id, bob)[0:3:2] == (REMOVED, False) and net.group(group_id)[12] == 2
    net.assert_bonds()


def test_remove_moderator_and_a_moderator_who_leaves(net, keys):
    owner, alice, bob, _ = _roles(keys)
    group_id = net.create(owner)
    net.ok(alice, JOIN, group_id)
    net.ok(bob, JOIN, group_id)
    net.ok(owner, ADD_MODERATOR, group_id, alice.address)
    net.ok(owner, ADD_MODERATOR, group_id, bob.address)
    net.revert(alice, "not the owner", REMOVE_MODERATOR, group_id, bob.address)
    net.revert(owner, "the owner stays a moderator", REMOVE_MODERATOR, group_id, owner.address)
    net.revert(owner, "not a moderator", REMOVE_MODERATOR, group_id, keys[5].address)
    result = net.ok(owner, REMOVE_MODERATOR, group_id, alice.address)
    assert abci_event(result, "group.moderator_removed") == {"groupId": "1", "account": alice.address.lower()}
    assert net.membership(group_id, alice)[0::2] == (MEMBER, False) and net.is_member(group_id, alice)
    net.revert(owner, "not a moderator", REMOVE_MODERATOR, group_id, alice.address)
    net.revert(alice, "not a moderator", REMOVE, group_id, bob.address)
    left = net.ok(bob, LEAVE, group_id)                               # leaving drops the moderator role
    assert [e.type for e in left.events][1:] == ["group.moderator_removed", "group.member_left"]
    assert net.group(group_id)[12] == 1
    net.ok(bob, JOIN, group_id)
    assert net.membership(group_id, bob)[2] is False
    net.assert_bonds()


def test_moderators_are_bounded(tmp_path, keys):
    net = GroupsChain.start(str(tmp_path / "db"), groups_state(keys, {"max_moderators": 2}))
    net.keys = keys
    try:
        owner, alice, bob, _ = _roles(keys)
        group_id = net.create(owner)
        net.ok(alice, JOIN, group_id)
        net.ok(bob, JOIN, group_id)
        net.ok(owner, ADD_MODERATOR, group_id, alice.address)
        net.revert(owner, "a group has at most 2 moderators", ADD_MODERATOR, group_id, bob.address)
        net.ok(owner, REMOVE_MODERATOR, group_id, alice.address)
        net.ok(owner, ADD_MODERATOR, group_id, bob.address)
    finally:
        net.chain.app.close()


# ---- paged members, gas, call kinds ---------------------------------------------------------------

def test_members_are_paged_and_paid_per_entry(net, keys):
    owner = keys[2]
    group_id = net.create(owner)
    for key in keys[3:7]:
        net.ok(key, JOIN, group_id)
    everyone = [k.address.lower() for k in keys[2:7]]
    assert net.members(group_id) == everyone
    assert net.members(group_id, 1, 2) == everyone[1:3]
    assert net.members(group_id, 4, 100) == everyone[4:]
    assert net.members(group_id, 5, 1) == [] and net.members(group_id, 2**256 - 1, 100) == []
    for limit in (0, 101):
        net.revert(keys[0], "limit must be 1 to 100", "members(uint256,uint256,uint256)", group_id, 0, limit)
    page = "members(uint256,uint256,uint256)"
    one, five = net.estimate(keys[0], page, group_id, 0, 1), net.estimate(keys[0], page, group_id, 0, 5)
    assert five - one >= 4 * 2_100


def test_gas_is_charged_per_stored_word_and_join_is_bounded(net, keys):
    owner, alice, *_ = _roles(keys)
    create = net.estimate(owner, CREATE, "n" * 40, "c", OPEN, ZERO, 0, ZERO, NO_TYPE, value=BOND)
    assert create > 21_000 + 40_000 + 12 * 20_000          # the group record, names, membership, set entry
    group_id = net.create(owner)
    assert net.estimate(alice, JOIN, group_id) > 21_000 + 20_000 + 4 * 20_000     # membership, set entry
    assert 21_000 + 3_000 < net.estimate(keys[0], IS_MEMBER, group_id, alice.address) < 30_000


def test_out_of_gas_inside_a_call_changes_nothing(net, keys):
    owner, alice, *_ = _roles(keys)
    group_id = net.create(owner)
    before = net.snapshot()
    result = net.call(alice, JOIN, group_id, gas=60_000)
    assert result.code == 32 and result.gas_used == 60_000 and net.snapshot() == before
    result = net.call(owner, CREATE, "n", "", OPEN, ZERO, 0, ZERO, NO_TYPE, value=BOND, gas=90_000)
    assert result.code == 32 and net.snapshot() == before
    net.assert_bonds()


def test_malformed_calldata_reverts_and_changes_nothing(net, keys):
    owner = keys[2]
    net.create(owner)
    before = net.snapshot()
    full = call_data(REMOVE, 1, keys[3].address)
    for data in (full[:4], full[:40], full[:-1]):
        nonce = net.chain.account(owner.address)["nonce"]
        (result,) = net.block([transfer(owner, nonce, GROUPS, 0, gas=200_000, data=data)])
        assert result.code == 32 and "malformed arguments for removeMember" in result.log, result.log
    net.revert(owner, f"unknown function selector 0x{keccak(b'nothing()')[:4].hex()}", "nothing()")
    assert net.snapshot() == before


def test_a_contract_asks_is_member_by_staticcall_and_cannot_write_by_it(net, keys):
    owner, alice, *_ = _roles(keys)
    group_id = net.create(owner)
    net.ok(alice, JOIN, group_id)
    contract = net.deploy(keys[3], "CallKinds")
    asked = net.send(keys[3], "viaStaticCall(address,bytes)", GROUPS, call_data(IS_MEMBER, group_id, alice.address),
                     to=contract)
    ok, output = decode(["bool", "bytes"], asked.data)
    assert ok and decode(["bool"], output) == (True,)
    asked = net.send(keys[3], "viaStaticCall(address,bytes)", GROUPS, call_data("group(uint256)", group_id),
                     to=contract)
    ok, output = decode(["bool", "bytes"], asked.data)
    assert ok and decode(GROUP_ABI, output)[0][0] == owner.address.lower()
    before = net.snapshot()
    tried = net.send(keys[3], "viaStaticCall(address,bytes)", GROUPS, call_data(LEAVE, group_id), to=contract)
    ok, output = decode(["bool", "bytes"], tried.data)
    assert not ok and b"leave changes state: not allowed in a static call" in output
    assert net.snapshot() == before
