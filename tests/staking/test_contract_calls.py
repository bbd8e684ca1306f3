"""A Solidity contract calls the staking precompile through IStaking: delegation, a view, and a
state change attempted inside a static call (refused with a reason)."""

from eth_abi import decode

from abci_app.precompiles import encode_error
from abci_app.staking.params import WEI_PER_CMT

from ..chain import transfer
from .harness import SELF_STAKE, call_data

CMT = WEI_PER_CMT


def _call(net, key, to: str, data: bytes, value: int = 0):
    nonce = net.chain.account(key.address)["nonce"]
    (result,) = net.block([transfer(key, nonce, to, value, gas=1_000_000, data=data)])
    return result


def test_a_contract_delegates_and_reads_its_delegation(net, stakers):
    client = net.deploy(stakers[3], "StakingClient")
    v0 = stakers[0].address
    result = _call(net, stakers[3], client, call_data("delegateFor(address)", v0), value=2_000 * CMT)
    assert result.code == 0, result.log
    assert net.candidate(v0)["tokens"] == str(SELF_STAKE + 2_000 * CMT)
    delegations = net.query(f"/delegations/{client}")["delegations"]
    assert [d["tokens"] for d in delegations] == [str(2_000 * CMT)]
    result = _call(net, stakers[3], client, call_data("stakedWith(address)", v0))
    assert decode(["uint256"], result.data) == (2_000 * CMT,)


def test_a_state_change_inside_a_static_call_is_refused(net, stakers):
    client = net.deploy(stakers[3], "StakingClient")
    before = net.snapshot()
    result = _call(net, stakers[3], client, call_data("delegateStatically(address)", stakers[0].address))
    assert result.code == 0, result.log
    ok, returned = decode(["bool", "bytes"], result.data)
    assert not ok
    assert returned == encode_error("delegate changes state: not allowed in a static call")
    assert net.snapshot() == before


def test_a_failing_precompile_call_reverts_the_calling_contract(net, stakers):
    client = net.deploy(stakers[3], "StakingClient")
    result = _call(net, stakers[3], client, call_data("delegateFor(address)", stakers[5].address), value=2_000 * CMT)
    assert result.code == 32 and result.log == "execution reverted: not a candidate"
