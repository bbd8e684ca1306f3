import pytest

from abci_app.cli.wallet import dev_account

from .harness import ArbitrationChain, arbitration_state


@pytest.fixture(scope="session")
def keys():
    """Nine funded keys: 0 and 1 are staking validators (0 pays for views), 2 the buyer, 3 the
    seller, 4-8 arbiters."""
    return [dev_account(i) for i in range(9)]


@pytest.fixture
def net(tmp_path, keys):
    net = ArbitrationChain.start(str(tmp_path / "db"), arbitration_state(keys))
    net.keys = keys
    yield net
    net.chain.app.close()
