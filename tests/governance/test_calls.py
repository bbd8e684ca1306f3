"""Every governance call through a signed transaction: deposits, the vote and its tally, what a
passed proposal does at the end of its block, where the deposits go, events, every revert reason."""

from eth_abi import decode

from abci_app import governance, staking
from abci_app.cli.wallet import dev_account
from abci_app.middleware import groups

from ..chain import CMT, transfer
from ..middleware.harness import abci_event, decode_data, topic
from ..staking.harness import call_data
from .harness import (ABSTAIN, CANCEL_UPGRADE, COMMUNITY_SPEND, DEPOSIT, DEPOSIT_CALL, EXPIRED, FAILED, GOV,
                      MIN_DEPOSIT, MIN_INITIAL, NO, PARAM_CHANGE, PASSED, PERIOD, REJECTED, SOFTWARE_UPGRADE,
                      SUBMIT_CANCEL, SUBMIT_PARAM, SUBMIT_SPEND, SUBMIT_TEXT, SUBMIT_UPGRADE, TEXT, VETO, VETOED,
                      VOTE, VOTING, YES, GovChain, gov_state)

STAKE = 50_000 * CMT


def _ended(net) -> dict:
    """The gov.proposal_ended event of the last block."""
    (event,) = [e for e in net.last.events if e.type == "gov.proposal_ended"]
    return {a.key: a.value for a in event.attributes}


def _delegate(net, key, validator, amount: int = STAKE) -> None:
    result = net.send(key, "delegate(address)", validator.address, value=amount)
    assert result.code == 0, result.log


# ---- genesis and views of nothing -----------------------------------------------------------------

def test_genesis_account_params_and_unknown_proposals(net, keys):
    assert net.chain.account(GOV)["nonce"] == 1 and net.chain.balance(GOV) == 0
    assert net.ask("params()", ["(uint256,uint256,uint64,uint64,uint16,uint16,uint16,uint16)"]) == (
        (MIN_DEPOSIT, MIN_INITIAL, PERIOD, PERIOD, 3_340, 5_000, 3_340, 20),)
    assert net.ask("proposalCount()", ["uint256"]) == (0,)
    assert net.ask("activeProposals()", ["uint256[]"]) == ((),)
    assert net.ask("communityPool()", ["uint256"]) == (0,)
    assert net.ask("upgradePlan()", ["(string,uint256,string,uint256)"]) == (("", 0, "", 0),)
    for proposal_id in (0, 1, 2**256 - 1):
        assert net.proposal(proposal_id)[:2] == (0, 0)
        assert net.tally(proposal_id) == (0, 0, 0, 0, 0)
    assert net.ask("voteOf(uint256,address)", ["uint8"], 1, keys[0].address) == (0,)


# ---- submitting and depositing ------------------------------------------------------------------------

def test_a_submission_with_the_minimum_deposit_opens_the_vote_at_once(net, keys):
    before = net.chain.balance(keys[2].address)
    result = net.call(keys[2], SUBMIT_TEXT, "Hello", "Say hello", value=MIN_DEPOSIT)
    assert result.code == 0, result.log
    assert decode(["uint256"], result.data) == (1,)
    assert net.chain.balance(keys[2].address) == before - MIN_DEPOSIT - net.fee(result)
    assert net.chain.balance(GOV) == MIN_DEPOSIT
    proposal = net.proposal(1)
    assert proposal[:3] == (TEXT, VOTING, keys[2].address.lower())
    submitted = proposal[3]
    assert proposal[4:7] == (submitted + PERIOD, submitted + PERIOD, MIN_DEPOSIT)
    assert proposal[15:] == ("Hello", "Say hello", "", "", "")
    logs = net.logs(result)
    assert [log["topics"][0] for log in logs] == [
        topic("ProposalSubmitted(uint256,address,uint8,string,string,uint256)"),
        topic("Deposited(uint256,address,uint256,uint256)"), topic("VotingStarted(uint256,uint256)")]
    assert decode_data(logs[1], ["uint256", "uint256"]) == (MIN_DEPOSIT, MIN_DEPOSIT)
    assert abci_event(result, "gov.proposal_submitted")["title"] == "Hello"
    assert abci_event(result, "gov.voting_started")["votingEnd"] == str(submitted + PERIOD)
    assert net.ask("activeProposals()", ["uint256[]"]) == ((1,),)
    assert net.ask("depositOf(uint256,address)", ["uint256"], 1, keys[2].address) == (MIN_DEPOSIT,)


def test_deposits_from_others_open_the_vote_when_they_reach_the_minimum(net, keys):
    proposal_id = net.submit(keys[2], deposit=MIN_INITIAL)
    assert net.status(proposal_id) == DEPOSIT
    net.ok(keys[3], DEPOSIT_CALL, proposal_id, value=MIN_DEPOSIT - MIN_INITIAL - 1)
    assert net.status(proposal_id) == DEPOSIT
    result = net.ok(keys[3], DEPOSIT_CALL, proposal_id, value=1)   # a depositor adds any amount
    assert abci_event(result, "gov.deposited")["total"] == str(MIN_DEPOSIT)
    assert net.status(proposal_id) == VOTING
    assert net.chain.balance(GOV) == MIN_DEPOSIT
    net.assert_supply()


def test_a_proposal_below_the_minimum_expires_and_its_deposits_are_burned(net, keys):
    proposal_id = net.submit(keys[2], deposit=MIN_INITIAL)
    net.ok(keys[3], DEPOSIT_CALL, proposal_id, value=MIN_DEPOSIT // 50)
    balances = [net.chain.balance(k.address) for k in keys[2:4]]
    burned, supply = net.burned(), net.chain.supply()
    net.wait(PERIOD)
    assert net.status(proposal_id) == EXPIRED
    assert net.proposal(proposal_id)[19] == "deposit below the minimum: burned"
    assert [net.chain.balance(k.address) for k in keys[2:4]] == balances
    assert net.burned() == burned + MIN_INITIAL + MIN_DEPOSIT // 50
    assert net.chain.supply() == supply - MIN_INITIAL - MIN_DEPOSIT // 50
    assert net.chain.balance(GOV) == 0
    ended = _ended(net)
    assert (ended["status"], ended["deposit"], ended["burned"]) == ("expired", str(MIN_INITIAL + MIN_DEPOSIT // 50),
                                                                   "true")
    assert net.ask("activeProposals()", ["uint256[]"]) == ((),)
    net.assert_supply()


# ---- voting and the tally -----------------------------------------------------------------------------

def test_validators_vote_for_their_delegators_unless_these_vote_themselves(net, keys):
    validator, delegator = keys[0], keys[3]
    _delegate(net, delegator, validator)
    proposal_id = net.submit(keys[2])
    net.vote(validator, proposal_id, YES)
    assert net.tally(proposal_id) == (150_000 * CMT, 0, 0, 0, 250_000 * CMT)
    result = net.ok(delegator, VOTE, proposal_id, NO)
    assert abci_event(result, "gov.voted") == {"proposalId": str(proposal_id), "voter": delegator.address.lower(),
                                               "option": str(NO)}
    assert net.tally(proposal_id) == (100_000 * CMT, 0, 50_000 * CMT, 0, 250_000 * CMT)
    net.vote(delegator, proposal_id, ABSTAIN)            # a second vote replaces the first
    assert net.tally(proposal_id) == (100_000 * CMT, 50_000 * CMT, 0, 0, 250_000 * CMT)
    assert net.ask("voteOf(uint256,address)", ["uint8"], proposal_id, delegator.address) == (ABSTAIN,)
    _delegate(net, delegator, keys[1], 10_000 * CMT)     # new stake of a voter follows its vote
    assert net.tally(proposal_id) == (100_000 * CMT, 60_000 * CMT, 0, 0, 260_000 * CMT)
    assert net.tally(proposal_id) == net.reference_tally(proposal_id)
    net.wait(PERIOD)
    assert net.status(proposal_id) == PASSED             # yes 100k of yes + no + veto 100k; 160k of 260k voted
    assert net.proposal(proposal_id)[10:15] == (100_000 * CMT, 60_000 * CMT, 0, 0, 260_000 * CMT)
    assert net.tally(proposal_id) == (100_000 * CMT, 60_000 * CMT, 0, 0, 260_000 * CMT)


def test_below_the_quorum_a_proposal_is_rejected_and_its_deposit_returned(net, keys):
    _delegate(net, keys[3], keys[0], 200_000 * CMT)      # bonded: 400k; validator 1 alone has 100k < 33.4%
    proposal_id = net.submit(keys[2])
    net.vote(keys[1], proposal_id, YES)
    before = net.chain.balance(keys[2].address)
    net.wait(PERIOD)
    assert net.status(proposal_id) == REJECTED
    assert net.proposal(proposal_id)[19] == "quorum not reached"
    assert net.chain.balance(keys[2].address) == before + MIN_DEPOSIT


def test_no_beyond_the_threshold_rejects(net, keys):
    proposal_id = net.submit(keys[2])
    net.vote(keys[0], proposal_id, YES)
    net.vote(keys[1], proposal_id, NO)                   # yes is exactly half: not above the threshold
    net.wait(PERIOD)
    assert (net.status(proposal_id), net.proposal(proposal_id)[19]) == (REJECTED, "threshold not reached")


def test_a_vetoed_proposal_burns_its_deposit(net, keys):
    proposal_id = net.submit(keys[2], deposit=MIN_DEPOSIT - 300 * CMT)
    net.ok(keys[3], DEPOSIT_CALL, proposal_id, value=300 * CMT)
    net.vote(keys[0], proposal_id, YES)
    net.vote(keys[1], proposal_id, VETO)
    burned, supply = net.burned(), net.chain.supply()
    balances = [net.chain.balance(k.address) for k in keys[2:4]]
    net.wait(PERIOD)
    assert net.status(proposal_id) == VETOED
    assert _ended(net)["burned"] == "true"
    assert net.burned() == burned + MIN_DEPOSIT
    assert net.chain.supply() == supply - MIN_DEPOSIT
    assert [net.chain.balance(k.address) for k in keys[2:4]] == balances
    assert net.chain.balance(GOV) == 0
    net.assert_supply()


# ---- what a passed proposal does ----------------------------------------------------------------------

def _pass(net, keys, signature: str, *args, deposit: int = MIN_DEPOSIT) -> int:
    proposal_id = net.submit(keys[2], signature, *args, deposit=deposit)
    net.vote(keys[0], proposal_id, YES)
    net.vote(keys[1], proposal_id, YES)
    net.wait(PERIOD)
    return proposal_id


def test_a_param_change_takes_effect_in_the_block_that_passes_it(net, keys):
    proposal_id = _pass(net, keys, SUBMIT_PARAM, "Bigger bond", "", "groups.group_bond_wei", 7 * CMT)
    assert net.status(proposal_id) == PASSED
    assert net.proposal(proposal_id)[:1] == (PARAM_CHANGE,)
    assert groups.state_view(net.chain.app.reader.state).params().group_bond_wei == 7 * CMT
    proposal_id = _pass(net, keys, SUBMIT_PARAM, "Fewer validators", "", "staking.max_validators", 1)
    assert staking.state_view(net.chain.app.reader.state).params().max_validators == 1
    assert len(net.validators()) == 1                    # the set follows in the same block
    proposal_id = _pass(net, keys, SUBMIT_PARAM, "Longer votes", "", "governance.voting_period_s", 500)
    assert governance.state_view(net.chain.app.reader.state).params().voting_period_s == 500


def test_a_param_change_no_longer_valid_when_it_passes_fails_and_changes_nothing(net, keys):
    first = net.submit(keys[2], SUBMIT_PARAM, "a", "", "governance.min_initial_deposit_wei", MIN_DEPOSIT)
    second = net.submit(keys[3], SUBMIT_PARAM, "b", "", "governance.min_deposit_wei", MIN_DEPOSIT - 1)
    for proposal_id in (first, second):
        net.vote(keys[0], proposal_id, YES)
        net.vote(keys[1], proposal_id, YES)
    before = net.chain.balance(keys[3].address)
    net.wait(PERIOD)
    params = governance.state_view(net.chain.app.reader.state).params()
    assert (params.min_initial_deposit_wei, params.min_deposit_wei) == (MIN_DEPOSIT, MIN_DEPOSIT)
    assert net.status(first) == PASSED and net.status(second) == FAILED
    assert net.proposal(second)[19].startswith("not applied: governance param min_initial_deposit_wei")
    assert net.chain.balance(keys[3].address) == before + MIN_DEPOSIT     # a failed proposal's deposit returns


def test_a_community_spend_pays_exactly_the_amount_from_the_pool(tmp_path, keys):
    net = GovChain.start(str(tmp_path / "db"), gov_state(keys, inflation_bps=800, community_pool_bps=2_500))
    net.keys = keys
    net.wait(60)
    (pool,) = net.ask("communityPool()", ["uint256"])
    assert pool > 0 and pool == net.chain.balance(GOV)
    recipient = "0x" + "ab" * 20
    proposal_id = _pass(net, keys, SUBMIT_SPEND, "Grant", "", recipient, pool)
    assert net.status(proposal_id) == PASSED
    assert net.chain.balance(recipient) == pool
    too_much = _pass(net, keys, SUBMIT_SPEND, "Greedy", "", recipient, 10**9 * CMT)
    assert net.status(too_much) == FAILED
    assert net.proposal(too_much)[19].startswith("not paid: the community pool holds")
    assert net.chain.balance(recipient) == pool
    net.assert_supply()
    net.chain.app.close()


def test_an_upgrade_is_scheduled_and_cancelled(net, keys):
    height = net.chain.app.height + 1_000
    proposal_id = _pass(net, keys, SUBMIT_UPGRADE, "v2", "", "v2", height, "binaries at ...")
    assert net.proposal(proposal_id)[:1] == (SOFTWARE_UPGRADE,)
    assert net.ask("upgradePlan()", ["(string,uint256,string,uint256)"]) == (("v2", height, "binaries at ...",
                                                                             proposal_id),)
    wrong = _pass(net, keys, SUBMIT_CANCEL, "no", "", "v3")
    assert net.status(wrong) == FAILED
    cancel = _pass(net, keys, SUBMIT_CANCEL, "stop v2", "", "v2")
    assert (net.status(cancel), net.proposal(cancel)[0]) == (PASSED, CANCEL_UPGRADE)
    assert net.ask("upgradePlan()", ["(string,uint256,string,uint256)"]) == (("", 0, "", 0),)


# ---- every revert --------------------------------------------------------------------------------------

def test_submissions_that_are_refused(net, keys):
    key = keys[2]
    net.revert(key, f"a proposal must bring at least {MIN_INITIAL} wei of deposit", SUBMIT_TEXT, "t", "d",
               value=MIN_INITIAL - 1)
    net.revert(key, "title must be 1 to 140 bytes", SUBMIT_TEXT, "", "d", value=MIN_INITIAL)
    net.revert(key, "title must be 1 to 140 bytes", SUBMIT_TEXT, "x" * 141, "d", value=MIN_INITIAL)
    net.revert(key, "description must be at most 10000 bytes", SUBMIT_TEXT, "t", "x" * 10_001, value=MIN_INITIAL)
    for param, value, reason in [
        ("nothing.x", 1, "unknown module 'nothing' (one of ads, arbitration, chain, coupons, economics, governance, "
                         "groups, identity, staking)"),
        ("staking", 1, "staking has no param ''"),
        ("staking.nope", 1, "staking has no param 'nope'"),
        ("staking.downtime_window", 5, "staking.downtime_window is fixed at genesis"),
        ("economics.supply_cap_wei", 5, "economics.supply_cap_wei is fixed at genesis"),
        ("staking.max_validators", 0, "max_validators and downtime_window must be at least 1"),
        ("staking.unbonding_seconds", 5, "staking.unbonding_seconds may only rise (it is 604800)"),
        ("staking.unbonding_seconds", 366 * 86400 + 1, "staking param unbonding_seconds must be at most 31622400 "
                                                       "(a year)"),
        ("staking.min_delegation_wei", CMT, "staking.min_delegation_wei may not be set below 1000000000000000000000"),
        ("economics.inflation_bps", 801, "economics.inflation_bps may only fall (it is 0)"),
        ("groups.identity_address", 5, "groups.identity_address is fixed at genesis"),
        ("staking.jail_seconds", 2**32, "staking param jail_seconds must be below 2**32 seconds"),
        ("chain.block_gas_limit", 20_999,
         "chain param block_gas_limit must be 21000 to 1000000000 (or 0: the genesis value)"),
        ("governance.quorum_bps", 10_001, "governance param quorum_bps must be 1 to 10000 bps"),
        ("staking.jail_seconds", 2**128, "a param value must be below 2**128"),
    ]:
        net.revert(key, reason, SUBMIT_PARAM, "t", "", param, value, value=MIN_INITIAL)
    net.revert(key, "recipient is the zero address", SUBMIT_SPEND, "t", "", "0x" + "00" * 20, 1, value=MIN_INITIAL)
    net.revert(key, "amount is zero", SUBMIT_SPEND, "t", "", "0x" + "ab" * 20, 0, value=MIN_INITIAL)
    height = net.chain.app.height
    plan_rule = "plan name must be 1 to 64 of a-z 0-9 . _ - (starting with a letter or digit)"
    net.revert(key, plan_rule, SUBMIT_UPGRADE, "t", "", "V2", height + 10, "", value=MIN_INITIAL)
    net.revert(key, plan_rule, SUBMIT_UPGRADE, "t", "", "../x", height + 10, "", value=MIN_INITIAL)
    net.revert(key, plan_rule, SUBMIT_CANCEL, "t", "", "", value=MIN_INITIAL)
    net.revert(key, "plan info must be at most 1024 bytes", SUBMIT_UPGRADE, "t", "", "v2", height + 10, "x" * 1025,
               value=MIN_INITIAL)
    net.revert(key, "upgrade height must be after this block", SUBMIT_UPGRADE, "t", "", "v2", height + 1, "",
               value=MIN_INITIAL)
    net.revert(key, "upgrade height must be below 2**63", SUBMIT_UPGRADE, "t", "", "v2", 2**63, "", value=MIN_INITIAL)


def test_at_most_max_active_proposals_are_open(tmp_path, keys):
    net = GovChain.start(str(tmp_path / "db"), gov_state(keys, {"max_active_proposals": 2}))
    net.keys = keys
    net.submit(keys[2], deposit=MIN_INITIAL)
    net.submit(keys[2])
    net.revert(keys[3], "2 proposals are already open: wait for one to end", SUBMIT_TEXT, "t", "", value=MIN_INITIAL)
    net.wait(PERIOD)
    net.submit(keys[3])
    net.chain.app.close()


def test_deposits_and_votes_that_are_refused(net, keys):
    net.revert(keys[3], "no such proposal", DEPOSIT_CALL, 1, value=1)
    net.revert(keys[0], "no such proposal", VOTE, 1, YES)
    waiting = net.submit(keys[2], deposit=MIN_INITIAL)
    net.revert(keys[3], "deposit is zero", DEPOSIT_CALL, waiting)
    net.revert(keys[0], "proposal is not in its voting period", VOTE, waiting, YES)
    voting = net.submit(keys[2])
    net.revert(keys[3], "proposal is not in its deposit period", DEPOSIT_CALL, voting, value=1)
    for option in (0, 5, 255):
        net.revert(keys[0], "option must be 1 (yes), 2 (abstain), 3 (no) or 4 (veto)", VOTE, voting, option)
    net.revert(keys[5], "nothing staked to vote with", VOTE, voting, YES)
    net.revert(keys[0], "vote does not accept CMT", VOTE, voting, YES, value=1)
    net.wait(PERIOD)
    net.revert(keys[0], "proposal is not in its voting period", VOTE, voting, YES)
    net.revert(keys[3], "proposal is not in its deposit period", DEPOSIT_CALL, waiting, value=1)


def test_at_most_fifty_accounts_deposit_on_a_proposal_each_bringing_a_fiftieth_of_the_minimum(tmp_path, keys):
    least = 200 * CMT
    net = GovChain.start(str(tmp_path / "db"), gov_state(keys, {"min_deposit_wei": str(50 * least + 49),
                                                                "min_initial_deposit_wei": str(least)}))
    net.keys = keys
    proposal_id = net.submit(keys[2], deposit=least)
    net.revert(keys[3], f"a first deposit must be at least {least} wei", DEPOSIT_CALL, proposal_id, value=least - 1)
    depositors = [dev_account(100 + i) for i in range(50)]
    funding = [transfer(keys[3], net.chain.account(keys[3].address)["nonce"] + i, d.address, 250 * CMT)
               for i, d in enumerate(depositors)]
    assert all(r.code == 0 for r in net.block(funding))
    deposits = [transfer(d, 0, GOV, least, gas=200_000, data=call_data(DEPOSIT_CALL, proposal_id)) for d in depositors]
    results = net.block(deposits)
    assert [r.code for r in results] == [0] * 49 + [32]
    assert results[-1].log.endswith("a proposal takes deposits from at most 50 accounts")
    net.ok(keys[2], DEPOSIT_CALL, proposal_id, value=49)      # one who deposited may add any amount
    assert net.status(proposal_id) == VOTING
    net.vote(keys[0], proposal_id, YES)
    net.vote(keys[1], proposal_id, YES)
    net.wait(PERIOD)
    assert net.status(proposal_id) == PASSED
    assert [net.chain.balance(d.address) for d in depositors] == [250 * CMT - net.fee(r) for r in results]
    assert net.chain.balance(GOV) == 0
    net.chain.app.close()
