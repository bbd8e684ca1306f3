"""Shared fixtures: well-known funded keys and an application on a RocksDB in tmp_path."""

import pytest
from eth_account import Account

from abci_app.cli.wallet import dev_account

from .chain import Chain, app_state


@pytest.fixture(scope="session")
def keys():
    """Four well-known dev accounts, funded by `app_state`."""
    return [dev_account(i) for i in range(4)]


@pytest.fixture
def stranger():
    """A key with no funds."""
    return Account.from_key(b"\x42" * 32)


@pytest.fixture
def chain(tmp_path, keys):
    chain = Chain.start(str(tmp_path / "db"), app_state(keys))
    yield chain
    chain.app.close()
