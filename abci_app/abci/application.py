"""The ABCI 2.0 application interface the servers call, with defaults that keep CometBFT running.

One synchronous method per ABCI call, named like the call in snake_case; each takes the
`RequestX` message and returns the `ResponseX` message. The servers never call two methods at
once, so an application needs no locks. Flush is the transport's business and has no method.

Query is the one call the servers await (`query_async`): an application may answer it elsewhere
(another process) while the other connections, consensus among them, go on. The default
answers at once with `query`.

The defaults make an empty chain that accepts everything. They never answer an UNKNOWN (0)
status where CometBFT treats it as an error: ProcessProposal and VerifyVoteExtension would
panic the node, and the snapshot calls would abort state sync with an error.
"""

from . import types

TX_FIELD_TAG_BYTES = 1


def _uvarint_size(n: int) -> int:
    return max(1, (n.bit_length() + 6) // 7)


def tx_wire_size(tx: bytes) -> int:
    """Bytes one tx counts against `max_tx_bytes`: CometBFT measures it as a protobuf field
    (tag + length + body), not as its raw length, and rejects the proposal if the sum exceeds."""
    return TX_FIELD_TAG_BYTES + _uvarint_size(len(tx)) + len(tx)


class Application:
    """Base class: override the calls the application cares about."""

    def echo(self, req: types.RequestEcho) -> types.ResponseEcho:
        return types.ResponseEcho(message=req.message)

    def info(self, req: types.RequestInfo) -> types.ResponseInfo:
        """Height 0 and no app hash: CometBFT replays every stored block through the app."""
        return types.ResponseInfo()

    def init_chain(self, req: types.RequestInitChain) -> types.ResponseInitChain:
        """Empty: keep the genesis validators and consensus params."""
        return types.ResponseInitChain()

    def query(self, req: types.RequestQuery) -> types.ResponseQuery:
        return types.ResponseQuery()

    async def query_async(self, req: types.RequestQuery) -> types.ResponseQuery:
        """What the servers await for a Query: `query`'s answer unless the application answers
        it elsewhere. Only the awaiting is concurrent: no other method runs while this one runs
        on the event loop."""
        return self.query(req)

    def check_tx(self, req: types.RequestCheckTx) -> types.ResponseCheckTx:
        return types.ResponseCheckTx()

    def commit(self, req: types.RequestCommit) -> types.ResponseCommit:
        return types.ResponseCommit()

    def list_snapshots(self, req: types.RequestListSnapshots) -> types.ResponseListSnapshots:
        return types.ResponseListSnapshots()

    def offer_snapshot(self, req: types.RequestOfferSnapshot) -> types.ResponseOfferSnapshot:
        """No state sync: turn every snapshot down so CometBFT tries the next one."""
        return types.ResponseOfferSnapshot(result=types.ResponseOfferSnapshot.REJECT)

    def load_snapshot_chunk(self, req: types.RequestLoadSnapshotChunk) -> types.ResponseLoadSnapshotChunk:
        return types.ResponseLoadSnapshotChunk()

    def apply_snapshot_chunk(self, req: types.RequestApplySnapshotChunk) -> types.ResponseApplySnapshotChunk:
        """Unreachable while offer_snapshot rejects everything; abort restoration if it happens."""
        return types.ResponseApplySnapshotChunk(result=types.ResponseApplySnapshotChunk.ABORT)

    def prepare_proposal(self, req: types.RequestPrepareProposal) -> types.ResponsePrepareProposal:
        """The mempool's txs in order, stopping before the first one that would exceed the limit."""
        chosen, size = [], 0
        for tx in req.txs:
            size += tx_wire_size(tx)
            if size > req.max_tx_bytes:
                break
            chosen.append(tx)
        return types.ResponsePrepareProposal(txs=chosen)

    def process_proposal(self, req: types.RequestProcessProposal) -> types.ResponseProcessProposal:
        return types.ResponseProcessProposal(status=types.ResponseProcessProposal.ACCEPT)

    def extend_vote(self, req: types.RequestExtendVote) -> types.ResponseExtendVote:
        return types.ResponseExtendVote()

    def verify_vote_extension(self, req: types.RequestVerifyVoteExtension) -> types.ResponseVerifyVoteExtension:
        return types.ResponseVerifyVoteExtension(status=types.ResponseVerifyVoteExtension.ACCEPT)

    def finalize_block(self, req: types.RequestFinalizeBlock) -> types.ResponseFinalizeBlock:
        """One OK result per tx: CometBFT requires exactly as many results as txs."""
        return types.ResponseFinalizeBlock(tx_results=[types.ExecTxResult() for _ in req.txs])
