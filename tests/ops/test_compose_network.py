"""The docker-compose network for real, brought up as the README says where Docker Hub cannot be
reached: `scripts/compose_local.sh up` (Docker from apt, dockerd, every image built here), then the
four validators sign blocks, a wallet's transfer through node 0's published Ethereum JSON-RPC shows
on every node, a fifth node joins as docs/operators.md says, killed containers come back and agree,
and `down -v` leaves nothing of the project behind.

Skipped, with the reason, only where no Docker engine can run (the script's exit status 3). The
host talks to 127.0.0.1 only: the other nodes are read from inside app0's container (`docker
exec`), by their service names on the compose network.
"""

import base64
import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from web3 import Web3

from abci_app.cli.localnet import EVM_CHAIN_ID
from abci_app.cli.localnode import wait_until
from abci_app.cli.wallet import dev_account, sign_tx
from abci_app.rpc import CometRPC, RpcError

from .guides import OPERATORS, README, ROOT, commands, node_file, section

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

SCRIPT = "scripts/compose_local.sh"
PROJECT = "miles"  # COMPOSE_PROJECT_NAME in .env
PROJECT_LABEL = f"label=com.docker.compose.project={PROJECT}"
VALIDATORS = 4
NEW_NODE = VALIDATORS  # node4, as in docs/operators.md
NO_ENGINE = 3  # the script's exit status when dockerd cannot start
FIRST_UP_TIMEOUT_S = 1500  # a clean machine: apt, debootstrap, pip wheel, two image builds
COMMAND_TIMEOUT_S = 300
CHAIN_TIMEOUT_S = 120
DOCKERD_STOP_TIMEOUT_S = 30
DOCKERD_PID_FILE = Path("/var/run/docker.pid")
RECIPIENT = "0x" + "c0" * 20
VALUE_WEI = 7 * 10**18
BLOCK_ID_FLAG_COMMIT = 2

# Runs in app0's container: GET each URL, print the JSON-RPC results in order (null if unreachable).
READER = """import json, sys, urllib.request
def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return json.load(answer).get("result")
    except Exception:
        return None
print(json.dumps([get(url) for url in sys.argv[1:]]))
"""


def docker_client() -> str:
    """The engine's own client, as the script uses: a newer one earlier on PATH may not fit it."""
    engine = shutil.which("dockerd")
    beside = Path(engine).with_name("docker") if engine else None
    return str(beside) if beside and beside.exists() else "docker"


def docker(*args: str, timeout: float = COMMAND_TIMEOUT_S) -> str:
    out = subprocess.run([docker_client(), *args], capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, f"docker {' '.join(args)}: {out.stderr}"
    return out.stdout


def engine_answers() -> bool:
    if shutil.which("dockerd") is None:
        return False
    return subprocess.run([docker_client(), "info"], capture_output=True, timeout=60).returncode == 0


def run_script(*args: str, env: dict | None = None, timeout: float = COMMAND_TIMEOUT_S) -> subprocess.CompletedProcess:
    """`scripts/compose_local.sh ARGS` from the checkout, as an operator types it (the project and
    its files are those of the checkout, whatever this shell exported)."""
    environ = {k: v for k, v in os.environ.items() if k not in ("COMPOSE_FILE", "COMPOSE_PROJECT_NAME")}
    return subprocess.run([str(ROOT / SCRIPT), *args], cwd=ROOT, env={**environ, **(env or {})},
                          capture_output=True, text=True, timeout=timeout)


LISTINGS = {"container": ["ps", "-a", "--format", "{{.Names}}"], "volume": ["volume", "ls", "--format", "{{.Name}}"],
            "network": ["network", "ls", "--format", "{{.Name}}"]}


def project_leftovers() -> list[str]:
    """Every container, volume and network of the project: by compose's label or by name."""
    found = []
    for kind, listing in LISTINGS.items():
        named = {name for name in docker(*listing).split() if name.startswith((f"{PROJECT}_", f"{PROJECT}-"))}
        labelled = set(docker(*listing, "--filter", PROJECT_LABEL).split())
        found += [f"{kind} {name}" for name in sorted(named | labelled)]
    return found


def stop_dockerd() -> None:
    """End the dockerd this test started (the one whose pid the engine wrote)."""
    pid = int(DOCKERD_PID_FILE.read_text())
    comm = Path(f"/proc/{pid}/comm")
    if not comm.exists() or comm.read_text().strip() != "dockerd":
        return
    os.kill(pid, signal.SIGTERM)
    try:
        wait_until(lambda: not comm.exists(), DOCKERD_STOP_TIMEOUT_S, "dockerd to exit", 0.2)
    except TimeoutError:
        os.kill(pid, signal.SIGKILL)


class Report:
    """How long each part took: printed in the test run's output, past pytest's capture."""

    def __init__(self, config) -> None:
        self.terminal = config.pluginmanager.get_plugin("terminalreporter")
        self.capture = config.pluginmanager.get_plugin("capturemanager")
        self.started = self.last = time.monotonic()

    def done(self, what: str) -> None:
        now = time.monotonic()
        if self.terminal is not None and self.capture is not None:
            with self.capture.global_and_fixture_disabled():
                self.terminal.write(f"\ncompose network: {what} in {now - self.last:.0f} s "
                                    f"({now - self.started:.0f} s in all)\n")
        self.last = now


class Network:
    """The running project: node i's CometBFT RPC read from inside app0 (node 0's also from the host)."""

    def __init__(self, node_file: Path, report: Report) -> None:
        self.env = {"COMPOSE_FILE": f"docker-compose.yml:{node_file}"}  # both files: node4 too
        self.report = report
        self.rpc0 = CometRPC("http://127.0.0.1:26657", timeout_s=5)
        self.nodes = list(range(VALIDATORS))
        self.reader: str | None = None

    def script(self, *args: str, timeout: float = COMMAND_TIMEOUT_S) -> str:
        out = run_script(*args, env=self.env, timeout=timeout)
        assert out.returncode == 0, f"{SCRIPT} {' '.join(args)}:\n{out.stdout}\n{out.stderr}"
        return out.stdout

    def container(self, service: str) -> str:
        return self.script("ps", "-q", service).strip()

    def read(self, path: str, nodes=None) -> list:
        """CometBFT RPC `path` (a GET with its query) on each node, in order; None where unreachable."""
        if self.reader is None:
            self.reader = self.container("app0")  # never killed here
        urls = [f"http://cometbft{i}:26657/{path}" for i in (self.nodes if nodes is None else nodes)]
        return json.loads(docker("exec", self.reader, "python", "-c", READER, *urls))

    def heights(self) -> list[int]:
        return [int(s["sync_info"]["latest_block_height"]) if s else 0 for s in self.read("status")]

    def wait_heights(self, height: int, what: str) -> None:
        wait_until(lambda: min(self.heights()) >= height, CHAIN_TIMEOUT_S, what, interval_s=1)

    def agree(self) -> int:
        """The highest height every node has; asserts they hold the same block and app hash there."""
        common = min(self.heights())
        blocks = self.read(f"block?height={common}")
        assert len({b["block_id"]["hash"] for b in blocks}) == 1, f"blocks differ at {common}: {blocks}"
        assert len({b["block"]["header"]["app_hash"] for b in blocks}) == 1, f"app hashes differ at {common}"
        return common

    def balances(self, address: str) -> list:
        path = "abci_query?path=" + urllib.parse.quote(json.dumps(f"/account/{address}"))
        return [json.loads(base64.b64decode(a["response"]["value"]))["balance"] if a and a["response"].get("value")
                else None for a in self.read(path)]


@pytest.fixture(scope="module")
def network(request, tmp_path_factory):
    report = Report(request.config)
    was_running = engine_answers()
    first = run_script("ps", "-q", timeout=FIRST_UP_TIMEOUT_S)  # installs Docker and starts dockerd if need be
    if first.returncode == NO_ENGINE:
        pytest.skip(f"no Docker engine can run here: {(first.stderr.strip().splitlines() or ['?'])[-1]}")
    assert first.returncode == 0, first.stdout + first.stderr
    leftovers = project_leftovers()
    if leftovers:  # someone's network: never touched by this test
        pytest.fail(f"the compose project {PROJECT!r} exists already ({', '.join(leftovers)}): "
                    f"take it down (`{SCRIPT} down -v`) before running this test")
    path = tmp_path_factory.mktemp("compose") / "compose.node4.yml"
    path.write_text(node_file())
    net = Network(path, report)
    try:
        up = run_script("up", timeout=FIRST_UP_TIMEOUT_S)
        assert up.returncode == 0, up.stdout + up.stderr
        timed = [line.removeprefix("compose_local: ") for line in (first.stderr + up.stderr).splitlines()
                 if re.search(r" (in|after) \d+ s", line)]
        report.done(f"{SCRIPT} up ({'; '.join(timed)})")
        yield net
    finally:
        run_script("down", "-v", "--remove-orphans", env=net.env)
        if not was_running and DOCKERD_PID_FILE.exists():
            stop_dockerd()
        report.done("teardown")


def test_the_readme_gives_both_ways_and_this_test_follows_it():
    lines = commands(section(README, "Docker compose"))
    assert "docker compose up -d --build" in lines  # with Docker Hub
    assert f"{SCRIPT} up" in lines and f"{SCRIPT} down -v" in lines  # without it: what this test runs
    join = commands(section(OPERATORS, "Join a new node"))
    assert f"COMPOSE_FILE=docker-compose.yml:compose.node4.yml {SCRIPT} up" in join
    assert f"COMPOSE_FILE=docker-compose.yml:compose.node4.yml {SCRIPT} down -v" in join


def test_four_validators_sign_up_to_height_10(network):
    def height() -> int:
        try:
            return network.rpc0.height()
        except RpcError:
            return 0

    wait_until(lambda: height() >= 11, CHAIN_TIMEOUT_S, "height 11 on node 0", interval_s=0.5)
    validators = {v["address"] for v in network.rpc0.call("validators", height="10")["validators"]}
    assert len(validators) == VALIDATORS
    signatures = network.rpc0.call("commit", height="10")["signed_header"]["commit"]["signatures"]
    assert {s["validator_address"] for s in signatures if s["block_id_flag"] == BLOCK_ID_FLAG_COMMIT} == validators
    network.wait_heights(10, "height 10 on every node")
    network.agree()
    network.report.done("four validators signing at height 10")


def test_a_transfer_through_node0_gateway_shows_on_every_node(network):
    w3 = Web3(Web3.HTTPProvider("http://127.0.0.1:8545", request_kwargs={"timeout": 10}))
    assert w3.eth.chain_id == EVM_CHAIN_ID
    sender = dev_account(5)
    raw = sign_tx(sender, w3.eth.get_transaction_count(sender.address), RECIPIENT, VALUE_WEI, chain_id=EVM_CHAIN_ID)
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(raw), timeout=60)
    assert receipt["status"] == 1
    assert w3.eth.get_balance(Web3.to_checksum_address(RECIPIENT)) == VALUE_WEI
    wait_until(lambda: network.balances(RECIPIENT) == [str(VALUE_WEI)] * VALIDATORS, 30,
               "the balance on every node", interval_s=1)
    network.report.done("transfer through 127.0.0.1:8545, seen on every node")


def test_node0_serves_the_explorer(network):
    """The image carries what the explorer serves (its files, the ABIs, the three library files):
    the page and everything it loads answer on node 0's gateway port, and its door to CometBFT
    reaches node 0's RPC inside the network."""
    base = "http://127.0.0.1:8545/explorer"
    with urllib.request.urlopen(f"{base}/", timeout=10) as answer:
        assert b"Miles explorer" in answer.read()
    for path in ("/static/app.js", "/vendor/ethers.js", "/vendor/topojson.js", "/vendor/land-110m.json",
                 "/abi/IStaking.json"):
        with urllib.request.urlopen(base + path, timeout=10) as answer:
            assert answer.status == 200 and answer.read(), path
    with urllib.request.urlopen(f"{base}/api/cometbft/blockchain", timeout=10) as answer:
        assert int(json.load(answer)["result"]["last_height"]) > 0
    network.report.done("the explorer on 127.0.0.1:8545/explorer/")


def started_at(container: str) -> str:
    return docker("inspect", "--format", "{{.State.StartedAt}}", container).strip()


def test_a_new_node_joins_as_the_operators_guide_says(network):
    target = network.rpc0.height()
    pairs = [network.container(f"{part}{i}") for i in range(VALIDATORS) for part in ("app", "cometbft")]
    running_since = [started_at(container) for container in pairs]
    network.script("up")  # COMPOSE_FILE=docker-compose.yml:compose.node4.yml scripts/compose_local.sh up
    assert [started_at(container) for container in pairs] == running_since  # left running as they were
    network.nodes.append(NEW_NODE)

    def synced():
        status = network.read("status", [NEW_NODE])[0]
        return status and not status["sync_info"]["catching_up"] and \
            int(status["sync_info"]["latest_block_height"]) >= target and status

    status = wait_until(synced, CHAIN_TIMEOUT_S, "node4 to block-sync to the tip", interval_s=1)
    validators = {v["address"] for v in network.rpc0.call("validators")["validators"]}
    assert len(validators) == VALIDATORS and status["validator_info"]["address"] not in validators
    assert status["validator_info"]["voting_power"] == "0"
    assert network.balances(RECIPIENT)[-1] == str(VALUE_WEI)
    network.agree()
    network.report.done("node4 joined and synced")


def test_killed_containers_come_back_and_every_node_agrees(network):
    killed = [network.container("app1"), network.container("cometbft2")]
    before = max(network.heights())
    docker("kill", *killed)
    assert docker("inspect", "--format", "{{.State.Running}}", *killed).split() == ["false", "false"]
    docker("start", *killed)
    network.wait_heights(before + 3, "every node, the restarted ones too, past the height of the kill")
    assert network.agree() >= before + 3
    network.report.done("app1 and cometbft2 killed, started, caught up")


def test_down_v_leaves_no_container_volume_or_network(network):
    network.script("down", "-v")  # with COMPOSE_FILE naming both files, as the guide says
    assert project_leftovers() == []
    network.report.done("down -v")
