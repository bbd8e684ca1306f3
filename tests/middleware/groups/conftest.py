import pytest

from abci_app.cli.wallet import dev_account

from .harness import GroupsChain, groups_state


@pytest.fixture(scope="session")
def keys():
    """Seven funded keys: 0 and 1 are staking validators (and pay for views), 2 owns groups,
    3-5 join them, 6 attests."""
    return [dev_account(i) for i in range(7)]


@pytest.fixture
def net(tmp_path, keys):
    net = GroupsChain.start(str(tmp_path / "db"), groups_state(keys))
    net.keys = keys
    yield net
    net.chain.app.close()
