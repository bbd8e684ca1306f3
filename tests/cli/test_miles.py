"""The `miles` command as a user runs it: init, start, tx send, query account, Ctrl-C."""

import json
import os
import signal
import subprocess
import sys

import pytest

from abci_app.cli.localnode import free_port, wait_until
from abci_app.rpc import CometRPC, RpcError

RECIPIENT = "0x" + "9a" * 20


def miles(*args: str, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "abci_app.cli.main", *args], capture_output=True,
                          text=True, timeout=timeout, env=env)


def test_init_and_start_without_cometbft_say_how_to_install_it(tmp_path):
    missing = {**os.environ, "COMETBFT_BIN": str(tmp_path / "no-such-binary")}
    home = str(tmp_path / "home")
    refused_init = miles("--home", home, "init", env=missing)
    assert miles("--home", home, "init").returncode == 0
    refused_start = miles("--home", home, "start", env=missing)
    for result in (refused_init, refused_start):
        assert result.returncode == 1
        assert "cometbft v0.38.25 not found" in result.stderr and "scripts/install_cometbft.sh" in result.stderr


def test_tx_and_query_against_an_unreachable_node_fail_cleanly(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    result = miles("--node", url, "query", "account", RECIPIENT)
    assert result.returncode == 1 and "cannot reach CometBFT" in result.stderr
    result = miles("--node", url, "tx", "send", "--to", RECIPIENT, "--value", "0.1")
    assert result.returncode == 1 and "cannot reach CometBFT" in result.stderr
    assert miles("tx", "send", "--to", "nope", "--value", "1").returncode == 2
    assert miles("tx", "send", "--to", RECIPIENT, "--value", "1e-19").returncode == 2


@pytest.mark.e2e
def test_init_start_send_query_and_ctrl_c(tmp_path):
    home = str(tmp_path / "home")
    rpc_port = free_port()
    init = miles("--home", home, "init", "--rpc-port", str(rpc_port), "--p2p-port", str(free_port()),
                 "--abci-port", str(free_port()))
    assert init.returncode == 0, init.stderr
    assert "dev account 0: 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266" in init.stdout
    assert miles("--home", home, "init").returncode == 1  # refuses to overwrite

    node_url = f"http://127.0.0.1:{rpc_port}"
    start = subprocess.Popen([sys.executable, "-m", "abci_app.cli.main", "--home", home, "start"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        rpc = CometRPC(node_url, timeout_s=2)

        def height():
            try:
                return rpc.height()
            except RpcError:
                assert start.poll() is None, start.stdout.read()
                return 0

        wait_until(lambda: height() >= 1, 60, "the devnet to make a block")
        sent = miles("--node", node_url, "tx", "send", "--to", RECIPIENT, "--value", "1.5")
        assert sent.returncode == 0, sent.stderr
        assert "sent 1.5 CMT" in sent.stdout

        def balance():
            result = miles("--node", node_url, "query", "account", RECIPIENT)
            return result.returncode == 0 and json.loads(result.stdout)["balance"] == str(15 * 10**17)

        wait_until(balance, 60, "the transfer to be committed", interval_s=0.3)
        start.send_signal(signal.SIGINT)
        assert start.wait(30) == 0
        with pytest.raises(RpcError):
            CometRPC(node_url, timeout_s=2).height()
    finally:
        if start.poll() is None:
            start.kill()
            start.wait(10)
