"""docker-compose.yml and the Dockerfile: valid, pinned, 4 validators, and an init step that works.

`config` of each compose installed (v2 `docker compose`, v1 `docker-compose`) checks the file,
alone and with the guide's compose.node4.yml; the structure is always checked as well, with a
reader for the small YAML subset the file is written in (block mappings and lists, JSON flow
lists, quoted or plain scalars, whole-line comments), as PyYAML is not a dependency.
"""

import json
import os
import re
import shutil
import subprocess
import tomllib
import warnings

import pytest

from abci_app.cli.compose import complete
from abci_app.cli.main import main
from abci_app.versions import COMETBFT_VERSION

from .guides import ROOT, node_file

COMPOSE = ROOT / "docker-compose.yml"
VALIDATORS = 4
COMETBFT_IMAGE = f"cometbft/cometbft:{COMETBFT_VERSION}"


def _scalar(text: str):
    text = text.strip()
    if text.startswith("[") or text.startswith('"'):
        return json.loads(text)
    if text.startswith("'"):
        return text[1:-1]
    return None if text == "" else text


def read_yaml_subset(text: str):
    """Block mappings and sequences of the subset described above; raises on anything else."""
    lines = []
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        assert "\t" not in raw, f"line {number}: tab"
        assert " #" not in re.sub(r'"[^"]*"', '""', raw), f"line {number}: inline comment"
        lines.append((len(raw) - len(raw.lstrip(" ")), raw.strip(), number))

    def block(i: int, indent: int):
        if lines[i][1].startswith("- "):
            items = []
            while i < len(lines) and lines[i][0] == indent and lines[i][1].startswith("- "):
                items.append(_scalar(lines[i][1][2:]))
                i += 1
            return items, i
        mapping = {}
        while i < len(lines) and lines[i][0] == indent:
            ind, content, number = lines[i]
            key, sep, rest = content.partition(":")
            assert sep and not content.startswith("- "), f"line {number}: expected `key: value`"
            assert key not in mapping, f"line {number}: duplicate key {key}"
            i += 1
            if rest.strip():
                mapping[key] = _scalar(rest)
            elif i < len(lines) and lines[i][0] > ind:
                mapping[key], i = block(i, lines[i][0])
            else:
                mapping[key] = None
        return mapping, i

    document, end = block(0, 0)
    assert end == len(lines), f"line {lines[end][2]}: bad indentation"
    return document


@pytest.fixture(scope="module")
def compose() -> dict:
    return read_yaml_subset(COMPOSE.read_text())


def _compose_tools() -> list[list[str]]:
    """The compose commands this machine has: v2 (`docker compose`), v1 (`docker-compose`)."""
    return [tool for tool in (["docker", "compose"], ["docker-compose"]) if shutil.which(tool[0])
            and subprocess.run([*tool, "version"], capture_output=True, timeout=30).returncode == 0]


def _config(tool: list[str], files: str, **env: str) -> subprocess.CompletedProcess:
    environ = {key: value for key, value in os.environ.items() if key != "COMETBFT_IMAGE"}
    return subprocess.run([*tool, "config"], capture_output=True, text=True, timeout=60, cwd=ROOT,
                          env={**environ, "COMPOSE_FILE": files, **env})


def test_every_compose_version_here_accepts_the_files_unchanged(tmp_path):
    tools = _compose_tools()
    if not tools:
        # No compose on this machine: the file must at least read as the YAML subset, and the
        # tests below check its structure. Said loudly, never skipped silently.
        warnings.warn("neither `docker compose` nor `docker-compose` is installed: docker-compose.yml "
                      "checked structurally only")
        assert read_yaml_subset(COMPOSE.read_text())["services"]
        return
    node4 = tmp_path / "compose.node4.yml"
    node4.write_text(node_file())
    for tool in tools:
        for files in ("docker-compose.yml", f"docker-compose.yml:{node4}"):
            out = _config(tool, files)
            assert out.returncode == 0, f"{' '.join(tool)} config with {files}: {out.stderr}"
            assert f"image: {COMETBFT_IMAGE}\n" in out.stdout  # the default: the official image
            local = _config(tool, files, COMETBFT_IMAGE="miles-cometbft:test")
            assert "image: miles-cometbft:test\n" in local.stdout and COMETBFT_IMAGE not in local.stdout


def test_the_yaml_reader_refuses_what_it_does_not_know():
    assert read_yaml_subset('a:\n  b: "x"\n  c: [1, "y"]\n  d:\n    - z\n') == {
        "a": {"b": "x", "c": [1, "y"], "d": ["z"]}}
    for bad in ("a: 1\na: 2\n", "a:\n  b: 1\n c: 2\n", "a: x # note\n", "- a\nb: 1\n"):
        with pytest.raises((AssertionError, json.JSONDecodeError)):
            read_yaml_subset(bad)


def _default_image(value: str) -> str:
    """`${COMETBFT_IMAGE:-x}` -> x, the image compose runs when the variable is not set."""
    match = re.fullmatch(r"\$\{COMETBFT_IMAGE:-([^}]+)\}", value)
    assert match, f"{value}: the CometBFT image must be ${{COMETBFT_IMAGE:-<official image>}}"
    return match.group(1)


def test_one_project_name_for_compose_v1_and_v2(compose):
    assert "name" not in compose  # compose v1 refuses a top-level name
    assert "COMPOSE_PROJECT_NAME=miles" in (ROOT / ".env").read_text().splitlines()


def test_services_four_apps_four_pinned_cometbfts(compose):
    services = compose["services"]
    assert sorted(services) == sorted(["cometbft-binary", "init"] + [f"app{i}" for i in range(VALIDATORS)]
                                      + [f"cometbft{i}" for i in range(VALIDATORS)])
    images = {s["image"] for name, s in services.items() if name.startswith("cometbft")}
    assert {_default_image(image) for image in images} == {COMETBFT_IMAGE}, \
        "the cometbft tag must be the one in abci_app/versions.py"
    assert f"image: ${{COMETBFT_IMAGE:-{COMETBFT_IMAGE}}}\n" in COMPOSE.read_text()
    assert set(compose["volumes"]) == {"tools"} | {f"node{i}-{part}" for i in range(VALIDATORS)
                                                   for part in ("app", "cometbft")}
    for i in range(VALIDATORS):
        app, node = services[f"app{i}"], services[f"cometbft{i}"]
        assert app["build"] == "." and app["image"] == services["init"]["image"]
        assert app["command"][-1] == "app" and app["volumes"] == [f"node{i}-app:/var/lib/miles/node"]
        assert node["command"] == ["node", "--home", "/cometbft"]
        assert node["volumes"] == [f"node{i}-cometbft:/cometbft"]
        assert node["depends_on"] == {"init": {"condition": "service_completed_successfully"},
                                      f"app{i}": {"condition": "service_started"}}
        assert app["restart"] == node["restart"] == "unless-stopped"
        # both sides of a node run as the user the init step gives the files to
        assert node["user"] == "10001:10001"
    # published on the host's loopback only (issue 14): a public node puts a proxy in front
    assert services["cometbft0"]["ports"] == ["127.0.0.1:26657:26657"]
    assert services["app0"]["ports"] == ["127.0.0.1:8545:8545"]          # node 0's Ethereum JSON-RPC gateway
    assert all("ports" not in s for name, s in services.items() if name not in ("cometbft0", "app0"))


def test_init_mounts_every_node_volume(compose):
    init = compose["services"]["init"]
    assert init["restart"] == "no"
    assert init["depends_on"] == {"cometbft-binary": {"condition": "service_completed_successfully"}}
    assert init["environment"] == {"COMETBFT_BIN": "/tools/cometbft"}
    mounts = set(init["volumes"])
    for i in range(VALIDATORS):
        assert {f"node{i}-app:/net/node{i}", f"node{i}-cometbft:/net/node{i}/cometbft"} <= mounts
    binary = compose["services"]["cometbft-binary"]
    assert binary["entrypoint"] == ["cp", "/usr/bin/cometbft", "/tools/cometbft"]


def test_dockerfile_slim_non_root_no_cometbft():
    text = (ROOT / "Dockerfile").read_text()
    instructions = [line for line in text.splitlines() if line and not line.startswith(("#", " "))]
    assert instructions[:2] == ["ARG BASE_IMAGE=python:3.11-slim", "FROM ${BASE_IMAGE}"]  # official by default
    assert "RUN python3 -m venv /opt/miles \\" in instructions
    assert "    && pip install \"$@\" . && rm -rf /src /wheels" in text.splitlines()
    assert "COPY pyproject.toml buil[d]/wheelhous[e] /wheels/" in instructions  # valid with no wheelhouse too
    assert [line for line in instructions if line.startswith("USER ")] == ["USER miles"]
    assert 'ARG UID=10001' in instructions and 'ARG GID=10001' in instructions
    assert instructions[-2:] == ['ENTRYPOINT ["miles"]', 'CMD ["--help"]']
    assert "cometbft" not in " ".join(line for line in instructions if line.startswith(("RUN", "COPY")))
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert {".git", ".venv", "bin", "tests", "build", "!build/wheelhouse"} <= set(ignored)


def test_the_local_cometbft_image_keeps_what_compose_uses_of_the_official_one():
    text = (ROOT / "scripts" / "cometbft.Dockerfile").read_text()
    instructions = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert instructions[:2] == ["ARG BASE_IMAGE", "FROM ${BASE_IMAGE}"]
    assert "COPY cometbft /usr/bin/cometbft" in instructions  # the cometbft-binary service copies it
    assert 'ENTRYPOINT ["/usr/bin/cometbft"]' in instructions and "ENV CMTHOME=/cometbft" in instructions


def test_the_init_command_writes_four_homes_with_service_addresses(compose, tmp_path, capsys):
    command = compose["services"]["init"]["command"]
    assert command[:3] == ["compose-init", "--dir", "/net"]
    owner = f"{os.getuid()}:{os.getgid()}"  # the compose file's owner, as this machine can chown
    argv = [tmp_path if arg == "/net" else arg for arg in command]
    argv[argv.index("--owner") + 1] = owner
    assert main([str(arg) for arg in argv]) == 0
    assert complete(tmp_path, VALIDATORS)

    genesis = {(tmp_path / f"node{i}/cometbft/config/genesis.json").read_bytes() for i in range(VALIDATORS)}
    assert len(genesis) == 1
    doc = json.loads(genesis.pop())
    assert len(doc["validators"]) == VALIDATORS
    assert len(doc["app_state"]["staking"]["validators"]) == VALIDATORS

    ids = []
    for i in range(VALIDATORS):
        written = tomllib.loads((tmp_path / f"node{i}/miles.toml").read_text())
        settings = written["node"]
        assert (settings["host"], settings["abci_port"]) == ("0.0.0.0", 26658)  # `miles app` binds here
        # each app's gateway listens on the container's 8545 and talks to its own cometbft service
        assert (written["gateway"]["port"], written["gateway"]["rpc_url"]) == (8545, f"http://cometbft{i}:26657")
        config = (tmp_path / f"node{i}/cometbft/config/config.toml").read_text()
        assert f'proxy_app = "tcp://app{i}:26658"' in config
        assert 'laddr = "tcp://0.0.0.0:26657"' in config and 'laddr = "tcp://0.0.0.0:26656"' in config
        peers = next(line for line in config.splitlines() if line.startswith("persistent_peers = "))
        peers = json.loads(peers.split(" = ", 1)[1]).split(",")
        assert sorted(peer.split("@")[1] for peer in peers) == sorted(
            f"cometbft{j}:26656" for j in range(VALIDATORS) if j != i)
        ids.append(peers)
    # every node names the others by their real node ids
    node_ids = {}
    for peers in ids:
        for peer in peers:
            node_id, host = peer.split("@")
            assert node_ids.setdefault(host, node_id) == node_id
    assert len(set(node_ids.values())) == VALIDATORS

    # `docker compose up` runs init again: it must leave the homes alone
    before = (tmp_path / "node0/cometbft/config/priv_validator_key.json").read_bytes()
    assert main([str(arg) for arg in argv]) == 0
    assert "unchanged" in capsys.readouterr().out
    assert (tmp_path / "node0/cometbft/config/priv_validator_key.json").read_bytes() == before


def test_init_refuses_a_partly_written_network(tmp_path, capsys):
    (tmp_path / "node1").mkdir()
    (tmp_path / "node1" / "miles.toml").write_text("")
    assert main(["compose-init", "--dir", str(tmp_path)]) == 1
    assert "partly written" in capsys.readouterr().err


def test_add_node_writes_a_non_validator_peered_with_the_validators(tmp_path, capsys):
    assert main(["compose-init", "--dir", str(tmp_path)]) == 0
    assert main(["compose-init", "--dir", str(tmp_path), "--add-node", "4",
                 "--owner", f"{os.getuid()}:{os.getgid()}"]) == 0
    new = tmp_path / "node4" / "cometbft" / "config"
    assert (new / "genesis.json").read_bytes() == (tmp_path / "node0/cometbft/config/genesis.json").read_bytes()
    validator_keys = {v["pub_key"]["value"] for v in json.loads((new / "genesis.json").read_text())["validators"]}
    assert json.loads((new / "priv_validator_key.json").read_text())["pub_key"]["value"] not in validator_keys
    config = (new / "config.toml").read_text()
    assert 'proxy_app = "tcp://app4:26658"' in config
    peers = next(line for line in config.splitlines() if line.startswith("persistent_peers = "))
    assert sorted(p.split("@")[1] for p in json.loads(peers.split(" = ", 1)[1]).split(",")) == [
        f"cometbft{i}:26656" for i in range(VALIDATORS)]
    assert main(["compose-init", "--dir", str(tmp_path), "--add-node", "4"]) == 0
    assert "unchanged" in capsys.readouterr().out.splitlines()[-1]
    assert main(["compose-init", "--dir", str(tmp_path), "--add-node", "2"]) == 1


def test_the_fifth_node_snippet_in_the_operators_guide(compose):
    snippet = read_yaml_subset(node_file())
    services = snippet["services"]
    assert services["init-node4"]["command"][:5] == ["compose-init", "--dir", "/net", "--add-node", "4"]
    assert services["cometbft4"]["image"] == compose["services"]["cometbft0"]["image"]
    assert services["cometbft4"]["command"] == compose["services"]["cometbft0"]["command"]
    assert services["app4"]["command"] == compose["services"]["app0"]["command"]
    assert set(snippet["volumes"]) == {"node4-app", "node4-cometbft"}
