import pytest

from abci_app.cli.wallet import dev_account

from .harness import IdentityChain, identity_state


@pytest.fixture(scope="session")
def keys():
    """Six funded keys: 0 and 1 are staking validators (and pay for views), 2-3 attesters,
    4-5 subjects."""
    return [dev_account(i) for i in range(6)]


@pytest.fixture
def net(tmp_path, keys):
    net = IdentityChain.start(str(tmp_path / "db"), identity_state(keys))
    net.keys = keys
    yield net
    net.chain.app.close()
