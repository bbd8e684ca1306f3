"""A chain run by a child process that the crash tests kill -9 at random points (not a test).

`python -m tests.app.crash_child DB BLOCKS KEEP_RECENT`: opens the store (InitChain if it is
empty), then commits blocks from its height + 1 to BLOCKS, each one the same whatever the
interruptions (senders, nonces, recipients and times are functions of the height), printing
`committed <height>` after each Commit and `app_hash <hex>` at the end, as CometBFT would drive
the app after a restart: the block after the committed height, again.
"""

import json
import sys

from eth_account import Account
from eth_hash.auto import keccak

from abci_app.abci import types
from abci_app.app import AppSettings, Application
from abci_app.app.driver import GENESIS_TIME_S, InProcessChain
from google.protobuf.timestamp_pb2 import Timestamp

from ..chain import app_state, transfer

SENDERS = [Account.from_key(keccak(b"crash-sender-%d" % i)) for i in range(20)]


def block_txs(height: int) -> list[bytes]:
    """Every sender once per block (nonce height - 1): to a new account, or to a sender."""
    txs = []
    for index, key in enumerate(SENDERS):
        to = "0x" + keccak(b"%d/%d" % (height, index))[:20].hex() if index % 2 else SENDERS[index - 1].address
        txs.append(transfer(key, height - 1, to, 1 + height))
    return txs


def main(db: str, blocks: int, keep_recent: int) -> None:
    app = Application(db, settings=AppSettings(keep_recent=keep_recent, snapshot_interval=0))
    if app.height == 0:
        app.init_chain(types.RequestInitChain(
            chain_id="miles-crash", app_state_bytes=json.dumps(app_state(SENDERS)).encode(), initial_height=1,
            time=Timestamp(seconds=GENESIS_TIME_S)))
    chain = InProcessChain(app, height=app.height, time_s=GENESIS_TIME_S + app.height, check_solvency=False)
    while chain.height < blocks:
        results = chain.block(block_txs(chain.height + 1))
        assert all(result.code == 0 for result in results), [result.log for result in results]
        print(f"committed {chain.height}", flush=True)
    print(f"app_hash {app.app_hash.hex()}", flush=True)
    app.close()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
