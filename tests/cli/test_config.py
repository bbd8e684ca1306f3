"""miles.toml: documented defaults, MILES_<SECTION>_<KEY> overrides, flag > env > file > default,
and a bad setting stops `miles start` with the key named."""

import dataclasses
import os
import subprocess
import sys
import tomllib

import pytest

from abci_app.app import AppSettings
from abci_app.cli import config as cfg
from abci_app.cli.cometbft import NodeConfig
from abci_app.cli.config import Config, ConfigError
from abci_app.cli.home import Home
from abci_app.cli.localnode import DEVNET_APP_SETTINGS, LocalNode
from abci_app.cli.main import build_parser, main
from abci_app.cli.node import GATEWAY_PORT, METRICS_PORT, serving
from abci_app.rpc.gateway.filters import LogLimits


@pytest.fixture(scope="module")
def initialised(tmp_path_factory):
    """A home written by `miles init` with every default."""
    home = tmp_path_factory.mktemp("init") / "home"
    assert main(["--home", str(home), "init"]) == 0
    return Home(home)


def write(tmp_path, text: str):
    path = tmp_path / "miles.toml"
    path.write_text(text)
    return path


def error(path, env=None) -> str:
    with pytest.raises(ConfigError) as raised:
        cfg.load(path, env or {})
    return str(raised.value)


# ---- defaults --------------------------------------------------------------------------------

def test_init_writes_a_file_that_loads_to_the_defaults(initialised):
    loaded = initialised.load(env={})
    assert loaded == Config()
    assert loaded.app_settings() == AppSettings()
    assert loaded.node_config() == NodeConfig()
    assert loaded.log_limits() == LogLimits()
    assert loaded.app_db(initialised.path) == initialised.app_db == initialised.path / "app" / "state.db"
    assert not initialised.legacy_settings.exists()


def test_every_key_is_in_the_written_file_with_a_comment_naming_default_and_variable(initialised):
    lines = initialised.settings.read_text().splitlines()
    parsed = tomllib.loads("\n".join(lines))
    assert set(parsed) == set(cfg.SECTIONS)
    for section, cls in cfg.SECTIONS.items():
        start = lines.index(f"[{section}]")
        for spec in dataclasses.fields(cls):
            assert parsed[section][spec.name] == spec.default
            at = next(i for i in range(start, len(lines)) if lines[i].startswith(f"{spec.name} = "))
            comment = lines[at - 1]
            assert comment.startswith("# ") and spec.metadata["doc"] in comment, (section, spec.name)
            assert f"default {cfg._render_value(spec.default)}" in comment
            assert cfg.env_name(section, spec.name) in comment


def test_a_missing_key_takes_its_default_and_a_round_trip_keeps_every_value(tmp_path):
    assert cfg.load(write(tmp_path, "[app]\nsnapshot_interval = 10\n"), {}) == Config(
        app=cfg.AppSection(snapshot_interval=10))
    assert cfg.load(write(tmp_path, ""), {}) == Config()
    custom = Config.from_node_config(NodeConfig(rpc_port=1, moniker='a "quoted" name', gateway_port=9545),
                                     app={"keep_recent": 0}, log={"format": "json"}, paths={"data": "/var/x"})
    assert cfg.load(write(tmp_path, cfg.render(custom)), {}) == custom
    assert custom.node_config().gateway_port == 9545 and custom.app_settings().keep_recent == 0
    assert custom.app_db(tmp_path) == cfg.Path("/var/x/state.db")


# ---- environment -----------------------------------------------------------------------------

def test_every_key_has_a_variable_parsed_with_its_type(tmp_path):
    path = write(tmp_path, "[app]\nsnapshot_interval = 1000\n")
    loaded = cfg.load(path, {
        "MILES_APP_SNAPSHOT_INTERVAL": "10",      # int
        "MILES_GATEWAY_PORT": " 9545 ",           # port
        "MILES_NODE_MONIKER": "env-node",         # str
        "MILES_NODE_TIMEOUT_COMMIT": "1s",        # duration
        "MILES_LOG_FORMAT": "json",               # enum
        "MILES_GATEWAY_CORS": "",                 # an empty string is a value
        "MILES_PATHS_DATA": "db",
        "MILES_HOME": "/elsewhere", "MILES_PASSWORD": "x",  # not settings: left alone
    })
    assert loaded.app_settings().snapshot_interval == 10
    assert loaded.node_config().gateway_port == 9545
    assert loaded.node.moniker == "env-node" and loaded.node.timeout_commit == "1s"
    assert loaded.log.format == "json" and loaded.gateway.cors == "" and loaded.paths.data == "db"
    assert len(cfg.env_names()) == sum(len(dataclasses.fields(cls)) for cls in cfg.SECTIONS.values())
    assert "MILES_APP_MIN_GAS_PRICE_WEI" in cfg.env_names()


@pytest.mark.parametrize("variable, value, named", [
    ("MILES_APP_SNAPSHOT_INTERVAL", "ten", "app.snapshot_interval must be an integer"),
    ("MILES_APP_KEEP_RECENT", "-1", "app.keep_recent must be >= 0"),
    ("MILES_NODE_RPC_PORT", "70000", "node.rpc_port must be 1 to 65535"),
    ("MILES_LOG_FORMAT", "xml", "log.format must be one of auto, console, json"),
    ("MILES_NODE_ABCI", "http", "node.abci must be one of socket, grpc"),
    ("MILES_APP_SNAPSHOT_INTERVL", "10", "unknown setting app.snapshot_intervl"),
])
def test_a_bad_variable_is_named(tmp_path, variable, value, named):
    message = error(write(tmp_path, ""), {variable: value})
    assert message.startswith(variable) and named in message


def test_a_flag_beats_the_environment_which_beats_the_file(tmp_path):
    (tmp_path / "miles.toml").write_text(
        "[gateway]\nport = 1111\ncors = \"file\"\nlogs_max_blocks = 11\n[metrics]\nport = 1112\n")
    parser = build_parser()
    env = {"MILES_GATEWAY_PORT": "2222", "MILES_GATEWAY_CORS": "env", "MILES_METRICS_PORT": "2223"}

    def chosen(argv, environment, start=True):
        settings = Home(tmp_path).load(env=environment)
        return serving(parser.parse_args(argv), settings, start=start)

    for command in ("start", "app"):
        flagged = chosen([command, "--gateway-port", "3333", "--cors", "flag", "--metrics-port", "3334",
                          "--logs-max-blocks", "33"], env, start=command == "start")
        assert (flagged.gateway_port, flagged.cors, flagged.metrics_port, flagged.limits.max_blocks) == \
            (3333, "flag", 3334, 33)
        from_env = chosen([command], env, start=command == "start")
        assert (from_env.gateway_port, from_env.cors, from_env.metrics_port, from_env.limits.max_blocks) == \
            (2222, "env", 2223, 11)
        from_file = chosen([command], {}, start=command == "start")
        assert (from_file.gateway_port, from_file.cors, from_file.metrics_port) == (1111, "file", 1112)
    # a flag typed with the default's value still counts as given
    assert chosen(["start", "--gateway-port", str(GATEWAY_PORT)], env).gateway_port == GATEWAY_PORT
    assert chosen(["start", "--no-gateway", "--no-metrics"], env) == serving(
        parser.parse_args(["start", "--no-gateway", "--no-metrics"]), Home(tmp_path).load(env=env), start=True)
    assert chosen(["start", "--no-gateway"], env).gateway_port is None

    # nothing anywhere: start serves on its usual ports, app serves neither
    (tmp_path / "miles.toml").write_text("")
    start, app = chosen(["start"], {}), chosen(["app"], {}, start=False)
    assert (start.gateway_port, start.metrics_port, start.cors) == (GATEWAY_PORT, METRICS_PORT, "")  # no origin
    assert (app.gateway_port, app.metrics_port) == (None, None)
    assert start.limits == LogLimits()


def test_log_format_flag_given_or_not():
    parser = build_parser()
    assert not cfg.given(parser.parse_args(["app"]).log_format)
    assert cfg.given(parser.parse_args(["--log-format", "auto", "app"]).log_format)


# ---- errors name the key and the file --------------------------------------------------------

@pytest.mark.parametrize("text, named, problem", [
    ("[node]\nrpc_prot = 1\n", "node.rpc_prot", "unknown key"),
    ("[nodes]\nrpc_port = 1\n", "[nodes]", "unknown section"),
    ("rpc_port = 1\n", "rpc_port", "unknown key outside any section"),
    ("[node]\nrpc_port = \"26657\"\n", "node.rpc_port", "must be an integer"),
    ("[app]\nkeep_recent = true\n", "app.keep_recent", "must be an integer"),
    ("[node]\nmoniker = 3\n", "node.moniker", "must be a string"),
    ("[node]\nrpc_port = -1\n", "node.rpc_port", "must be 1 to 65535"),
    ("[gateway]\nport = -5\n", "gateway.port", "must be 0 to 65535"),
    ("[gateway]\nlogs_max_results = 0\n", "gateway.logs_max_results", "must be 1 to 10000"),
    ("[app]\nsnapshot_interval = -10\n", "app.snapshot_interval", "must be >= 0"),
    ("[node]\nabci = \"http\"\n", "node.abci", "must be one of socket, grpc"),
    ("[log]\nformat = \"xml\"\n", "log.format", "must be one of auto, console, json"),
    ("[node]\ntimeout_commit = \"fast\"\n", "node.timeout_commit", "must be a duration"),
    ("[node]\nhost = \"\"\n", "node.host", "must not be empty"),
    ("[app]\n", "", ""),  # fine
    ("[node]\nhost = \"127.0.0.1\"\nrpc_port = 26657x\n", "node.rpc_port (line 3)", "not valid TOML"),
    ("[app]\nsnapshot_interval = \n", "app.snapshot_interval (line 2)", "not valid TOML"),
    ("[app\nkeep_recent = 1\n", "(line 1)", "not valid TOML"),
])
def test_a_bad_file_names_the_key_and_the_file(tmp_path, text, named, problem):
    path = write(tmp_path, text)
    if not named:
        assert cfg.load(path, {}) == Config()
        return
    message = error(path)
    assert message.startswith(str(path)) and named in message and problem in message, message


# ---- `miles start` refuses a bad file before starting anything ------------------------------

FAKE_COMETBFT = """#!/bin/sh
echo "$@" >> "{marker}"
echo 0.38.25
"""


@pytest.mark.parametrize("text, env, named", [
    ("[node]\nrpc_port = -1\n", {}, "node.rpc_port"),
    ("[app]\nsnapshot_every = 10\n", {}, "app.snapshot_every"),
    ("[node\n", {}, "not valid TOML"),
    ("", {"MILES_APP_SNAPSHOT_INTERVAL": "often"}, "MILES_APP_SNAPSHOT_INTERVAL"),
])
def test_start_with_a_bad_setting_exits_2_naming_it_and_starts_nothing(tmp_path, initialised, text, env, named):
    home = tmp_path / "home"
    home.mkdir()
    (home / "miles.toml").write_text(text)
    marker = tmp_path / "cometbft-ran"
    fake = tmp_path / "cometbft"
    fake.write_text(FAKE_COMETBFT.format(marker=marker))
    fake.chmod(0o755)
    environment = {**os.environ, **env, "COMETBFT_BIN": str(fake)}
    for command in ("start", "app"):
        result = subprocess.run([sys.executable, "-m", "abci_app.cli.main", "--home", str(home), command],
                                capture_output=True, text=True, timeout=60, env=environment)
        assert result.returncode == 2, result.stderr
        assert named in result.stderr and "bad configuration" in result.stderr
        assert "Traceback" not in result.stderr
    assert not marker.exists()  # cometbft was not even asked its version
    assert sorted(p.name for p in home.iterdir()) == ["miles.toml"]  # no database either


# ---- homes written before miles.toml, and test nodes with their own app settings -------------

def test_a_node_json_home_gets_a_miles_toml(tmp_path):
    home = Home(tmp_path)
    home.legacy_settings.write_text('{"rpc_port": 1234, "moniker": "old", "gateway_port": 8546}')
    assert home.initialised
    assert home.load_config(env={}) == NodeConfig(rpc_port=1234, moniker="old", gateway_port=8546)
    assert tomllib.loads(home.settings.read_text())["node"]["rpc_port"] == 1234


def test_local_nodes_take_app_settings_into_their_miles_toml(tmp_path):
    node = LocalNode.create(tmp_path / "node", app_settings={"snapshot_interval": 10, "snapshot_keep": 3},
                            app_env={"MILES_APP_KEEP_RECENT": "7"})
    assert node.home.load(env={}).app_settings() == AppSettings(snapshot_interval=10, snapshot_keep=3,
                                                                **DEVNET_APP_SETTINGS)
    assert AppSettings().audit_max_reads < DEVNET_APP_SETTINGS["audit_max_reads"]  # a devnet audits whole
    assert node.home.load(env=node.app_env).app_settings().keep_recent == 7
    with pytest.raises(ConfigError, match="app.snapshot_interval"):
        LocalNode.create(tmp_path / "bad", app_settings={"snapshot_interval": -1})


def test_localnet_homes_take_app_settings(tmp_path):
    from abci_app.cli.localnet import Localnet

    net = Localnet(tmp_path / "net", validators=2, app_settings={"snapshot_interval": 10})
    for node in net.nodes:
        assert node.home.load(env={}).app.snapshot_interval == 10
        assert node.home.load(env={}).app.audit_max_reads == DEVNET_APP_SETTINGS["audit_max_reads"]
        assert node.config.gateway_port is not None  # a gateway per localnet node, as before
    assert [node.name for node in Localnet.open(tmp_path / "net").nodes] == ["node0", "node1"]
