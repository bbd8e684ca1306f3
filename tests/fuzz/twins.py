"""Two application instances driven in lockstep through every ABCI call a block takes.

Each block: CheckTx of every drawn tx on both, PrepareProposal on the first, ProcessProposal of
that proposal (and of a crafted one) on both, FinalizeBlock and Commit on both, then the supply
and every module's solvency on both (the driver's check). Anything that escapes an ABCI call, an
internal-error code, a node-fault stop (`on_fatal`), a refused honest proposal, or any
disagreement between the twins (codes, results, app hashes) fails the run with what differed.
"""

from dataclasses import dataclass, field

from abci_app.abci import types
from abci_app.app import codes
from abci_app.app.driver import InProcessChain

ACCEPT = types.ResponseProcessProposal.ProposalStatus.ACCEPT
MAX_TX_BYTES = 1 << 20   # what CometBFT would offer PrepareProposal (its block size limit)


class Escaped(AssertionError):
    """Something the chain must never do happened: the message says what, where."""


@dataclass
class Tally:
    txs: int = 0
    blocks: int = 0
    checked_ok: int = 0
    executed_ok: int = 0
    failed_in_evm: int = 0
    refused: dict[int, int] = field(default_factory=dict)  # code -> CheckTx refusals


class Twins:
    """Two chains from one genesis in two databases."""

    def __init__(self, base: str, app_state: dict, tally: Tally | None = None) -> None:
        self.chains = [InProcessChain.start(f"{base}/twin{i}", app_state) for i in range(2)]
        self.faults: list[tuple[int, int]] = []
        for i, chain in enumerate(self.chains):
            chain.app.on_fatal = lambda code, i=i: self.faults.append((i, code))
        self.tally = tally or Tally()

    @property
    def first(self) -> InProcessChain:
        return self.chains[0]

    def close(self) -> None:
        for chain in self.chains:
            chain.app.close()

    def _both(self, what: str, call):
        """`call(chain)` on both; an exception or a node-fault stop is an escape."""
        answers = []
        for i, chain in enumerate(self.chains):
            try:
                answers.append(call(chain))
            except Exception as exc:
                raise Escaped(f"{what} raised on twin {i} at height {chain.height + 1}: "
                              f"{type(exc).__name__}: {exc}") from exc
            if self.faults:
                raise Escaped(f"{what} stopped twin {self.faults[0][0]} with exit code {self.faults[0][1]}")
        return answers

    def check(self, raws: list[bytes]) -> list[bytes]:
        """CheckTx on both; the txs both admitted, in order."""
        admitted = []
        for raw in raws:
            a, b = self._both("CheckTx", lambda chain: chain.check(raw))
            if (a.code, a.log) != (b.code, b.log) or a.code == codes.INTERNAL:
                raise Escaped(f"CheckTx of 0x{raw[:64].hex()}: {a.code} {a.log!r} vs {b.code} {b.log!r}")
            self.tally.txs += 1
            if a.code == codes.OK:
                self.tally.checked_ok += 1
                admitted.append(raw)
            else:
                self.tally.refused[a.code] = self.tally.refused.get(a.code, 0) + 1
        return admitted

    def propose(self, mempool: list[bytes], crafted: list[bytes], seconds: int,
                run_crafted: bool = False) -> list[types.ExecTxResult]:
        """PrepareProposal from `mempool` on both (the same answer); both must accept that proposal
        and agree on `crafted` (a proposer's own list); then the prepared block runs on both, or
        the crafted one (FinalizeBlock must take even what ProcessProposal refuses)."""
        height = self.first.height + 1
        prepared = self._both("PrepareProposal", lambda chain: chain.app.prepare_proposal(
            types.RequestPrepareProposal(txs=mempool, max_tx_bytes=MAX_TX_BYTES, height=height)))
        txs = list(prepared[0].txs)
        if list(prepared[1].txs) != txs:
            raise Escaped(f"PrepareProposal differs at height {height}")
        for proposal, must_accept in ((txs, True), (crafted, False)):
            a, b = self._both("ProcessProposal", lambda chain: chain.app.process_proposal(
                types.RequestProcessProposal(txs=proposal, height=height)).status)
            if a != b or (must_accept and a != ACCEPT):
                raise Escaped(f"ProcessProposal at height {height}: {a} vs {b} (honest: {must_accept})")
        return self.run_block(crafted if run_crafted else txs, seconds)

    def run_block(self, txs: list[bytes], seconds: int) -> list[types.ExecTxResult]:
        """FinalizeBlock and Commit on both (then each driver's solvency check); they must agree."""
        results = self._both("FinalizeBlock/Commit", lambda chain: chain.block(txs, seconds=seconds))
        height = self.first.height
        ours, theirs = (chain.app_hashes[-1] for chain in self.chains)
        if ours != theirs:
            raise Escaped(f"app hashes differ at height {height}: {ours.hex()} vs {theirs.hex()}")
        for index, (a, b) in enumerate(zip(*results)):
            if a.SerializeToString(deterministic=True) != b.SerializeToString(deterministic=True):
                raise Escaped(f"results differ at height {height}, tx {index}: {a} vs {b}")
            if a.code == codes.INTERNAL:
                raise Escaped(f"internal error at height {height}, tx {index}: {a.log}")
            self.tally.executed_ok += a.code == codes.OK
            self.tally.failed_in_evm += a.code == codes.EXECUTION_FAILED
        self.tally.blocks += 1
        return results[0]
