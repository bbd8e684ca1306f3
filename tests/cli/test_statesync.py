"""Before CometBFT starts, its stores are reset only if it state-syncs and the app's state is a
restore no block has been committed on (cli/statesync.py; the e2e test is in test_state_sync)."""

import pytest

from abci_app.app.pruning import restored_marker
from abci_app.cli.cometbft import NodeConfig, find_cometbft, init_home, set_option
from abci_app.cli.statesync import redo_unconfirmed_state_sync
from abci_app.store import Store, keys


@pytest.fixture
def cometbft_home(tmp_path):
    home = tmp_path / "cometbft"
    init_home(find_cometbft(), home, NodeConfig())
    (home / "data" / "state.db").mkdir()          # stands for the state CometBFT recorded
    _configure(home, rpc_servers="http://127.0.0.1:1,http://127.0.0.1:2", trust_height=1, trust_hash="AB" * 32)
    return home


def _configure(home, **statesync) -> None:
    config = home / "config" / "config.toml"
    text = config.read_text()
    for key, value in statesync.items():
        text = set_option(text, "statesync", key, value)
    config.write_text(text)


def _app_db(path, committed: int, restored: int | None):
    store = Store(str(path))
    store.write({keys.META_HEIGHT: committed.to_bytes(8, "big")})
    if restored is not None:
        store.write({keys.META_RESTORED_AT: restored_marker(restored, b"\x01" * 32)})
    store.close()
    return path


@pytest.mark.parametrize("state_sync, committed, restored, reset", [
    (True, 10, 10, True),       # an unconfirmed restore
    (True, 11, 10, False),      # a block committed on it: CometBFT has recorded it
    (True, 5, None, False),     # never restored
    (False, 10, 10, False),     # CometBFT does not state-sync: it would start from genesis
])
def test_cometbft_state_is_reset_only_under_an_unconfirmed_restore(tmp_path, cometbft_home, state_sync, committed,
                                                                     restored, reset):
    _configure(cometbft_home, enable=state_sync)
    app_db = _app_db(tmp_path / "app.db", committed, restored)
    assert redo_unconfirmed_state_sync(find_cometbft(), cometbft_home, app_db) == reset
    assert (cometbft_home / "data" / "state.db").exists() != reset
    assert (cometbft_home / "data" / "priv_validator_state.json").exists()
    assert (cometbft_home / "config" / "node_key.json").exists()


def test_no_app_database_no_reset(tmp_path, cometbft_home):
    _configure(cometbft_home, enable=True)
    assert not redo_unconfirmed_state_sync(find_cometbft(), cometbft_home, tmp_path / "missing")
