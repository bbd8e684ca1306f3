"""Transactions that once halted or killed every node (issue 13): each is refused with a code in
CheckTx, ProcessProposal and FinalizeBlock, and the block around it goes on."""

import subprocess
import sys
import textwrap

from eth_hash.auto import keccak

from abci_app.abci import types
from abci_app.evm import DecodedTx
from abci_app.evm.fork import TX_BUILDER
from abci_app.evm.tx import MAX_RLP_DEPTH

from ..chain import Chain, app_state, transfer
from .test_bad_txs import RECIPIENT, nested_rlp

ACCEPT = types.ResponseProcessProposal.ProposalStatus.ACCEPT
REJECT = types.ResponseProcessProposal.ProposalStatus.REJECT


def _process(chain: Chain, txs: list[bytes]) -> int:
    return chain.app.process_proposal(types.RequestProcessProposal(txs=txs, height=chain.height + 1)).status


def test_oversized_initcode_is_refused_and_the_block_goes_on(chain, keys):
    """49,153 bytes of initcode (one over EIP-3860) with 3M gas: py-evm raises OutOfGas outside
    any computation when it applies it, which once stopped every validator for good."""
    poison = transfer(keys[0], 0, "", 0, gas=3_000_000, data=b"\x60" * 49_153)
    honest = transfer(keys[1], 0, RECIPIENT, 7)
    check = chain.check(poison)
    assert check.code == 16 and "initcode" in check.log
    assert _process(chain, [honest, poison]) == REJECT
    assert _process(chain, [honest]) == ACCEPT
    poisoned, ok = chain.block([poison, honest])
    assert poisoned.code == 16 and ok.code == 0
    assert chain.balance(RECIPIENT) == 7
    assert chain.account(keys[0].address)["nonce"] == 0  # refused: no nonce, no fee


def test_an_evm_refusal_at_apply_time_fails_the_tx_not_the_block(tmp_path, keys):
    """The second line of defence: if a rule py-evm enforces at apply time were ever missed by
    decode_tx, its VMError or ValidationError fails that tx with a code; the block goes on and
    ends where a block without it ends."""
    chain = Chain.start(str(tmp_path / "db"), app_state(keys))
    twin = Chain.start(str(tmp_path / "twin"), app_state(keys))
    try:
        poison = transfer(keys[0], 0, "", 0, gas=3_000_000, data=b"\x60" * 49_153)
        tx = TX_BUILDER.decode(poison)
        undecoded = DecodedTx(hash=keccak(poison), raw=poison, tx=tx, sender=tx.sender)
        chain.app._txs.keep(undecoded)  # as if decode_tx had let it through
        honest = transfer(keys[1], 0, RECIPIENT, 7)
        poisoned, ok = chain.block([poison, honest])
        twin.block([honest])
        assert poisoned.code == 15 and "OutOfGas" in poisoned.log
        assert ok.code == 0
        assert chain.app_hashes[-1] == twin.app_hashes[-1]
    finally:
        chain.app.close()
        twin.app.close()


def test_deeply_nested_rlp_cannot_kill_the_process(tmp_path):
    """A ~100 KB tx nested 30,000 deep once crashed the app (native recursion in the RLP decoder:
    a segfault, no exception). A child process meets it in CheckTx, ProcessProposal and
    FinalizeBlock, as a plain and as a typed envelope, and must live to report the codes."""
    script = textwrap.dedent(f"""
        from abci_app.abci import types
        from tests.app.test_bad_txs import nested_rlp
        from tests.chain import Chain, app_state
        from abci_app.cli.wallet import dev_account
        chain = Chain.start({str(tmp_path / "db")!r}, app_state([dev_account(0)]))
        for poison in (nested_rlp(30_000), b"\\x02" + nested_rlp(30_000)):
            assert len(poison) < 128 * 1024
            check = chain.check(poison)
            status = chain.app.process_proposal(types.RequestProcessProposal(txs=[poison], height=1)).status
            (result,) = chain.block([poison])
            print("RESULT", check.code, status, result.code, check.log)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert len(lines) == 2
    for line in lines:
        check, status, result, log = line.split(" ", 4)[1:]
        assert (int(check), int(status), int(result)) == (2, REJECT, 2)
        assert f"deeper than {MAX_RLP_DEPTH}" in log
