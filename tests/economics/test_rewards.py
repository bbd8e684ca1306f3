"""Rewards to the wei, computed by hand: one validator with 10% commission, two delegators, 100
blocks with one fee-paying transfer each; then the same with inflation on."""

import pytest
from eth_hash.auto import keccak

from abci_app import staking
from abci_app.cli.wallet import dev_account
from abci_app.economics import YEAR_SECONDS

from ..chain import CMT, GWEI, transfer
from ..staking.harness import StakingChain, pubkey_of, staking_state

FEE_PER_TRANSFER = 21_000 * 2 * GWEI  # 1 gwei base fee + 1 gwei tip, all to the reward pool
V0 = staking.consensus_address(pubkey_of("v0"))


@pytest.fixture
def keys():
    return [dev_account(i) for i in range(4)]  # v0; delegators d1, d2; a customer paying fees


def _setup(tmp_path, keys, inflation_bps: int) -> StakingChain:
    net = StakingChain.start(str(tmp_path / "db"), staking_state(keys, validators=1, inflation_bps=inflation_bps))
    assert net.send(keys[1], "delegate(address)", keys[0].address, value=50_000 * CMT).code == 0
    assert net.send(keys[2], "delegate(address)", keys[0].address, value=150_000 * CMT).code == 0
    net.block(votes=[(V0, True)])  # pays out what the set-up blocks left in the pool
    return net


def _pending(net, keys) -> dict:
    v0 = keys[0].address
    return {
        "commission": net.query(f"/rewards/{v0}")["commission"],
        **{name: net.query(f"/rewards/{k.address}")["total"] for name, k in zip(("self", "d1", "d2"), keys[:3])},
    }


def _transfers(net, keys, blocks: int, seconds: int = 1) -> None:
    customer = keys[3]
    for _ in range(blocks):
        nonce = net.chain.account(customer.address)["nonce"]
        (result,) = net.block([transfer(customer, nonce, "0x" + "ab" * 20, 1)], seconds=seconds, votes=[(V0, True)])
        assert result.code == 0


def test_fees_only_one_validator_two_delegators_100_blocks(tmp_path, keys):
    net = _setup(tmp_path, keys, inflation_bps=0)
    before = {k: int(v) for k, v in _pending(net, keys).items()}
    _transfers(net, keys, 100)
    after = {k: int(v) for k, v in _pending(net, keys).items()}
    # per block: 42,000 gwei; commission 10% = 4,200 gwei; 37,800 gwei over 300,000 CMT of shares:
    # self 100,000 (1/3) = 12,600 gwei, d1 50,000 (1/6) = 6,300 gwei, d2 150,000 (1/2) = 18,900 gwei
    assert after["commission"] - before["commission"] == 100 * 4_200 * GWEI
    assert after["self"] - before["self"] == 100 * 12_600 * GWEI
    assert after["d1"] - before["d1"] == 100 * 6_300 * GWEI
    assert after["d2"] - before["d2"] == 100 * 18_900 * GWEI
    assert net.chain.balance("0x" + staking.REWARD_POOL.hex()) == 0  # nothing left over: exact split
    net.assert_supply()

    d1 = keys[1]
    balance = net.chain.balance(d1.address)
    result = net.send(d1, "withdrawRewards(address)", keys[0].address, votes=[(V0, True)])
    assert result.code == 0, result.log
    gas_cost = result.gas_used * 2 * GWEI
    # the withdrawal block's own fee is distributed too, after the payout: d1 gets its 1/6 of 90%
    assert net.chain.balance(d1.address) == balance + after["d1"] - gas_cost
    assert int(net.query(f"/rewards/{d1.address}")["total"]) == gas_cost * 9 // 10 // 6
    commission = net.chain.balance(keys[0].address)
    result = net.send(keys[0], "withdrawCommission()", votes=[(V0, True)])
    assert result.code == 0
    expected = after["commission"] + gas_cost // 10  # plus the commission on the withdrawRewards fee
    assert net.chain.balance(keys[0].address) == commission + expected - result.gas_used * 2 * GWEI
    net.assert_supply()


def test_with_inflation_the_pool_also_pays_the_mint(tmp_path, keys):
    net = _setup(tmp_path, keys, inflation_bps=800)
    supply = net.query("/supply")
    before = {k: int(v) for k, v in _pending(net, keys).items()}
    minted_before = int(supply["minted"])
    _transfers(net, keys, 100, seconds=5)
    minted = int(net.query("/supply")["minted"]) - minted_before
    annual = int(supply["annual_provision"])
    elapsed = net.query("/supply")["year_elapsed_s"]
    # by hand: the mint owed after `elapsed` seconds, minus what was owed 500 s earlier
    assert minted == annual * elapsed // YEAR_SECONDS - annual * (elapsed - 500) // YEAR_SECONDS
    after = {k: int(v) for k, v in _pending(net, keys).items()}
    distributed = sum(after[k] - before[k] for k in after)
    # everything that came in (fees + mint) went out, less at most a few wei of rounding dust
    assert 0 <= 100 * FEE_PER_TRANSFER + minted - distributed <= 100 * 3
    net.assert_supply()
    assert int(net.query("/supply")["total"]) == net.chain.supply()


def test_rewards_are_settled_when_a_delegation_changes(tmp_path, keys):
    net = _setup(tmp_path, keys, inflation_bps=0)
    start = int(net.query(f"/rewards/{keys[1].address}")["total"])
    _transfers(net, keys, 10)
    pending = int(net.query(f"/rewards/{keys[1].address}")["total"])
    assert pending - start == 10 * 6_300 * GWEI
    balance = net.chain.balance(keys[1].address)
    result = net.send(keys[1], "delegate(address)", keys[0].address, value=10_000 * CMT)
    assert result.code == 0
    # the old pending is paid at once (and logged); the new shares earn from now on
    assert net.chain.balance(keys[1].address) == balance + pending - 10_000 * CMT - result.gas_used * 2 * GWEI
    assert net.query(f"/rewards/{keys[1].address}")["total"] == "0"
    (event,) = [e for e in result.events if e.type == "eth"]
    receipt = net.query("/tx/" + {a.key: a.value for a in event.attributes}["hash"])
    withdrawn = [log for log in receipt["logs"] if log["topics"][0] == "0x" + keccak(
        b"RewardsWithdrawn(address,address,uint256)").hex()]
    assert [int(log["data"], 16) for log in withdrawn] == [pending]
