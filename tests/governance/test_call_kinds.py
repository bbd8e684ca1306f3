"""Contracts take part like wallets: a contract submits, delegates and votes by CALL and its
deposit comes back to it; STATICCALL reads but cannot write; DELEGATECALL and CALLCODE are
refused and take nothing."""

from eth_abi import decode

from abci_app import staking

from ..chain import CMT
from ..staking.harness import call_data
from .harness import GOV, MIN_DEPOSIT, PERIOD, PROPOSAL_ABI, SUBMIT_TEXT, VOTE, YES

STAKING = "0x" + staking.ADDRESS.hex()


def _via(net, key, contract: str, kind: str, target: str, data: bytes, value: int = 0) -> tuple[bool, bytes]:
    """What the CallKinds contract got back from `target` by `kind` (call, delegate, code)."""
    if kind == "call":
        result = net.send(key, "viaCall(address,bytes,uint256,uint256)", target, data, value, 1, value=value,
                          to=contract)
    elif kind == "delegate":
        result = net.send(key, "viaDelegateCall(address,bytes,uint256)", target, data, 1, value=value, to=contract)
    else:
        result = net.send(key, "viaCallCode(address,bytes,uint256,uint256)", target, data, value, 1, value=value,
                          to=contract)
    assert result.code == 0, result.log
    return decode(["bool", "bytes"], result.data)


def test_a_contract_proposes_delegates_votes_and_gets_its_deposit_back(net, keys):
    contract = net.deploy(keys[3], "CallKinds")
    ok, output = _via(net, keys[3], contract, "call", GOV, call_data(SUBMIT_TEXT, "from a contract", ""), MIN_DEPOSIT)
    assert ok
    (proposal_id,) = decode(["uint256"], output)
    assert net.proposal(proposal_id)[2] == contract.lower()
    ok, _ = _via(net, keys[3], contract, "call", STAKING, call_data("delegate(address)", keys[0].address),
                 300_000 * CMT)
    assert ok
    ok, _ = _via(net, keys[3], contract, "call", GOV, call_data(VOTE, proposal_id, YES))
    assert ok
    assert net.tally(proposal_id) == (300_000 * CMT, 0, 0, 0, 500_000 * CMT) == net.reference_tally(proposal_id)
    net.wait(PERIOD)
    assert net.status(proposal_id) == 3
    assert net.chain.balance(contract) == MIN_DEPOSIT
    asked = net.send(keys[3], "viaStaticCall(address,bytes)", GOV, call_data("proposal(uint256)", proposal_id),
                     to=contract)
    ok, output = decode(["bool", "bytes"], asked.data)
    assert ok and decode(PROPOSAL_ABI, output)[0][15] == "from a contract"


def test_staticcall_cannot_vote_and_delegatecall_or_callcode_reach_nothing(net, keys):
    proposal_id = net.submit(keys[2])
    contract = net.deploy(keys[3], "CallKinds")
    before = net.snapshot(), net.chain.balance(GOV)
    asked = net.send(keys[3], "viaStaticCall(address,bytes)", GOV, call_data(VOTE, proposal_id, YES), to=contract)
    ok, output = decode(["bool", "bytes"], asked.data)
    assert not ok and b"vote changes state: not allowed in a static call" in output
    for kind in ("delegate", "code"):
        ok, output = _via(net, keys[3], contract, kind, GOV, call_data(SUBMIT_TEXT, "t", ""), MIN_DEPOSIT)
        assert not ok and b"only CALL and STATICCALL reach this precompile" in output
        ok, output = _via(net, keys[3], contract, kind, GOV, call_data(VOTE, proposal_id, YES))
        assert not ok
    assert (net.snapshot(), net.chain.balance(GOV)) == before
    assert net.chain.balance(contract) == 2 * MIN_DEPOSIT      # what it was sent stayed with it
    assert net.ask("voteOf(uint256,address)", ["uint8"], proposal_id, contract) == (0,)
