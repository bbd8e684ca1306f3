"""One real single-validator chain with the gateway in front, shared by the gateway's e2e tests."""

import pytest
from web3 import Web3

from abci_app.cli.localnode import LocalNode
from abci_app.rpc.gateway import Gateway

from ..solvency import assert_solvent


@pytest.fixture(scope="package")
def node_gateway(tmp_path_factory):
    node = LocalNode.create(tmp_path_factory.mktemp("gateway") / "node")
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
def w3(node_gateway):
    return Web3(Web3.HTTPProvider(node_gateway.url, request_kwargs={"timeout": 30}))
