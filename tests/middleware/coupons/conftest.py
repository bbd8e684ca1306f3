import pytest

from abci_app.cli.wallet import dev_account
from tests.staking.harness import StakingChain, staking_state

from .harness import CouponsNet


@pytest.fixture(scope="session")
def keys():
    """Six funded keys: 0 sponsor, 1 merchant, 2-4 users, 5 a reader of views."""
    return [dev_account(i) for i in range(6)]


def start(tmp_path, keys, params: dict | None = None) -> CouponsNet:
    state = staking_state(keys)
    if params is not None:
        state["coupons"] = params
    return CouponsNet(StakingChain.start(str(tmp_path / "db"), state))


@pytest.fixture
def net(tmp_path, keys):
    net = start(tmp_path, keys)
    yield net
    net.chain.app.close()
