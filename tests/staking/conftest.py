import pytest

from abci_app.cli.wallet import dev_account

from .harness import StakingChain, staking_state


@pytest.fixture(scope="session")
def stakers():
    """Six funded keys: 0 and 1 are genesis validators, the rest delegators or new candidates."""
    return [dev_account(i) for i in range(6)]


@pytest.fixture
def net(tmp_path, stakers):
    net = StakingChain.start(str(tmp_path / "db"), staking_state(stakers))
    yield net
    net.chain.app.close()
