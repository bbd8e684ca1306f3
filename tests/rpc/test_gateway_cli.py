"""`miles start` serves the gateway (8545 unless told); `miles app` only when given a port."""

import json
import signal
import subprocess
import sys
import urllib.request

import pytest

from abci_app.cli.localnode import free_port, wait_until
from abci_app.cli.main import build_parser
from abci_app.cli.node import GATEWAY_PORT, start_gateway
from abci_app.cli import cometbft


def test_gateway_options():
    parser = build_parser()
    start = parser.parse_args(["start"])
    assert start.gateway_port == GATEWAY_PORT == 8545 and start.no_gateway is False
    assert parser.parse_args(["start", "--gateway-port", "9545"]).gateway_port == 9545
    assert parser.parse_args(["start", "--no-gateway"]).no_gateway is True
    assert parser.parse_args(["app"]).gateway_port is None  # operators opt in
    assert parser.parse_args(["app", "--gateway-port", "9545"]).gateway_port == 9545
    assert (start.logs_max_blocks, start.logs_max_results) == (10_000, 10_000)
    assert parser.parse_args(["app", "--logs-max-blocks", "500"]).logs_max_blocks == 500
    for bad in ("0", "10001", "x"):
        with pytest.raises(SystemExit):
            parser.parse_args(["start", "--logs-max-results", bad])
    assert start.cors == "" and parser.parse_args(["app", "--cors", "https://a.example,https://b.example"]).cors == \
        "https://a.example,https://b.example"


def test_a_taken_port_warns_and_runs_on():
    config = cometbft.NodeConfig(rpc_port=free_port())
    first = start_gateway(config, free_port())
    try:
        assert start_gateway(config, first.port) is None
        assert start_gateway(config, None) is None
    finally:
        first.stop()


def rpc(url: str, method: str, params=None):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def miles(*args: str) -> list[str]:
    return [sys.executable, "-m", "abci_app.cli.main", *args]


@pytest.mark.e2e
def test_miles_start_serves_the_gateway(tmp_path):
    home = str(tmp_path / "home")
    init = subprocess.run(miles("--home", home, "init", "--rpc-port", str(free_port()), "--p2p-port",
                                str(free_port()), "--abci-port", str(free_port())), capture_output=True, timeout=60)
    assert init.returncode == 0, init.stderr
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    start = subprocess.Popen(miles("--home", home, "start", "--gateway-port", str(port)),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        def height():
            assert start.poll() is None, start.stdout.read()
            try:
                answer = rpc(url, "eth_blockNumber")
            except OSError:
                return 0
            return int(answer.get("result", "0x0"), 16)  # an error: the gateway is up before cometbft's RPC

        wait_until(lambda: height() >= 1, 60, "the gateway to report a block", interval_s=0.2)
        assert rpc(url, "eth_chainId")["result"] == hex(1818)
        start.send_signal(signal.SIGINT)
        assert start.wait(30) == 0
        with pytest.raises(OSError):
            rpc(url, "eth_chainId")
    finally:
        if start.poll() is None:
            start.kill()
            start.wait(10)
