"""The block gas limit and the fee market's minimum gas price change by proposal: from the block
after the one that passed it, CheckTx, proposals, execution and `/chain` use the new values."""

from abci_app import errors
from abci_app.abci import types
from abci_app.app import codes

from ..chain import GWEI, transfer
from .harness import SUBMIT_PARAM, YES, GovChain


def _pass(net: GovChain, param: str, value: int) -> None:
    proposal_id = net.submit(net.keys[2], SUBMIT_PARAM, "chain", "", param, value)
    net.vote(net.keys[0], proposal_id, YES)
    net.vote(net.keys[1], proposal_id, YES)
    net.wait()
    assert net.status(proposal_id) == 3, net.proposal(proposal_id)


def test_a_lower_block_gas_limit_holds_from_the_next_block(net, keys):
    assert net.query("/chain")["block_gas_limit"] == 60_000_000
    _pass(net, "chain.block_gas_limit", 1_500_000)
    assert net.query("/chain")["block_gas_limit"] == 1_500_000
    passed_at = net.chain.height
    net.wait()
    # each block's record keeps the limit it ran under (the gateway's gasLimit): old blocks their own
    assert [net.query(f"/block/{h}")["gas_limit"] for h in (passed_at, passed_at + 1)] == [60_000_000, 1_500_000]
    key = keys[5]
    nonce = net.chain.account(key.address)["nonce"]
    too_big = transfer(key, nonce, keys[6].address, 1, gas=1_500_001)
    assert net.chain.check(too_big).code == codes.code_for(errors.GasLimitTooHigh())
    fits = [transfer(key, nonce + i, keys[6].address, 1, gas=1_000_000) for i in range(2)]
    status = types.ResponseProcessProposal.ProposalStatus
    answer = net.chain.app.process_proposal(types.RequestProcessProposal(txs=fits, height=net.chain.height + 1))
    assert answer.status == status.REJECT            # 2,000,000 gas > the new limit
    proposal = net.chain.app.prepare_proposal(types.RequestPrepareProposal(txs=fits, max_tx_bytes=1 << 20))
    assert len(proposal.txs) == 1


def test_a_higher_minimum_gas_price_lifts_the_base_fee_and_refuses_cheaper_txs(net, keys):
    assert int(net.query("/chain")["min_gas_price_wei"]) == GWEI
    _pass(net, "chain.min_gas_price_wei", 3 * GWEI)
    chain = net.query("/chain")
    assert int(chain["min_gas_price_wei"]) == 3 * GWEI
    key = keys[5]
    nonce = net.chain.account(key.address)["nonce"]
    cheap = net.chain.check(transfer(key, nonce, keys[6].address, 1, gas_price=2 * GWEI, fee_market=False))
    assert cheap.code == codes.code_for(errors.GasPriceTooLow())
    assert int(net.query("/chain")["base_fee_wei"]) == 3 * GWEI    # the recorded base fee is below it
    (result,) = net.block([transfer(key, nonce, keys[6].address, 1, gas_price=3 * GWEI, fee_market=False)])
    assert result.code == 0 and net.fee(result) == 21_000 * 3 * GWEI
    net.assert_supply()     # the fee's split never burns a negative amount
