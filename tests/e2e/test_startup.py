"""Start-up order: the app may start after cometbft (cometbft retries until it can connect), over
either transport. The app-first order is what every other end-to-end test does."""

import pytest

from abci_app.cli.localnode import LocalNode, wait_until

from ..solvency import assert_solvent

pytestmark = pytest.mark.e2e

# What cometbft logs while it waits for an app that is not listening yet.
WAITING_FOR_APP = {"socket": "failed to connect", "grpc": "Waiting for echo"}


@pytest.mark.parametrize("abci", ["socket", "grpc"])
def test_app_started_after_cometbft(tmp_path, abci):
    node = LocalNode.create(tmp_path / "node", abci=abci)
    try:
        node.start_cometbft()
        wait_until(lambda: WAITING_FOR_APP[abci] in node.log_text("cometbft"), 30, "cometbft to wait for the app")
        node.start_app()
        assert node.wait_height(3) >= 3
        assert_solvent(node.rpc)
    finally:
        node.stop()
