"""Double signing fed the way CometBFT feeds it: a DUPLICATE_VOTE misbehavior in a FinalizeBlock
request, uvarint-framed over the ABCI socket to the real Application on a real store."""

import json

import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from abci_app import staking
from abci_app.abci import types
from abci_app.app import Application
from abci_app.server import SocketServer
from abci_app.server.client import WireClient
from abci_app.staking.params import WEI_PER_CMT

from ..server.loop_thread import LoopThread
from .harness import SELF_STAKE, pubkey_of, staking_state

TIMEOUT_S = 5
GENESIS_TIME_S = 1_700_000_000


class Connection(WireClient):
    """One ABCI connection as CometBFT opens it."""

    def __init__(self, port: int) -> None:
        super().__init__(port, TIMEOUT_S)

    def ask(self, **request) -> types.Response:
        """One request (and a Flush); the app must not answer with an exception."""
        response = self.call(types.Request(**request))
        assert response.WhichOneof("value") != "exception", response.exception.error
        return response


@pytest.fixture
def served(tmp_path):
    """A fresh Application behind a SocketServer on a free port of 127.0.0.1."""
    app = Application(str(tmp_path / "db"))
    loop = LoopThread()
    server = SocketServer(app, "127.0.0.1", 0)
    loop.run(server.start())
    try:
        yield server
    finally:
        loop.run(server.stop())
        loop.close()
        app.close()


@pytest.fixture
def connect(served):
    clients = []

    def open_client() -> Connection:
        clients.append(Connection(served.port))
        return clients[-1]

    yield open_client
    for client in clients:
        client.close()


def test_double_sign_over_the_abci_socket_slashes_jails_and_removes_the_validator(connect, stakers):
    consensus, query = connect(), connect()  # CometBFT's consensus and query connections
    v0, v1 = stakers[0].address, stakers[1].address
    cap = 2 * SELF_STAKE // WEI_PER_CMT * 1_200 // 10_000

    assert query.ask(info=types.RequestInfo(version="0.38.25")).info.last_block_height == 0
    init = consensus.ask(init_chain=types.RequestInitChain(
        chain_id="double-sign", initial_height=1, time=Timestamp(seconds=GENESIS_TIME_S),
        app_state_bytes=json.dumps(staking_state(stakers)).encode(),
    )).init_chain
    assert {(u.pub_key.ed25519, u.power) for u in init.validators} == {(pubkey_of("v0"), cap), (pubkey_of("v1"), cap)}

    evidence = types.Misbehavior(
        type=types.MisbehaviorType.DUPLICATE_VOTE,
        validator=types.Validator(address=staking.consensus_address(pubkey_of("v0")), power=cap),
        height=1, time=Timestamp(seconds=GENESIS_TIME_S + 1), total_voting_power=2 * cap,
    )
    block = consensus.ask(finalize_block=types.RequestFinalizeBlock(
        height=1, time=Timestamp(seconds=GENESIS_TIME_S + 1), hash=b"\x11" * 32, proposer_address=b"\x01" * 20,
        misbehavior=[evidence],
    )).finalize_block
    consensus.ask(commit=types.RequestCommit())

    # v0 leaves the set (power 0 for its key); v1, alone, is re-capped at 12% of its own power
    assert {(u.pub_key.ed25519, u.power) for u in block.validator_updates} == {
        (pubkey_of("v0"), 0), (pubkey_of("v1"), SELF_STAKE // WEI_PER_CMT * 1_200 // 10_000)}
    (slash,) = [{a.key: a.value for a in e.attributes} for e in block.events if e.type == "stake.slash"]
    burned = SELF_STAKE * 500 // 10_000
    assert slash["operator"] == v0.lower() and slash["reason"] == "double_sign" and slash["burned"] == str(burned)

    answer = query.ask(query=types.RequestQuery(path=f"/candidate/{v0}")).query
    assert answer.code == 0 and answer.height == 1, answer.log
    candidate = json.loads(answer.value)
    assert candidate["jailed"] and candidate["jailed_until"] == "forever"
    assert int(candidate["tokens"]) == SELF_STAKE - burned  # 5% fewer
    assert candidate["power"] == 0
    validators = json.loads(query.ask(query=types.RequestQuery(path="/validators")).query.value)["validators"]
    assert [v["operator"] for v in validators] == [v1.lower()]
    solvency = json.loads(query.ask(query=types.RequestQuery(path="/solvency")).query.value)
    assert solvency["solvent"] and solvency["supply"]["burned"] == str(burned)  # the slash left the balance
