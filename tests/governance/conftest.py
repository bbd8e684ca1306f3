import pytest

from abci_app.cli.wallet import dev_account

from .harness import GovChain, gov_state


@pytest.fixture(scope="session")
def keys():
    """Eight funded keys: 0 and 1 are staking validators (0 pays for views), 2-7 delegate and propose."""
    return [dev_account(i) for i in range(8)]


@pytest.fixture
def net(tmp_path, keys):
    net = GovChain.start(str(tmp_path / "db"), gov_state(keys))
    net.keys = keys
    yield net
    net.chain.app.close()
