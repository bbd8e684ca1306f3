"""The precompiles answer only a CALL or STATICCALL addressed to them (issue 13).

Under DELEGATECALL py-evm runs a precompile with the calling contract's storage address, the
caller's caller as sender and an inherited value nobody paid; under CALLCODE the "received" value
is sent by the contract to itself. A contract that took 2,000 CMT and DELEGATECALLed delegate()
three times once held 6,000 CMT of stake and kept its 2,000. Here a hostile Solidity contract
(contracts/tests/CallKinds.sol) tries every payable call of every precompile both ways.
"""

import pytest
import rlp
from eth_abi import decode
from eth_hash.auto import keccak
from trie import HexaryTrie

from abci_app import staking
from abci_app.middleware import ads, arbitration, coupons, groups, identity
from abci_app.precompiles import encode_error
from abci_app.store import Overlay

from ..chain import CMT, GWEI, transfer
from ..staking.conftest import net, stakers  # noqa: F401  (fixtures: two genesis validators, funded keys)
from ..staking.harness import call_data

REFUSAL = encode_error("only CALL and STATICCALL reach this precompile, not DELEGATECALL or CALLCODE")
TIMES = 3
SELLER = "0x" + "5e" * 20


def _hex(address: bytes) -> str:
    return "0x" + address.hex()


def _payable_calls(net, stakers) -> dict[str, tuple[bytes, str, bytes, int]]:
    """name -> (precompile, signature, call data, value): each payable function once."""
    now = net.chain.time_s
    v0 = stakers[0].address
    return {
        "staking.delegate": (staking.ADDRESS, "delegate(address)", call_data("delegate(address)", v0), 2_000 * CMT),
        "coupons.createCampaign": (coupons.ADDRESS, "createCampaign", call_data(
            "createCampaign(address,uint256,uint32,int32,int32,uint32,uint64,uint64,address,string)",
            SELLER, 10 * GWEI, 3, 47_378_177, 8_540_192, 1_000, now, now + 1_000, "0x" + "00" * 20, "coffee"),
            30 * GWEI),
        "arbitration.joinPool": (arbitration.ADDRESS, "joinPool", call_data("joinPool()"), 10_000 * CMT),
        "arbitration.openOrder": (arbitration.ADDRESS, "openOrder", call_data(
            "openOrder(address,bytes32,uint64)", SELLER, b"\x01" * 32, now + 1_000), 5 * CMT),
        "arbitration.joinGroupPool": (arbitration.ADDRESS, "joinGroupPool", call_data("joinGroupPool(uint256)", 1),
                                      10_000 * CMT),
        "arbitration.openGroupOrder": (arbitration.ADDRESS, "openGroupOrder", call_data(
            "openGroupOrder(address,bytes32,uint64,uint256)", SELLER, b"\x01" * 32, now + 1_000, 1), 5 * CMT),
        "ads.createCampaign": (ads.ADDRESS, "createCampaign", call_data(
            "createCampaign(uint256,uint32,uint256,uint64,string)", 1, 0, GWEI, now + 1_000, "hello"), 10 * GWEI),
        "identity.registerAttester": (identity.ADDRESS, "registerAttester", call_data("registerAttester()"),
                                      100 * CMT),
        "groups.createGroup": (groups.ADDRESS, "createGroup", call_data(
            "createGroup(string,string,uint8,address,uint256,address,bytes32)", "g", "", 0, "0x" + "00" * 20, 0,
            "0x" + "00" * 20, b"\0" * 32), 1_000 * CMT),
    }


CALLS = ["staking.delegate", "coupons.createCampaign", "arbitration.joinPool", "arbitration.openOrder",
         "ads.createCampaign", "identity.registerAttester", "groups.createGroup"]
# payable calls that need a group (a member, a member seller): refused under DELEGATECALL and
# CALLCODE before any of that is asked, so they are tried there only
GROUP_CALLS = ["arbitration.joinGroupPool", "arbitration.openGroupOrder"]


def _records(net, precompile: bytes) -> tuple:
    """A precompile's balance and records. A middleware module keeps them all in its storage, so
    its storage root stands for them; staking's storage changes at every block's end (uptime,
    minting), so its candidates, validators and supply stand for them."""
    if precompile == staking.ADDRESS:
        return net.snapshot()
    app = net.chain.app
    account = HexaryTrie(Overlay(app.store), app.state_root)[keccak(precompile)]
    return net.chain.balance(_hex(precompile)), rlp.decode(account)[2]


def _through(net, key, contract: str, signature: str, *args, value: int = 0) -> tuple[bool, bytes]:
    """Call the hostile contract; it never reverts, and returns what its last attempt got."""
    nonce = net.chain.account(key.address)["nonce"]
    raw = transfer(key, nonce, contract, value, gas=3_000_000, data=call_data(signature, *args))
    (result,) = net.block([raw])
    assert result.code == 0, result.log
    return decode(["bool", "bytes"], result.data)


@pytest.mark.parametrize("call", CALLS)
def test_a_plain_call_through_a_contract_pays_and_acts_for_the_contract(net, stakers, call):
    """The control: the same call data by CALL works, paid by the contract, in its own name."""
    precompile, _, data, value = _payable_calls(net, stakers)[call]
    contract = net.deploy(stakers[3], "CallKinds")
    before = net.chain.balance(_hex(precompile))
    ok, output = _through(net, stakers[3], contract, "viaCall(address,bytes,uint256,uint256)",
                          _hex(precompile), data, value, 1, value=value)
    assert ok, output
    assert net.chain.balance(_hex(precompile)) == before + value
    assert net.chain.balance(contract) == 0


@pytest.mark.parametrize("kind", ["viaDelegateCall(address,bytes,uint256)", "viaCallCode(address,bytes,uint256,uint256)"])
@pytest.mark.parametrize("call", CALLS + GROUP_CALLS)
def test_delegatecall_and_callcode_get_nothing_unpaid(net, stakers, call, kind):
    """The contract receives `value` once and reaches the precompile three times: every attempt
    is refused, the precompile's balance and records stay as they were, the contract keeps what
    it was sent, and neither it nor its caller holds any stake."""
    precompile, _, data, value = _payable_calls(net, stakers)[call]
    contract = net.deploy(stakers[3], "CallKinds")
    args = (_hex(precompile), data, TIMES) if kind.startswith("viaDelegateCall") else (_hex(precompile), data, value, TIMES)
    before = _records(net, precompile)
    ok, output = _through(net, stakers[3], contract, kind, *args, value=value)
    assert not ok and output == REFUSAL
    assert _records(net, precompile) == before
    assert net.chain.balance(contract) == value
    for holder in (contract, stakers[3].address):
        assert net.query(f"/delegations/{holder}")["delegations"] == []


@pytest.mark.parametrize("kind", ["viaDelegateCall(address,bytes,uint256)", "viaCallCode(address,bytes,uint256,uint256)"])
def test_a_contract_cannot_act_as_its_caller(net, stakers, kind):
    """Under DELEGATECALL the precompile would see the user who called the contract as sender:
    a contract the user trusted with nothing could undelegate the user's stake."""
    v0 = stakers[0].address
    assert net.send(stakers[3], "delegate(address)", v0, value=2_000 * CMT).code == 0
    contract = net.deploy(stakers[3], "CallKinds")
    data = call_data("undelegate(address,uint256)", v0, 2_000 * CMT)
    args = (_hex(staking.ADDRESS), data, 1) if kind.startswith("viaDelegateCall") else (_hex(staking.ADDRESS), data, 0, 1)
    before = _records(net, staking.ADDRESS)
    ok, output = _through(net, stakers[3], contract, kind, *args)
    assert not ok and output == REFUSAL
    assert _records(net, staking.ADDRESS) == before
    held = net.query(f"/delegations/{stakers[3].address}")
    assert [d["tokens"] for d in held["delegations"]] == [str(2_000 * CMT)] and held["unbondings"] == []


def test_a_static_call_still_reads(net, stakers):
    contract = net.deploy(stakers[3], "CallKinds")
    ok, output = _through(net, stakers[3], contract, "viaStaticCall(address,bytes)", _hex(staking.ADDRESS),
                          call_data("candidates()"))
    assert ok
    assert sorted(decode(["address[]"], output)[0]) == sorted(k.address.lower() for k in stakers[:2])
