"""The work governance does without gas paying for it (the end of every block, the share-change
hook a vote leaves behind) does not grow with what proposals say: long descriptions cost their
submitter storage gas once, and are never read again but by views and the end of their vote."""

from abci_app.precompiles import storage

from ..chain import CMT
from .harness import GOV, MIN_DEPOSIT, SUBMIT_TEXT, YES, GovChain, gov_state


def _reads(net: GovChain, monkeypatch, step) -> int:
    """Storage words read while `step` runs."""
    count = [0]
    word = storage.Storage.word

    def counted(self, slot):
        count[0] += 1
        return word(self, slot)

    with monkeypatch.context() as patch:
        patch.setattr(storage.Storage, "word", counted)
        step()
    return count[0]


def _work(tmp_path, keys, monkeypatch, description: str) -> tuple[int, int]:
    """Reads of an empty block and of a delegation by a voter, with five such proposals open."""
    net = GovChain.start(str(tmp_path / f"db{len(description)}"), gov_state(keys))
    net.keys = keys
    try:
        net.send(keys[3], "delegate(address)", keys[0].address, value=1_000 * CMT)
        for proposal_id in range(1, 6):
            result = net.send(keys[2], SUBMIT_TEXT, "t", description, value=MIN_DEPOSIT, gas=8_000_000, to=GOV)
            assert result.code == 0, result.log
            net.vote(keys[3], proposal_id, YES)
        empty_block = _reads(net, monkeypatch, lambda: net.wait(1))
        delegation = _reads(net, monkeypatch, lambda: net.send(keys[3], "delegate(address)", keys[0].address,
                                                                 value=1_000 * CMT))
        return empty_block, delegation
    finally:
        net.chain.app.close()


def test_open_proposals_cost_blocks_and_voters_the_same_whatever_they_say(tmp_path, keys, monkeypatch):
    assert _work(tmp_path, keys, monkeypatch, "") == _work(tmp_path, keys, monkeypatch, "x" * 10_000)
