"""A flood of max-gas `eth_call`s against a real node, and CometBFT's own view of how long the
app takes to answer FinalizeBlock and Commit (issue 14: queries never stall consensus)."""

import json
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager

LOOP_INITCODE = "0x5b5f56"  # JUMPDEST PUSH0 JUMP as a deployment: runs until the gas is gone
CALL_TIMEOUT_S = 30
TIMING = "cometbft_abci_connection_method_timing_seconds"


def eth_call_loop(url: str, gas: int = 10**9) -> dict:
    """One `eth_call` of the loop with far more gas than any node allows (it gets the cap)."""
    body = {"jsonrpc": "2.0", "id": 1, "method": "eth_call",
            "params": [{"data": LOOP_INITCODE, "gas": hex(gas)}, "latest"]}
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=CALL_TIMEOUT_S) as response:
        return json.loads(response.read())


@contextmanager
def flood(url: str, clients: int = 4):
    """`clients` threads calling `eth_call_loop` back to back; yields the list of their answers
    (JSON-RPC errors and failures to connect included). On leaving, the clients stop asking and
    are waited for (their last calls answered, each bounded by CALL_TIMEOUT_S)."""
    stop = threading.Event()
    answers: list = []

    def client():
        while not stop.is_set():
            try:
                answers.append(eth_call_loop(url))
            except (OSError, urllib.error.URLError, ValueError) as exc:
                answers.append(exc)
                stop.wait(0.1)

    threads = [threading.Thread(target=client, daemon=True, name=f"flood-{i}") for i in range(clients)]
    for thread in threads:
        thread.start()
    try:
        yield answers
    finally:
        stop.set()
        deadline = time.monotonic() + CALL_TIMEOUT_S
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))


def _scrape(port: int) -> dict[str, float]:
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    samples = {}
    for line in text.splitlines():
        if line.startswith(TIMING):
            name, _, number = line.rpartition(" ")
            samples[name] = float(number)
    return samples


def wait_metrics(port: int, timeout_s: float = 30) -> None:
    """Until CometBFT's Prometheus endpoint answers with its ABCI timings."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if _scrape(port):
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"CometBFT's metrics on port {port} did not answer within {timeout_s} s")
        time.sleep(0.2)


def _method(samples: dict[str, float], method: str) -> tuple[float, float]:
    """(count, sum of seconds) of one consensus-connection method."""
    def value(suffix: str) -> float:
        return next((v for name, v in samples.items()
                     if name.startswith(f"{TIMING}_{suffix}{{") and f'method="{method}"' in name), 0.0)
    return value("count"), value("sum")


def block_latencies(metrics_port: int, seconds: float, interval_s: float = 0.05) -> list[float]:
    """FinalizeBlock + Commit seconds of each block CometBFT finished within `seconds`, as CometBFT
    timed them (its ABCI client: queueing in the app included). Sampled every `interval_s`; a
    block is counted when exactly one FinalizeBlock and one Commit ended since the last commit seen."""
    latencies: list[float] = []
    last = None
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        samples = _scrape(metrics_port)
        now = (*_method(samples, "finalize_block"), *_method(samples, "commit"))
        if last is None or now[2] != last[2]:
            if last is not None and now[0] - last[0] == 1 and now[2] - last[2] == 1:
                latencies.append((now[1] - last[1]) + (now[3] - last[3]))
            last = now
        time.sleep(interval_s)
    return latencies
