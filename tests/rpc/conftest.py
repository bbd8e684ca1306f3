"""Real single-validator chains with the gateway in front: one shared by the gateway's e2e tests,
and `gateway_on_new_chain` for a test module whose fee data must not see theirs."""

from contextlib import contextmanager

import pytest
from web3 import Web3

from abci_app.cli.localnode import LocalNode
from abci_app.rpc.gateway import Gateway

from ..solvency import assert_solvent


@contextmanager
def gateway_on_new_chain(path):
    """A new node under `path` with a gateway; its solvency checked at the end, every process stopped."""
    node = LocalNode.create(path)
    served = None
    try:
        node.start()
        served = Gateway(node.config.rpc_url, port=0).start()
        yield served
        assert_solvent(node.rpc)
    finally:
        if served is not None:
            served.stop()
        node.stop()


@pytest.fixture(scope="package")
def node_gateway(tmp_path_factory):
    with gateway_on_new_chain(tmp_path_factory.mktemp("gateway") / "node") as served:
        yield served


def web3_for(served) -> Web3:
    return Web3(Web3.HTTPProvider(served.url, request_kwargs={"timeout": 30}))


@pytest.fixture(scope="package")
def w3(node_gateway):
    return web3_for(node_gateway)
