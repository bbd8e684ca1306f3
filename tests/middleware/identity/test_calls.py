"""Every identity call through a signed transaction: its effects on balances and records, its
events (EVM logs and the ABCI events tx_search indexes), every revert reason."""

from eth_abi import decode
from eth_hash.auto import keccak

from ...chain import transfer
from ...fuzz import assembler
from ...staking.harness import call_data
from .harness import (ATTESTER_ABI, CLAIM_ABI, DROP, GET, HAS, IDENTITY, ISSUE, MIN_BOND, PHONE, REGISTER, REVOKE,
                      SELLER, UNREGISTER, IdentityChain, canonical, decode_data, identity_state, topic)

EVIDENCE = keccak(b"salt-7f3a|+41 79 555 01 23")    # what an attester would store: a salted hash
TOTALS = ["uint256", "uint256", "uint256"]
ZERO = "0x" + "00" * 20
ISSUED, REVOKED, DROPPED = 1, 2, 3


def _roles(keys):
    """attester, second attester, alice (a subject), bob (a subject)."""
    return keys[2], keys[3], keys[4], keys[5]


def _issue(net, attester, subject, claim_type=PHONE, lasts=100, data=EVIDENCE):
    return net.ok(attester, ISSUE, subject.address, claim_type, net.chain.time_s + lasts, data)


def _abci_event(result, event_type: str) -> dict:
    (event,) = [e for e in result.events if e.type == event_type]
    return {a.key: a.value for a in event.attributes}


# ---- genesis and params ---------------------------------------------------------------------------

def test_genesis_account_params_and_totals(net):
    assert net.chain.account(IDENTITY)["nonce"] == 1 and net.chain.balance(IDENTITY) == 0
    assert net.identity_view("params()", ["(uint256)"]) == ((MIN_BOND,),)
    assert net.identity_view("totals()", TOTALS) == (0, 0, 0)
    net.assert_bonds()


def test_genesis_params_are_stored_and_used(tmp_path, keys):
    net = IdentityChain.start(str(tmp_path / "db"), identity_state(keys, {"min_attester_bond_wei": "5000"}))
    net.keys = keys
    try:
        assert net.identity_view("params()", ["(uint256)"]) == ((5_000,),)
        net.revert(keys[2], "bond below the minimum of 5000 wei", REGISTER, value=4_999)
        net.ok(keys[2], REGISTER, value=5_000)
        net.assert_bonds()
    finally:
        net.chain.app.close()


# ---- attesters ------------------------------------------------------------------------------------

def test_register_and_unregister_move_the_bond(net, keys):
    attester, *_ = _roles(keys)
    start = net.chain.balance(attester.address)
    bond = MIN_BOND + 7
    joined = net.ok(attester, REGISTER, value=bond)
    assert net.chain.balance(IDENTITY) == bond
    assert net.chain.balance(attester.address) == start - bond - net.fee(joined)
    since = net.chain.time_s
    assert net.identity_view("attester(address)", ATTESTER_ABI, attester.address) == ((True, bond, since, 1, 0),)
    assert net.identity_view("totals()", TOTALS) == (1, 0, bond)
    (log,) = net.logs(joined)
    assert log["address"] == IDENTITY and log["topics"] == [topic("AttesterRegistered(address,uint256)"),
                                                            "0x" + attester.address.lower()[2:].rjust(64, "0")]
    assert decode_data(log, ["uint256"]) == (bond,)
    assert _abci_event(joined, "identity.attester_registered") == {"attester": attester.address.lower(),
                                                                   "bond": str(bond)}
    net.assert_bonds()

    left = net.ok(attester, UNREGISTER)
    assert net.chain.balance(IDENTITY) == 0
    assert net.chain.balance(attester.address) == start - net.fee(joined) - net.fee(left)
    assert net.identity_view("attester(address)", ATTESTER_ABI, attester.address) == ((False, 0, since, 1, 0),)
    assert _abci_event(left, "identity.attester_unregistered") == {"attester": attester.address.lower(),
                                                                   "bond": str(bond)}
    assert net.identity_view("totals()", TOTALS) == (0, 0, 0)
    net.ok(attester, REGISTER, value=MIN_BOND)        # again: a new registration
    assert net.identity_view("attester(address)", ATTESTER_ABI, attester.address)[0][3] == 2
    net.assert_bonds()


def test_attester_rejections(net, keys):
    attester, *_ = _roles(keys)
    net.revert(attester, f"bond below the minimum of {MIN_BOND} wei", REGISTER, value=MIN_BOND - 1)
    net.revert(attester, f"bond below the minimum of {MIN_BOND} wei", REGISTER)
    net.revert(attester, "not an attester", UNREGISTER)
    net.ok(attester, REGISTER, value=MIN_BOND)
    net.revert(attester, "already an attester", REGISTER, value=MIN_BOND)
    net.revert(attester, "unregisterAttester does not accept CMT", UNREGISTER, value=1)
    net.revert(attester, f"unknown function selector 0x{keccak(b'nothing()')[:4].hex()}", "nothing()")
    net.assert_bonds()


# ---- claims ---------------------------------------------------------------------------------------

def test_issue_claim_and_ask_for_it(net, keys):
    attester, other, alice, bob = _roles(keys)
    net.ok(attester, REGISTER, value=MIN_BOND)
    assert not net.has_claim(alice, PHONE, attester)
    assert net.claim(alice, PHONE, attester) == (0, 0, b"\0" * 32, 0, False)
    expiry = net.chain.time_s + 100
    result = net.ok(attester, ISSUE, alice.address, PHONE, expiry, EVIDENCE)
    issued_at = net.chain.time_s
    assert net.has_claim(alice, PHONE, attester)
    assert net.claim(alice, PHONE, attester) == (ISSUED, expiry, EVIDENCE, issued_at, True)
    # the claim is about alice, of this type, by this attester only
    assert not net.has_claim(bob, PHONE, attester)
    assert not net.has_claim(alice, SELLER, attester)
    assert not net.has_claim(alice, PHONE, other)
    (log,) = net.logs(result)
    assert log["topics"] == [topic("ClaimIssued(address,address,bytes32,uint64,bytes32)"),
                             "0x" + attester.address.lower()[2:].rjust(64, "0"),
                             "0x" + alice.address.lower()[2:].rjust(64, "0"), "0x" + PHONE.hex()]
    assert decode_data(log, ["uint64", "bytes32"]) == (expiry, EVIDENCE)
    assert _abci_event(result, "identity.claim_issued") == {
        "attester": attester.address.lower(), "subject": alice.address.lower(), "claimType": "0x" + PHONE.hex(),
        "expiry": str(expiry), "dataHash": "0x" + EVIDENCE.hex()}
    assert net.identity_view("attester(address)", ATTESTER_ABI, attester.address)[0][4] == 1
    assert net.identity_view("totals()", TOTALS) == (1, 1, MIN_BOND)
    assert net.chain.balance(IDENTITY) == MIN_BOND    # issuing moves no CMT
    net.assert_bonds()


def test_issue_rejections(net, keys):
    attester, _, alice, _ = _roles(keys)
    later = net.chain.time_s + 100
    net.revert(attester, "not an attester", ISSUE, alice.address, PHONE, later, EVIDENCE)
    net.ok(attester, REGISTER, value=MIN_BOND)
    net.revert(attester, "subject must not be the zero address", ISSUE, ZERO, PHONE, later, EVIDENCE)
    net.revert(attester, "claim type must not be zero", ISSUE, alice.address, b"\0" * 32, later, EVIDENCE)
    # the revert's block is one second on: an expiry at that block's time is already past
    net.revert(attester, "expiry must be in the future", ISSUE, alice.address, PHONE, net.chain.time_s + 1, EVIDENCE)
    net.revert(attester, "expiry must be in the future", ISSUE, alice.address, PHONE, 0, EVIDENCE)
    net.revert(attester, "issueClaim does not accept CMT", ISSUE, alice.address, PHONE, later, EVIDENCE, value=1)
    assert not net.has_claim(alice, PHONE, attester)


def test_malformed_calldata_reverts_and_changes_nothing(net, keys):
    attester, _, alice, _ = _roles(keys)
    net.ok(attester, REGISTER, value=MIN_BOND)
    before = net.snapshot()
    full = call_data(ISSUE, alice.address, PHONE, net.chain.time_s + 100, EVIDENCE)
    for data in (full[:4], full[:40], full[:-1], full[:4] + b"\xff" * 128):
        nonce = net.chain.account(attester.address)["nonce"]
        (result,) = net.block([transfer(attester, nonce, IDENTITY, 0, gas=200_000, data=data)])
        assert result.code == 32 and "malformed arguments for issueClaim" in result.log, result.log
    assert net.snapshot() == before


def test_a_claim_expires_by_block_time_and_renews(net, keys):
    attester, _, alice, _ = _roles(keys)
    net.ok(attester, REGISTER, value=MIN_BOND)
    expiry = net.chain.time_s + 10
    net.ok(attester, ISSUE, alice.address, PHONE, expiry, EVIDENCE)
    net.block(seconds=7)                                     # the view's block: time expiry - 1
    assert net.chain.time_s == expiry - 2
    assert net.has_claim(alice, PHONE, attester)             # answered in a block at expiry - 1
    assert not net.has_claim(alice, PHONE, attester)         # at expiry: gone
    assert net.claim(alice, PHONE, attester)[0] == ISSUED and net.claim(alice, PHONE, attester)[4] is False
    renewed = keccak(b"new evidence")
    net.ok(attester, ISSUE, alice.address, PHONE, net.chain.time_s + 100, renewed)
    assert net.has_claim(alice, PHONE, attester) and net.claim(alice, PHONE, attester)[2] == renewed
    assert net.identity_view("totals()", TOTALS)[1] == 2     # a renewal counts as an issue


def test_the_attester_revokes(net, keys):
    attester, other, alice, _ = _roles(keys)
    net.ok(attester, REGISTER, value=MIN_BOND)
    net.ok(other, REGISTER, value=MIN_BOND)
    _issue(net, attester, alice)
    net.revert(keys[4], "not an attester", REVOKE, alice.address, PHONE)       # not even the subject
    net.revert(other, "no such claim", REVOKE, alice.address, PHONE)           # another attester's claim
    net.revert(attester, "no such claim", REVOKE, alice.address, SELLER)
    net.revert(attester, "revokeClaim does not accept CMT", REVOKE, alice.address, PHONE, value=1)
    result = net.ok(attester, REVOKE, alice.address, PHONE)
    assert not net.has_claim(alice, PHONE, attester)
    assert net.claim(alice, PHONE, attester)[0] == REVOKED
    (log,) = net.logs(result)
    assert log["topics"][0] == topic("ClaimRevoked(address,address,bytes32)") and log["data"] == "0x"
    assert _abci_event(result, "identity.claim_revoked") == {
        "attester": attester.address.lower(), "subject": alice.address.lower(), "claimType": "0x" + PHONE.hex()}
    net.revert(attester, "no such claim", REVOKE, alice.address, PHONE)        # once
    _issue(net, attester, alice)                                               # issuing again is the attester's call
    assert net.has_claim(alice, PHONE, attester)


def test_an_expired_claim_can_still_be_revoked(net, keys):
    attester, _, alice, _ = _roles(keys)
    net.ok(attester, REGISTER, value=MIN_BOND)
    _issue(net, attester, alice, lasts=2)
    net.block(seconds=10)
    net.ok(attester, REVOKE, alice.address, PHONE)
    assert net.claim(alice, PHONE, attester)[0] == REVOKED


def test_the_subject_drops_a_claim_for_good(net, keys):
    attester, _, alice, bob = _roles(keys)
    net.ok(attester, REGISTER, value=MIN_BOND)
    _issue(net, attester, alice)
    net.revert(bob, "no such claim", DROP, attester.address, PHONE)            # only the subject can
    net.revert(alice, "no such claim", DROP, attester.address, SELLER)
    net.revert(alice, "dropClaim does not accept CMT", DROP, attester.address, PHONE, value=1)
    result = net.ok(alice, DROP, attester.address, PHONE)
    assert not net.has_claim(alice, PHONE, attester)
    assert net.claim(alice, PHONE, attester)[0] == DROPPED
    assert _abci_event(result, "identity.claim_dropped") == {
        "attester": attester.address.lower(), "subject": alice.address.lower(), "claimType": "0x" + PHONE.hex()}
    net.revert(alice, "no such claim", DROP, attester.address, PHONE)
    net.revert(attester, "no such claim", REVOKE, alice.address, PHONE)
    net.revert(attester, "subject dropped this claim", ISSUE, alice.address, PHONE, net.chain.time_s + 9, EVIDENCE)
    _issue(net, attester, alice, SELLER)                                       # other types are untouched
    assert net.has_claim(alice, SELLER, attester)


def test_a_revoked_claim_may_be_dropped_no_more(net, keys):
    attester, _, alice, _ = _roles(keys)
    net.ok(attester, REGISTER, value=MIN_BOND)
    _issue(net, attester, alice)
    net.ok(attester, REVOKE, alice.address, PHONE)
    net.revert(alice, "no such claim", DROP, attester.address, PHONE)


def test_claims_die_with_their_attesters_registration(net, keys):
    """Leaving ends every claim at once (no loop: the claim's generation no longer matches), and
    registering again revives none of them; the subject may still drop one."""
    attester, _, alice, bob = _roles(keys)
    net.ok(attester, REGISTER, value=MIN_BOND)
    _issue(net, attester, alice)
    _issue(net, attester, bob, SELLER)
    net.ok(attester, UNREGISTER)
    assert not net.has_claim(alice, PHONE, attester) and not net.has_claim(bob, SELLER, attester)
    net.revert(attester, "not an attester", REVOKE, alice.address, PHONE)
    net.ok(attester, REGISTER, value=MIN_BOND)
    assert not net.has_claim(alice, PHONE, attester) and not net.has_claim(bob, SELLER, attester)
    assert net.claim(alice, PHONE, attester)[0] == ISSUED                      # stored as it was, not valid
    net.revert(attester, "no such claim", REVOKE, alice.address, PHONE)        # not of this registration
    net.ok(bob, DROP, attester.address, SELLER)
    net.revert(attester, "subject dropped this claim", ISSUE, bob.address, SELLER, net.chain.time_s + 9, EVIDENCE)
    _issue(net, attester, alice)                                               # issued anew: valid again
    assert net.has_claim(alice, PHONE, attester)
    net.assert_bonds()


# ---- gas, call kinds ------------------------------------------------------------------------------

def test_out_of_gas_inside_a_call_changes_nothing(net, keys):
    """Gas past the fixed cost but short of the stored words: the call fails, nothing is kept,
    and the sender pays for all the gas it offered."""
    attester, _, alice, _ = _roles(keys)
    net.ok(attester, REGISTER, value=MIN_BOND)
    before = net.snapshot()
    result = net.call(attester, ISSUE, alice.address, PHONE, net.chain.time_s + 100, EVIDENCE, gas=60_000)
    assert result.code == 32 and result.gas_used == 60_000
    assert net.snapshot() == before
    result = net.call(keys[5], REGISTER, value=MIN_BOND, gas=60_000)
    assert result.code == 32 and net.chain.balance(IDENTITY) == MIN_BOND
    net.assert_bonds()


def test_a_contract_reads_claims_by_staticcall_and_cannot_write_by_it(net, keys):
    attester, _, alice, _ = _roles(keys)
    net.ok(attester, REGISTER, value=MIN_BOND)
    _issue(net, attester, alice)
    contract = net.deploy(keys[3], "CallKinds")
    asked = net.send(keys[3], "viaStaticCall(address,bytes)", IDENTITY,
                     call_data(HAS, alice.address, PHONE, attester.address), to=contract)
    ok, output = decode(["bool", "bytes"], asked.data)
    assert ok and decode(["bool"], output) == (True,)
    before = net.snapshot()
    tried = net.send(keys[3], "viaStaticCall(address,bytes)", IDENTITY, call_data(REVOKE, alice.address, PHONE),
                     to=contract)
    ok, output = decode(["bool", "bytes"], tried.data)
    assert not ok and b"revokeClaim changes state: not allowed in a static call" in output
    assert net.snapshot() == before


def test_gas_is_charged_per_stored_word(net, keys):
    """A first claim stores new words (20,000 gas each); renewing it only changes some (2,900 each):
    the difference is what storage costs, so nobody stores claims without paying for them."""
    attester, _, alice, _ = _roles(keys)
    net.ok(attester, REGISTER, value=MIN_BOND)
    first = net.estimate(attester, ISSUE, alice.address, PHONE, net.chain.time_s + 100, EVIDENCE)
    _issue(net, attester, alice)
    renewal = net.estimate(attester, ISSUE, alice.address, PHONE, net.chain.time_s + 200, keccak(b"other"))
    assert first - renewal >= 5 * (20_000 - 2_900)
    assert 21_000 + 3_000 < net.estimate(keys[0], HAS, alice.address, PHONE, attester.address) < 30_000


def test_views_answer_the_call_query_at_the_committed_block(net, keys):
    """abci_query `/call` (eth_call) runs at the last committed block's time: a claim that
    expires at the next block is still there, and gone in the next block's own view."""
    attester, _, alice, _ = _roles(keys)
    net.ok(attester, REGISTER, value=MIN_BOND)
    net.ok(attester, ISSUE, alice.address, PHONE, net.chain.time_s + 2, EVIDENCE)
    assert net.ask(HAS, ["bool"], alice.address, PHONE, attester.address) == (True,)
    assert net.ask(GET, CLAIM_ABI, alice.address, PHONE, attester.address)[0][4] is True
    assert net.ask("attester(address)", ATTESTER_ABI, attester.address)[0][:2] == (True, MIN_BOND)
    assert not net.has_claim(alice, PHONE, attester)                           # the next block: expired
    assert net.ask(HAS, ["bool"], alice.address, PHONE, attester.address) == (False,)


def _contract_that_registers(net, key, ending: str) -> str:
    """A contract that CALLs registerAttester with MIN_BOND (reverting if that fails), then ends
    by `ending` ("stop" or "revert": a revert after the precompile's success)."""
    code = assembler.runtime([assembler.Call("CALL", canonical(IDENTITY), call_data(REGISTER), MIN_BOND,
                                             must_succeed=True)], ending)
    nonce = net.chain.account(key.address)["nonce"]
    raw = transfer(key, nonce, "", 0, gas=1_000_000, data=assembler.initcode(code))
    (result,) = net.block([raw])
    assert result.code == 0, result.log
    return net.query("/tx/0x" + keccak(raw).hex())["contract_address"]


def test_a_revert_after_the_call_undoes_the_registration(net, keys):
    for ending, registered in (("revert", False), ("stop", True)):
        contract = _contract_that_registers(net, keys[3], ending)
        nonce = net.chain.account(keys[3].address)["nonce"]
        (result,) = net.block([transfer(keys[3], nonce, contract, MIN_BOND, gas=1_000_000)])
        assert result.code == (0 if registered else 32), result.log
        assert net.identity_view("attester(address)", ATTESTER_ABI, contract)[0][:2] == \
            ((True, MIN_BOND) if registered else (False, 0))
        assert net.chain.balance(IDENTITY) == (MIN_BOND if registered else 0)
        assert net.chain.balance(contract) == 0
        net.assert_bonds()
