"""CheckTx's view of accounts: the committed state plus what this node's mempool already holds.

A sender may queue consecutive nonces; each accepted transaction advances the expected nonce and
reserves its maximum cost. The view is rebuilt from the committed state after every Commit, and
CometBFT's recheck re-admits what is still valid (DESIGN.md §2).
"""

from collections.abc import Callable

from ..evm import DecodedTx, check_account

ReadAccount = Callable[[bytes], tuple[int, int]]


class MempoolView:
    def __init__(self, read_account: ReadAccount) -> None:
        self._read_account = read_account
        self._expected: dict[bytes, tuple[int, int]] = {}

    def admit(self, dtx: DecodedTx) -> None:
        """Check the nonce and funds against the view and reserve them; raise a TxRejected kind."""
        nonce, balance_wei = self._expected.get(dtx.sender) or self._read_account(dtx.sender)
        check_account(dtx, nonce, balance_wei)
        self._expected[dtx.sender] = (nonce + 1, balance_wei - dtx.max_cost_wei)

    def pending_nonce(self, sender: bytes) -> int | None:
        expected = self._expected.get(sender)
        return None if expected is None else expected[0]
