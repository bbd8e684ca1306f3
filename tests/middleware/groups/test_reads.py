"""Groups that read another contract at join time, through view_call: a CLAIM group asks the real
identity precompile (0x...CC06), a MIN_TOKEN group asks a real ERC-20 (contracts/examples/Token.sol)
or a hostile one, which can cost the joiner no more than the fixed gas forwarded to it."""

import pytest
from eth_abi import encode
from eth_hash.auto import keccak

from abci_app.contracts import load_contract
from abci_app.middleware import identity
from abci_app.middleware.groups.calls import GAS_JOIN, GAS_TOKEN_CALL

from ...chain import CMT
from ...fuzz import assembler
from ..harness import abci_event
from .harness import CLAIM, JOIN, MEMBER, MIN_TOKEN, NONE, RECHECK, GroupsChain, groups_state

IDENTITY = "0x" + identity.ADDRESS.hex()
PHONE = keccak(b"miles.phone.verified")
EVIDENCE = keccak(b"salt|+41 79 555 01 23")
SUPPLY = 10**24

# runtime code that answers balanceOf badly (the fuzz assembler's endings, and a one-byte answer)
HOSTILE = {
    "loops": assembler.runtime([], "loop"),
    "reverts": assembler.runtime([], "revert"),
    "hits an invalid opcode": assembler.runtime([], "invalid"),
    "answers one byte": bytes.fromhex("60016000f3"),           # PUSH1 1 PUSH1 0 RETURN
    "answers nothing": assembler.runtime([], "stop"),
}


def _identity(net: GroupsChain, key, signature: str, *args, value: int = 0) -> None:
    result = net.send(key, signature, *args, value=value, to=IDENTITY)
    assert result.code == 0, result.log


def _issue(net, attester, subject) -> None:
    _identity(net, attester, "issueClaim(address,bytes32,uint64,bytes32)", subject.address, PHONE,
              net.chain.time_s + 1_000, EVIDENCE)


def test_a_claim_group_admits_by_a_live_claim_and_recheck_enforces_a_revocation(net, keys):
    owner, alice, bob, attester = keys[2], keys[3], keys[4], keys[6]
    _identity(net, attester, "registerAttester()", value=100 * CMT)
    group_id = net.create(owner, CLAIM, attester=attester.address, claim_type=PHONE)
    net.revert(alice, "no valid claim from the group's attester", JOIN, group_id)
    _issue(net, attester, alice)
    net.ok(alice, JOIN, group_id)
    assert net.is_member(group_id, alice)
    net.revert(bob, "still qualifies", RECHECK, group_id, alice.address)
    net.revert(bob, "not a member", RECHECK, group_id, bob.address)
    net.revert(bob, "the owner cannot be removed", RECHECK, group_id, owner.address)
    _identity(net, attester, "revokeClaim(address,bytes32)", alice.address, PHONE)
    assert net.is_member(group_id, alice)                      # until someone rechecks
    result = net.ok(bob, RECHECK, group_id, alice.address)     # anyone may
    assert abci_event(result, "group.member_removed") == {
        "groupId": str(group_id), "account": alice.address.lower(), "by": bob.address.lower(), "mayRejoin": "true"}
    assert not net.is_member(group_id, alice) and net.membership(group_id, alice)[0] == NONE
    net.revert(alice, "no valid claim from the group's attester", JOIN, group_id)
    _issue(net, attester, alice)                               # issued anew: alice may join again
    net.ok(alice, JOIN, group_id)
    # a claim that ends with its attester's registration fails the recheck too
    _identity(net, attester, "unregisterAttester()")
    net.ok(bob, RECHECK, group_id, alice.address)
    assert net.membership(group_id, alice)[0] == NONE
    net.assert_bonds()


def test_a_claim_group_trusts_only_its_attester_and_type(net, keys):
    owner, alice, attester, other = keys[2], keys[3], keys[6], keys[5]
    for key in (attester, other):
        _identity(net, key, "registerAttester()", value=100 * CMT)
    group_id = net.create(owner, CLAIM, attester=attester.address, claim_type=PHONE)
    _issue(net, other, alice)
    net.revert(alice, "no valid claim from the group's attester", JOIN, group_id)
    _identity(net, attester, "issueClaim(address,bytes32,uint64,bytes32)", alice.address,
              keccak(b"miles.seller.verified"), net.chain.time_s + 1_000, EVIDENCE)
    net.revert(alice, "no valid claim from the group's attester", JOIN, group_id)


def test_a_claim_group_without_a_working_identity_refuses(tmp_path, keys):
    """identity_address pointing at an account without code: the answer does not decode."""
    net = GroupsChain.start(str(tmp_path / "db"), groups_state(keys, {"identity_address": "0x" + "ab" * 20}))
    net.keys = keys
    try:
        group_id = net.create(keys[2], CLAIM, attester=keys[6].address, claim_type=PHONE)
        net.revert(keys[3], "claim check unavailable", JOIN, group_id)
    finally:
        net.chain.app.close()


def _token(net: GroupsChain, holder) -> str:
    return net.deploy_code(holder, load_contract("Token").bytecode
                           + encode(["string", "string", "uint256"], ["Miles Test Token", "MTT", SUPPLY]))


def test_a_token_group_counts_the_erc20_balance_at_join_time(net, keys):
    owner, alice, bob = keys[2], keys[3], keys[4]
    token = _token(net, alice)
    minimum = 5 * 10**18
    group_id = net.create(owner, MIN_TOKEN, token=token, min_balance=minimum)
    assert net.group(group_id)[4:6] == (token.lower(), minimum)
    net.ok(alice, JOIN, group_id)
    net.revert(bob, f"token balance below the minimum of {minimum}", JOIN, group_id)
    sent = net.send(alice, "transfer(address,uint256)", bob.address, minimum, to=token)
    assert sent.code == 0, sent.log
    net.ok(bob, JOIN, group_id)
    assert net.membership(group_id, bob)[0] == MEMBER
    net.assert_bonds()


@pytest.mark.parametrize("behaviour", sorted(HOSTILE))
def test_a_hostile_token_costs_the_joiner_a_bounded_gas_and_admits_nobody(net, keys, behaviour):
    owner, alice = keys[2], keys[3]
    token = net.deploy_code(owner, assembler.initcode(HOSTILE[behaviour]))
    group_id = net.create(owner, MIN_TOKEN, token=token, min_balance=1)
    bound = 21_000 + 1_000 + GAS_JOIN + 2_600 + GAS_TOKEN_CALL   # the tx, its data, join, the call, forwarded gas
    before = net.snapshot()
    result = net.call(alice, JOIN, group_id, gas=bound)
    assert result.code == 32 and result.log == "execution reverted: token balance unavailable", result.log
    assert net.snapshot() == before and not net.is_member(group_id, alice)


def test_a_token_that_is_no_contract_answers_nothing(net, keys):
    group_id = net.create(keys[2], MIN_TOKEN, token="0x" + "70" * 20, min_balance=1)
    net.revert(keys[3], "token balance unavailable", JOIN, group_id)
