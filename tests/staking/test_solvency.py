"""What the staking precompile owes (staking.owed), to the wei: stake, unbondings, rewards and
commission, the reward dust that stays in the balance, and the commission it cannot see."""

from abci_app import staking
from abci_app.app.application import VM
from abci_app.evm.reader import StateReader
from abci_app.staking import keeper, rewards
from abci_app.store import Overlay

from ..chain import CMT, GWEI, transfer
from .harness import SELF_STAKE, STAKING, pubkey_of

V0 = staking.consensus_address(pubkey_of("v0"))
WEEK_S = 7 * 24 * 3600
FEE = 21_000 * 2 * GWEI   # one transfer: 1 gwei base fee + 1 gwei tip, all to the reward pool


def owed(net) -> dict[str, int]:
    return staking.owed(net.chain.app.reader.state)


def surplus(net) -> int:
    return net.chain.balance(STAKING) - sum(owed(net).values())


def canonical(key) -> bytes:
    return bytes.fromhex(key.address[2:])


def paid_blocks(net, payer, count: int) -> None:
    """`count` blocks with one transfer each, signed by v0 alone: the reward pool pays v0's pool."""
    for _ in range(count):
        nonce = net.chain.account(payer.address)["nonce"]
        (result,) = net.block([transfer(payer, nonce, "0x" + "ab" * 20)], votes=[(V0, True)])
        assert result.code == 0, result.log


def test_stake_and_unbondings_are_owed_exactly(net, stakers):
    v0, delegator = stakers[0].address, stakers[2]
    assert owed(net) == {"bonded": 2 * SELF_STAKE, "unbonding": 0, "rewards": 0, "commission": 0}
    assert net.send(delegator, "delegate(address)", v0, value=1_000 * CMT + 7).code == 0
    assert owed(net) == {"bonded": 2 * SELF_STAKE + 1_000 * CMT + 7, "unbonding": 0, "rewards": 0, "commission": 0}
    assert net.send(delegator, "undelegate(address,uint256)", v0, 400 * CMT).code == 0
    assert owed(net) == {"bonded": 2 * SELF_STAKE + 600 * CMT + 7, "unbonding": 400 * CMT, "rewards": 0,
                         "commission": 0}
    assert surplus(net) == 0  # nobody signed a block: no reward reached the pools, so no dust
    net.block(seconds=WEEK_S)  # the unbonding is paid
    assert owed(net)["unbonding"] == 0 and surplus(net) == 0


def test_rewards_and_commission_are_owed_as_the_queries_report_them(net, stakers):
    v0, v1, delegator = (k.address for k in stakers[:3])
    assert net.send(stakers[2], "delegate(address)", v0, value=1_000 * CMT + 7).code == 0  # odd shares
    paid_blocks(net, stakers[5], 3)
    figures = owed(net)
    assert figures["commission"] == int(net.query(f"/rewards/{v0}")["commission"]) > 0
    assert figures["rewards"] == sum(int(net.query(f"/rewards/{k}")["total"]) for k in (v0, v1, delegator)) > 0
    assert 0 <= surplus(net) <= 2  # under a wei per delegation of v0's pool (self-stake and one delegation)


def test_reward_dust_stays_in_the_balance_and_is_not_owed(net, stakers):
    """101 wei to v0 (10% commission), whose pool is three equal holdings: 10 wei commission and
    91 wei for the holdings, 30 each; the third of a wei each is not owed to anyone yet: 1 wei of dust."""
    net.block()
    app = net.chain.app
    state = StateReader(VM, Overlay(app.store), app.state_root, app.genesis.chain_id).state  # never committed
    st = staking.state_view(state, writable=True)
    v0, d2, d3 = (canonical(stakers[i]) for i in (0, 2, 3))
    for delegator in (d2, d3):  # as delegate() would: the stake moves into the precompile, then is bonded
        state.delta_balance(delegator, -SELF_STAKE)
        state.delta_balance(staking.ADDRESS, SELF_STAKE)
        keeper.bond(st, delegator, v0, SELF_STAKE)
    state.delta_balance(staking.REWARD_POOL, 101)
    rewards.distribute(st, [(v0, 1)])
    bonded = 4 * SELF_STAKE  # v0's pool of three, and v1
    assert staking.owed(state) == {"bonded": bonded, "unbonding": 0, "rewards": 90, "commission": 10}
    assert state.get_balance(staking.ADDRESS) == bonded + 101

    assert rewards.settle(st, d2, v0, st.shares(d2, v0)) == 30  # withdrawRewards: its third of a wei waits
    assert staking.owed(state)["rewards"] == 60
    keeper.unbond(st, d3, v0, SELF_STAKE)  # undelegate everything: paid 30, its third of a wei dropped
    keeper.start_unbonding(st, d3, v0, SELF_STAKE, height=2, now_s=0)
    assert staking.owed(state) == {"bonded": bonded - SELF_STAKE, "unbonding": SELF_STAKE, "rewards": 30,
                                   "commission": 10}
    assert state.get_balance(staking.ADDRESS) - sum(staking.owed(state).values()) == 1


def test_a_withdrawn_candidate_is_paid_its_commission(net, stakers):
    """owed() reaches commission through the candidate list, which a candidate leaves when it
    withdraws: so withdrawing pays the commission out, and nothing owed goes unlisted. v0's pool
    is its self-stake alone and every reward divides exactly: no surplus at any step."""
    paid_blocks(net, stakers[5], 2)
    commission = owed(net)["commission"]
    assert commission == 2 * FEE // 10 and surplus(net) == 0
    result = net.send(stakers[0], "withdrawCandidacy()")
    assert result.code == 0
    paid = [{a.key: a.value for a in e.attributes} for e in result.events if e.type == "stake.commission_withdrawn"]
    assert paid == [{"candidate": stakers[0].address.lower(), "amount": str(commission)}]
    assert owed(net)["commission"] == 0 and surplus(net) == 0
    net.expect_revert(stakers[0], "no commission to withdraw", "withdrawCommission()")
