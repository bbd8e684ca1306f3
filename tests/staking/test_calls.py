"""Every staking call through a signed transaction: the effects, the events, every revert reason."""

import pytest
from eth_abi import decode
from eth_hash.auto import keccak

from abci_app.staking.params import WEI_PER_CMT

from .harness import SELF_STAKE, STAKING, pubkey_of

CMT = WEI_PER_CMT
DECLARE = "declareCandidacy(bytes32,uint16,string,string,string)"


def test_genesis_validators_and_precompile_account(net, stakers):
    assert net.validators() == {stakers[0].address.lower(): 2 * SELF_STAKE // CMT * 1200 // 10_000,
                                stakers[1].address.lower(): 2 * SELF_STAKE // CMT * 1200 // 10_000}
    assert net.chain.balance(STAKING) == 2 * SELF_STAKE
    assert net.chain.account(STAKING)["nonce"] == 1
    net.assert_supply()


def test_declare_candidacy(net, stakers):
    result = net.send(stakers[2], DECLARE, pubkey_of("new"), 500, "shop", "https://shop", "", value=50_000 * CMT)
    assert result.code == 0, result.log
    (log,) = [e for e in result.events if e.type == "eth"]
    candidate = net.candidate(stakers[2].address)
    assert candidate["tokens"] == str(50_000 * CMT) and candidate["self_tokens"] == str(50_000 * CMT)
    assert candidate["commission_bps"] == 500 and candidate["active"] and not candidate["jailed"]
    assert net.chain.balance(STAKING) == 2 * SELF_STAKE + 50_000 * CMT
    assert pubkey_of("new") in net.updates()  # joins the set at the end of the block
    assert stakers[2].address.lower() in net.validators()
    net.assert_supply()


def test_declare_rejections(net, stakers):
    new = stakers[2]
    value = 50_000 * CMT
    net.expect_revert(stakers[0], "already a candidate", DECLARE, pubkey_of("x"), 0, "n", "", "", value=value)
    net.expect_revert(new, "consensus public key must not be zero", DECLARE, b"\0" * 32, 0, "n", "", "", value=value)
    net.expect_revert(new, "consensus public key already in use", DECLARE, pubkey_of("v0"), 0, "n", "", "", value=value)
    net.expect_revert(new, "commission above 10000 bps", DECLARE, pubkey_of("x"), 10_001, "n", "", "", value=value)
    net.expect_revert(new, "name must not be empty", DECLARE, pubkey_of("x"), 0, " ", "", "", value=value)
    net.expect_revert(new, "name longer than 70 characters", DECLARE, pubkey_of("x"), 0, "n" * 71, "", "", value=value)
    net.expect_revert(new, f"amount below the minimum delegation of {1000 * CMT} wei", DECLARE, pubkey_of("x"), 0,
                      "n", "", "", value=999 * CMT)


def test_delegate_and_its_rejections(net, stakers):
    v0, delegator = stakers[0].address, stakers[3]
    result = net.send(delegator, "delegate(address)", v0, value=5_000 * CMT)
    assert result.code == 0, result.log
    assert net.candidate(v0)["tokens"] == str(SELF_STAKE + 5_000 * CMT)
    shares, tokens = net.view(delegator, "delegation(address,address)", ["uint256", "uint256"], delegator.address, v0)
    assert tokens == 5_000 * CMT and shares == 5_000 * CMT
    net.expect_revert(delegator, "not a candidate", "delegate(address)", stakers[4].address, value=5_000 * CMT)
    net.expect_revert(delegator, f"amount below the minimum delegation of {1000 * CMT} wei", "delegate(address)", v0,
                      value=10 * CMT)
    # self-stake 100,000 CMT may back at most 1,000,000 CMT in total
    net.expect_revert(delegator, "candidate's self-stake would fall below the minimum ratio", "delegate(address)", v0,
                      value=900_000 * CMT)
    net.expect_revert(delegator, "undelegate does not accept CMT", "undelegate(address,uint256)", v0, 1, value=1)
    net.expect_revert(delegator, f"unknown function selector 0x{keccak(b'nothing()')[:4].hex()}", "nothing()")


def test_undelegate_pays_out_after_the_unbonding_period(tmp_path, stakers):
    from .harness import StakingChain, staking_state

    net = StakingChain.start(str(tmp_path / "db"), staking_state(stakers, params={"unbonding_seconds": 100}))
    v0, delegator = stakers[0].address, stakers[3]
    assert net.send(delegator, "delegate(address)", v0, value=5_000 * CMT).code == 0
    assert net.send(delegator, "undelegate(address,uint256)", v0, 2_000 * CMT).code == 0
    balance = net.chain.balance(delegator.address)
    (entries,) = net.view(delegator, "unbondings(address)", ["(address,uint256,uint64,uint64)[]"], delegator.address)
    assert [(e[0], e[1]) for e in entries] == [(v0.lower(), 2_000 * CMT)]
    spent_on_view = balance - net.chain.balance(delegator.address)
    net.block(seconds=50)
    assert net.chain.balance(delegator.address) == balance - spent_on_view
    net.block(seconds=60)
    assert net.chain.balance(delegator.address) == balance - spent_on_view + 2_000 * CMT
    assert any(e.type == "stake.unbonding_completed" for e in net.last.events)
    assert net.query(f"/delegations/{delegator.address}")["unbondings"] == []
    net.expect_revert(delegator, "amount exceeds the delegation", "undelegate(address,uint256)", v0, 3_001 * CMT)
    net.expect_revert(delegator, "amount must be positive", "undelegate(address,uint256)", v0, 0)
    net.expect_revert(stakers[0], "candidate's self-stake would fall below the minimum ratio",
                      "undelegate(address,uint256)", v0, SELF_STAKE)
    net.assert_supply()
    net.chain.app.close()


def test_redelegate(net, stakers):
    v0, v1, delegator = stakers[0].address, stakers[1].address, stakers[3]
    assert net.send(delegator, "delegate(address)", v0, value=5_000 * CMT).code == 0
    assert net.send(delegator, "redelegate(address,address,uint256)", v0, v1, 3_000 * CMT).code == 0
    assert net.candidate(v0)["tokens"] == str(SELF_STAKE + 2_000 * CMT)
    assert net.candidate(v1)["tokens"] == str(SELF_STAKE + 3_000 * CMT)
    net.expect_revert(delegator, "source and target are the same candidate", "redelegate(address,address,uint256)",
                      v0, v0, 1_000 * CMT)
    net.expect_revert(delegator, "amount exceeds the delegation", "redelegate(address,address,uint256)", v0, v1,
                      5_000 * CMT)
    assert net.send(stakers[1], "deactivate()").code == 0
    net.expect_revert(delegator, "target candidate is not active", "redelegate(address,address,uint256)", v0, v1,
                      1_000 * CMT)
    net.assert_supply()


def test_set_commission_moves_at_most_100_bps_a_day(net, stakers):
    v0 = stakers[0]
    net.expect_revert(v0, "commission may move at most 100 bps a day", "setCommission(uint16)", 1_101)
    assert net.send(v0, "setCommission(uint16)", 1_100).code == 0
    net.expect_revert(v0, "commission may move at most 100 bps a day", "setCommission(uint16)", 1_150)
    assert net.send(v0, "setCommission(uint16)", 1_000).code == 0  # back within the same day's band
    net.block(seconds=24 * 3600)
    assert net.send(v0, "setCommission(uint16)", 1_100).code == 0
    assert net.candidate(v0.address)["commission_bps"] == 1_100
    net.expect_revert(stakers[3], "not a candidate", "setCommission(uint16)", 0)
    net.expect_revert(v0, "commission above 10000 bps", "setCommission(uint16)", 20_000)


def test_deactivate_activate_and_withdraw(net, stakers):
    v0, v1, delegator = stakers[0], stakers[1], stakers[3]
    assert net.send(delegator, "delegate(address)", v1.address, value=2_000 * CMT).code == 0
    assert net.send(v1, "deactivate()").code == 0
    # v1 leaves; v0, alone, is re-capped at 12% of the new total
    assert net.updates() == {pubkey_of("v1"): 0, pubkey_of("v0"): SELF_STAKE // CMT * 1200 // 10_000}
    assert list(net.validators()) == [v0.address.lower()]
    net.expect_revert(v1, "already inactive", "deactivate()")
    assert net.send(v1, "activate()").code == 0
    assert pubkey_of("v1") in net.updates() and len(net.validators()) == 2
    net.expect_revert(v1, "already active", "activate()")
    assert net.send(v1, "withdrawCandidacy()").code == 0
    assert net.updates()[pubkey_of("v1")] == 0
    assert net.chain.query(f"/candidate/{v1.address}").code == 40
    unbonding = net.query(f"/delegations/{delegator.address}")["unbondings"]
    assert [u["amount"] for u in unbonding] == [str(2_000 * CMT)]
    net.expect_revert(v1, "not a candidate", "withdrawCandidacy()")
    net.assert_supply()


def test_update_candidacy_rotates_the_key_at_the_next_set_update(net, stakers):
    v0 = stakers[0]
    result = net.send(v0, "updateCandidacy(bytes32,string,string,string)", pubkey_of("rotated"), "renamed", "w", "d")
    assert result.code == 0, result.log
    assert net.updates() == {pubkey_of("v0"): 0, pubkey_of("rotated"): 24_000}
    candidate = net.candidate(v0.address)
    assert candidate["name"] == "renamed" and candidate["pub_key"] == "0x" + pubkey_of("rotated").hex()
    net.expect_revert(stakers[1], "consensus public key already in use", "updateCandidacy(bytes32,string,string,string)",
                      pubkey_of("rotated"), "x", "", "")


def test_views_answer_with_the_solidity_abi(net, stakers):
    v0 = stakers[0].address
    (candidate,) = net.view(stakers[3], "candidate(address)", [
        "(address,bytes32,bytes32,uint256,uint256,uint256,uint16,bool,bool,uint64,uint256,string,string,string)"], v0)
    assert candidate[0] == v0.lower() and candidate[1] == pubkey_of("v0") and candidate[3] == SELF_STAKE
    operators, powers = net.view(stakers[3], "validators()", ["address[]", "uint256[]"])
    assert sorted(operators) == sorted([v0.lower(), stakers[1].address.lower()]) and list(powers) == [24_000, 24_000]
    (params,) = net.view(stakers[3], "params()", ["(uint16,uint256,uint16,uint64,uint16,uint16,uint16,uint16,uint32,uint32,uint64)"])
    assert params[0] == 1_000 and params[1] == 1_000 * CMT and params[2] == 19
    (candidates,) = net.view(stakers[3], "candidates()", ["address[]"])
    assert len(candidates) == 2


def test_a_revert_costs_gas_but_moves_no_stake(net, stakers):
    before = net.chain.balance(stakers[3].address)
    net.expect_revert(stakers[3], "not a candidate", "delegate(address)", stakers[5].address, value=2_000 * CMT)
    assert before - net.chain.balance(stakers[3].address) < 2_000 * CMT  # the value came back


def test_out_of_gas_fails_the_call_and_changes_nothing(net, stakers):
    before = net.snapshot()
    result = net.send(stakers[3], "delegate(address)", stakers[0].address, value=2_000 * CMT, gas=40_000)
    assert result.code == 32 and "OutOfGas" in result.log
    assert net.snapshot() == before


def test_event_topics(net, stakers):
    result = net.send(stakers[3], "delegate(address)", stakers[0].address, value=2_000 * CMT)
    receipt = net.query("/tx/0x" + _tx_hash(net, result))
    (log,) = receipt["logs"]
    assert log["address"] == STAKING
    assert log["topics"][0] == "0x" + keccak(b"Delegated(address,address,uint256,uint256)").hex()
    assert log["topics"][1].endswith(stakers[3].address.lower()[2:])
    assert decode(["uint256", "uint256"], bytes.fromhex(log["data"][2:]))[0] == 2_000 * CMT


def _tx_hash(net, result) -> str:
    (event,) = [e for e in result.events if e.type == "eth"]
    return {a.key: a.value for a in event.attributes}["hash"][2:]


def test_reward_call_rejections(net, stakers):
    net.expect_revert(stakers[3], "no delegation to this candidate", "withdrawRewards(address)", stakers[0].address)
    net.expect_revert(stakers[3], "no delegations", "withdrawAllRewards()")
    net.expect_revert(stakers[3], "no commission to withdraw", "withdrawCommission()")


def test_delegating_to_a_pool_slashed_to_nothing_is_refused(tmp_path, stakers):
    from abci_app import staking
    from abci_app.abci import types

    from .harness import StakingChain, staking_state

    net = StakingChain.start(str(tmp_path / "db"), staking_state(stakers, params={"slash_double_sign_bps": 10_000}))
    v0 = staking.consensus_address(pubkey_of("v0"))
    net.block(misbehavior=[types.Misbehavior(type=types.MisbehaviorType.DUPLICATE_VOTE, height=1,
                                             validator=types.Validator(address=v0, power=1))])
    assert net.candidate(stakers[0].address)["tokens"] == "0"
    net.expect_revert(stakers[3], "candidate's stake was slashed to nothing", "delegate(address)",
                      stakers[0].address, value=2_000 * CMT)
    net.assert_supply()
    net.chain.app.close()


@pytest.mark.parametrize("leave", ["withdrawCandidacy()", "deactivate()"])
def test_the_last_validators_cannot_empty_the_set(net, stakers, leave):
    """CometBFT refuses updates that leave it no validator, and every node would stop at that
    height for good (found by the fuzz harness). The last set stays until a candidate is eligible
    again, which then replaces it."""
    v0, v1, newcomer = stakers[0], stakers[1], stakers[4]
    assert net.send(v0, leave).code == 0
    assert net.updates() == {pubkey_of("v0"): 0, pubkey_of("v1"): SELF_STAKE // CMT * 1200 // 10_000}
    assert net.send(v1, leave).code == 0
    assert net.updates() == {}
    net.block()
    assert net.updates() == {} and list(net.validators()) == [v1.address.lower()]
    result = net.send(newcomer, DECLARE, pubkey_of("new"), 500, "newcomer", "", "", value=SELF_STAKE)
    assert result.code == 0, result.log
    assert net.updates() == {pubkey_of("v1"): 0, pubkey_of("new"): SELF_STAKE // CMT * 1200 // 10_000}
    assert list(net.validators()) == [newcomer.address.lower()]


def test_an_undelegation_is_at_least_the_minimum_unless_it_takes_everything(net, stakers):
    """Issue 14: each undelegation is an entry in the unbonding queue for 7 days; 1-wei ones were
    a cheap way to grow it."""
    v0, delegator = stakers[0].address, stakers[3]
    assert net.send(delegator, "delegate(address)", v0, value=1_000 * CMT + 5).code == 0
    net.expect_revert(delegator, f"amount below the minimum undelegation of {CMT} wei (or all of the delegation)",
                      "undelegate(address,uint256)", v0, CMT - 1)
    assert net.send(delegator, "undelegate(address,uint256)", v0, 1_000 * CMT - 1).code == 0
    assert net.send(delegator, "undelegate(address,uint256)", v0, 6).code == 0  # the rest, however small


def test_views_pay_for_each_record_they_return(net, stakers):
    from abci_app.staking.calls import GAS_PER_ITEM

    v0, delegator = stakers[0].address, stakers[3]
    gas = 50_000  # declared near the need: a tx is charged at least half of it
    empty = net.send(delegator, "unbondings(address)", delegator.address, gas=gas).gas_used
    assert net.send(delegator, "delegate(address)", v0, value=2_000 * CMT).code == 0
    for _ in range(3):
        assert net.send(delegator, "undelegate(address,uint256)", v0, CMT).code == 0
    three = net.send(delegator, "unbondings(address)", delegator.address, gas=gas).gas_used
    assert three - empty >= 3 * GAS_PER_ITEM
    bystander = net.send(stakers[4], "unbondings(address)", stakers[4].address, gas=gas).gas_used
    assert bystander == empty  # another delegator's entries are not read, nor paid for


def test_a_block_pays_at_most_its_bound_of_matured_unbondings(tmp_path, stakers, monkeypatch):
    """ATTACK: entries pile up to mature in one block (the first after a halt pays every entry of
    the halt's length at once): the end of a block pays at most MAX_MATURED_PER_BLOCK, the rest
    in the next blocks, oldest first."""
    from abci_app.staking import keeper

    from .harness import StakingChain, staking_state

    monkeypatch.setattr(keeper, "MAX_MATURED_PER_BLOCK", 2)
    net = StakingChain.start(str(tmp_path / "db"), staking_state(stakers, params={"unbonding_seconds": 100}))
    v0, delegator = stakers[0].address, stakers[3]
    assert net.send(delegator, "delegate(address)", v0, value=5_000 * CMT).code == 0
    for _ in range(3):
        assert net.send(delegator, "undelegate(address,uint256)", v0, 1_000 * CMT).code == 0
    balance = net.chain.balance(delegator.address)
    net.block(seconds=3_600)                      # a halt: all three matured together
    assert net.chain.balance(delegator.address) == balance + 2_000 * CMT
    net.block()
    assert net.chain.balance(delegator.address) == balance + 3_000 * CMT
    assert net.query(f"/delegations/{delegator.address}")["unbondings"] == []
    net.assert_supply()
    net.chain.app.close()


def test_pending_unbondings_per_candidate_are_bounded(net, stakers):
    """Each is work a slash may do (found by review): 7 per (delegator, candidate), as Cosmos."""
    v0, v1, delegator = stakers[0].address, stakers[1].address, stakers[3]
    for validator in (v0, v1):
        assert net.send(delegator, "delegate(address)", validator, value=1_000 * CMT).code == 0
    for _ in range(7):
        assert net.send(delegator, "undelegate(address,uint256)", v0, CMT).code == 0
    net.expect_revert(delegator, "7 unbondings from this candidate are pending: wait for one to complete",
                      "undelegate(address,uint256)", v0, CMT)
    assert net.send(delegator, "undelegate(address,uint256)", v1, CMT).code == 0  # another candidate: its own 7
