"""Editing CometBFT's config.toml by section, keeping everything else as written."""

import pytest

from abci_app.cli.cometbft import NodeConfig, set_option

TOML = """# top
proxy_app = "tcp://127.0.0.1:26658"
abci = "socket"

[rpc]
laddr = "tcp://127.0.0.1:26657"

[p2p]
laddr = "tcp://0.0.0.0:26656"
addr_book_strict = true
"""


def test_sets_a_key_only_in_its_section():
    text = set_option(TOML, "p2p", "laddr", "tcp://127.0.0.1:4000")
    assert 'laddr = "tcp://127.0.0.1:26657"' in text
    assert 'laddr = "tcp://127.0.0.1:4000"' in text
    assert set_option(text, "p2p", "addr_book_strict", False).endswith("addr_book_strict = false\n")
    assert set_option(TOML, None, "abci", "grpc").count('abci = "grpc"') == 1


def test_unknown_key_or_section_is_an_error():
    with pytest.raises(KeyError):
        set_option(TOML, "rpc", "nope", 1)
    with pytest.raises(KeyError):
        set_option(TOML, "consensus", "timeout_commit", "1s")


def test_proxy_app_address_per_transport():
    assert NodeConfig(abci_port=5).proxy_app == "tcp://127.0.0.1:5"
    assert NodeConfig(abci_port=5, abci="grpc").proxy_app == "127.0.0.1:5"
