"""The fee oracle the app keeps for wallets (app/fee_oracle.py): geth's suggestion, the 60th
percentile of each of the last 20 blocks' 3 lowest tips, answered with the next base fee by one
`/fees` query. It answered 0 always, so a wallet that followed it waited behind every tipped tx
(issue 14's attack run); then the gateway read 20 blocks per suggestion (issue 19)."""

import json

from abci_app.app import fee_oracle
from abci_app.store import keys

from ..chain import GWEI, transfer

RECIPIENT = "0x" + "0e" * 20


def _ring(blocks: dict[int, list[int]]) -> dict[bytes, bytes]:
    return dict(fee_oracle.record(height, tips) for height, tips in blocks.items())


def test_the_suggestion_is_the_60th_percentile_of_each_blocks_three_lowest_tips():
    assert fee_oracle.suggested_tip({}, 10) == 0                                           # no txs: 0
    assert fee_oracle.suggested_tip(_ring({10: [5, 1, 9, 100]}), 10) == 5                  # 1, 5, 9: the 60th is 5
    assert fee_oracle.suggested_tip(_ring({9: [2 * GWEI] * 4, 10: [GWEI] * 4}), 10) == 2 * GWEI   # full blocks
    assert json.loads(_ring({10: [5, 1, 9, 100]})[keys.recent_tips_key(10)]) == [10, [1, 5, 9]]


def test_only_the_last_20_blocks_count():
    ring = _ring({5: [1], 24: [7, 8, 9]})          # 5 and 25 share a slot of the ring of 20
    assert fee_oracle.suggested_tip(ring, 24) == 7     # blocks 5..24: 1, 7, 8, 9
    assert fee_oracle.suggested_tip(ring, 25) == 8     # block 5 is 21 blocks back now: 7, 8, 9
    ring |= _ring({25: [3]})                       # block 25 takes block 5's slot
    assert fee_oracle.suggested_tip(ring, 25) == 7     # 3, 7, 8, 9
    assert fee_oracle.suggested_tip(ring, 24) == 8     # block 25 is not yet at 24: 7, 8, 9


def test_fees_answers_the_next_base_fee_and_the_tips_paid(chain, keys):
    chain.block([])
    assert json.loads(chain.query("/fees").value) == {"height": 1, "base_fee_wei": str(GWEI), "suggested_tip_wei": "0"}
    tipped = [transfer(keys[0], 0, RECIPIENT, 1, gas_price=3 * GWEI, fee_market=False),    # legacy: tip 2 gwei
              transfer(keys[1], 0, RECIPIENT, 1, gas_price=4 * GWEI, fee_market=False)]    # 3 gwei
    assert [r.code for r in chain.block(tipped)] == [0, 0]
    fees = json.loads(chain.query("/fees").value)
    assert fees["height"] == 2 and fees["suggested_tip_wei"] == str(2 * GWEI)   # of 2 and 3 gwei: the 60th is 2
