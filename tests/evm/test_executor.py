"""A block does not check a signature CheckTx already checked (issue 8): the sender recovered in
CheckTx is reused, and py-evm's apply does not validate the transaction a second time."""

import pytest
from eth_keys.datatypes import Signature

from abci_app.app.driver import InProcessChain
from abci_app.bench import workloads
from abci_app.cli.wallet import sign_tx


@pytest.mark.parametrize("fee_market", [True, False], ids=["eip1559", "legacy"])
def test_finalize_block_recovers_no_signature(tmp_path, monkeypatch, fee_market):
    workload = workloads.cmt(0, 1, tag="executor")
    chain = InProcessChain.start(str(tmp_path / "db"), workload.genesis())
    try:
        raw = sign_tx(workload.keys[0], 0, workloads.RECIPIENT, 5, chain_id=workloads.DEFAULT_EVM_CHAIN_ID,
                      fee_market=fee_market)
        recoveries = []
        recover = Signature.recover_public_key_from_msg
        monkeypatch.setattr(Signature, "recover_public_key_from_msg",
                            lambda self, message: recoveries.append(1) or recover(self, message))
        assert chain.check(raw).code == 0
        assert recoveries, "CheckTx recovers the sender"
        recoveries.clear()
        [result] = chain.block([raw])
        assert result.code == 0 and chain.balance(workloads.RECIPIENT) == 5
        assert recoveries == []
    finally:
        chain.app.close()
