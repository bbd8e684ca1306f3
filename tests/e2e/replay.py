"""Replay a real chain's blocks into a fresh application and compare app hashes at every height
(and check the supply and every module's solvency after each).

CometBFT puts the app hash after block H into the header of block H+1, so a fresh app fed the same
blocks must produce exactly those hashes.
"""

import base64
import calendar
import json
import time

from google.protobuf.timestamp_pb2 import Timestamp

from abci_app.abci import types
from abci_app.app import Application, solvency
from abci_app.rpc import CometRPC


def _timestamp(rfc3339: str) -> Timestamp:
    seconds = calendar.timegm(time.strptime(rfc3339[:19], "%Y-%m-%dT%H:%M:%S"))
    return Timestamp(seconds=seconds)


def _last_commit(rpc: CometRPC, block: dict) -> types.CommitInfo:
    """The commit of the previous block as FinalizeBlock receives it: every validator of that
    height with its power, and whether it signed. A block's `last_commit` lists the signatures in
    the order of that height's validator set (absent ones carry no address)."""
    height = int(block["header"]["height"]) - 1
    if height < 1:
        return types.CommitInfo()
    validators = rpc.call("validators", height=str(height), per_page="100")["validators"]
    votes = [
        types.VoteInfo(validator=types.Validator(address=bytes.fromhex(v["address"]), power=int(v["voting_power"])),
                       block_id_flag=sig["block_id_flag"])
        for v, sig in zip(validators, block["last_commit"]["signatures"], strict=True)
    ]
    return types.CommitInfo(round=int(block["last_commit"]["round"]), votes=votes)


def replay_and_compare(rpc: CometRPC, db_path: str, last_height: int) -> int:
    """Replay blocks 1..last_height-1 into a fresh app; assert each app hash; return how many."""
    genesis = rpc.call("genesis")["genesis"]
    app = Application(db_path)
    try:
        app.init_chain(types.RequestInitChain(
            chain_id=genesis["chain_id"], time=_timestamp(genesis["genesis_time"]),
            app_state_bytes=json.dumps(genesis["app_state"]).encode(), initial_height=1,
        ))
        compared = 0
        following = rpc.call("block", height="1")
        for height in range(1, last_height):
            current, following = following, rpc.call("block", height=str(height + 1))
            header = current["block"]["header"]
            result = app.finalize_block(types.RequestFinalizeBlock(
                txs=[base64.b64decode(tx) for tx in current["block"]["data"]["txs"] or []],
                height=height,
                time=_timestamp(header["time"]),
                hash=bytes.fromhex(current["block_id"]["hash"]),
                proposer_address=bytes.fromhex(header["proposer_address"]),
                decided_last_commit=_last_commit(rpc, current["block"]),
            ))
            app.commit(types.RequestCommit())
            expected = bytes.fromhex(following["block"]["header"]["app_hash"])
            assert result.app_hash == expected, f"app hash differs at height {height}"
            failures = solvency.check(app.reader).failures()
            assert not failures, f"height {height}: " + "; ".join(failures)
            compared += 1
        return compared
    finally:
        app.close()
