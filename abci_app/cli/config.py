"""A node's settings: `<home>/miles.toml`, overridable by `MILES_<SECTION>_<KEY>` variables.

One file per node, sections of scalars, every key with a documented default (the file `miles init`
writes carries a comment per key). Precedence, highest first: a command-line flag given
explicitly, the environment, miles.toml, the default. A bad file or variable is a `ConfigError`
naming the key (`section.key`) and where it came from; `miles start/app` print it and exit 2 before
starting anything.

`[node]` maps to the `NodeConfig` cometbft.py uses (`Config.node_config()`), `[app]` to the app's
`AppSettings` (`Config.app_settings()`).
"""

import dataclasses
import json
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..app.settings import AppSettings
from ..logs import FORMATS
from ..rpc.gateway.filters import LogLimits
from .cometbft import NodeConfig

FILE_NAME = "miles.toml"
ENV_PREFIX = "MILES_"
_LIMITS = LogLimits()
_NODE = NodeConfig()
_APP = AppSettings()


class ConfigError(Exception):
    """A setting that cannot be used; the message names the key and its source."""


# ---- the schema ------------------------------------------------------------------------------

def _range(low: int, high: int | None = None) -> Callable[[int], str | None]:
    def check(value: int) -> str | None:
        if value < low or (high is not None and value > high):
            return f"must be {low} to {high}" if high is not None else f"must be >= {low}"
        return None
    return check


_PORT = _range(1, 65535)
_PORT_OR_0 = _range(0, 65535)
_COUNT = _range(0)
_DURATION = re.compile(r"^(0|(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+)$")


def _duration(value: str) -> str | None:
    return None if _DURATION.match(value) else "must be a duration such as 300ms, 5s or 1m30s"


def _nonempty(value: str) -> str | None:
    return None if value.strip() else "must not be empty"


def _key(default: Any, doc: str, check: Callable[[Any], str | None] | None = None,
         choices: tuple[str, ...] | None = None):
    return field(default=default, metadata={"doc": doc, "check": check, "choices": choices})


@dataclass(frozen=True, slots=True)
class NodeSection:
    """This node's processes: where they listen, the ABCI transport, block timing."""

    host: str = _key(_NODE.host, "address the app, CometBFT and their servers listen on", _nonempty)
    moniker: str = _key(_NODE.moniker, "this node's name among its peers", _nonempty)
    abci: str = _key(_NODE.abci, "how CometBFT reaches the app: socket or grpc", choices=("socket", "grpc"))
    rpc_port: int = _key(_NODE.rpc_port, "CometBFT RPC", _PORT)
    p2p_port: int = _key(_NODE.p2p_port, "CometBFT peer-to-peer", _PORT)
    abci_port: int = _key(_NODE.abci_port, "the app's ABCI server", _PORT)
    prometheus_port: int = _key(0, "CometBFT's Prometheus metrics; 0: abci_port + 3", _PORT_OR_0)
    timeout_commit: str = _key(_NODE.timeout_commit, "CometBFT waits this long after a commit", _duration)
    empty_blocks_interval: str = _key(_NODE.empty_blocks_interval,
                                      "an empty block at least this often when there are no txs", _duration)


@dataclass(frozen=True, slots=True)
class GatewaySection:
    """The Ethereum JSON-RPC gateway (HTTP and WebSocket on one port of [node] host)."""

    port: int = _key(0, "its port; 0: `miles start` uses 8545, `miles app` serves none", _PORT_OR_0)
    rpc_url: str = _key("", "the CometBFT RPC it reads and sends through; empty: this node's ([node] host and rpc_port)")
    cors: str = _key("", "browser origins allowed: \"\" for none, a comma-separated list, or * for any")
    logs_max_blocks: int = _key(_LIMITS.max_blocks, "blocks one eth_getLogs may span",
                                _range(1, _LIMITS.max_blocks))
    logs_max_results: int = _key(_LIMITS.max_results, "logs one eth_getLogs may answer",
                                 _range(1, _LIMITS.max_results))


@dataclass(frozen=True, slots=True)
class MetricsSection:
    """The app's Prometheus /metrics on 127.0.0.1."""

    port: int = _key(0, "its port; 0: `miles start` uses 26660, `miles app` serves none", _PORT_OR_0)


@dataclass(frozen=True, slots=True)
class AppSection:
    """The application's local choices (never consensus rules: nodes may differ)."""

    keep_recent: int = _key(_APP.keep_recent, "state versions kept for queries; 0 keeps every version",
                            _COUNT)
    keep_blocks: int = _key(_APP.keep_blocks, "block records and receipts kept (and so the states and logs "
                            "queries reach); 0 keeps all: an archive node", _COUNT)
    snapshot_interval: int = _key(_APP.snapshot_interval,
                                  "a state-sync snapshot every this many blocks; 0: never", _COUNT)
    snapshot_keep: int = _key(_APP.snapshot_keep, "snapshots kept (the newest)", _COUNT)
    min_gas_price_wei: int = _key(_APP.min_gas_price_wei,
                                  "CheckTx refuses txs paying less per gas (above the chain's own minimum)", _COUNT)
    audit_max_reads: int = _key(_APP.audit_max_reads,
                                "store reads one /solvency query may make (anyone may ask); past it, code 42",
                                _COUNT)
    call_gas_cap: int = _key(_APP.call_gas_cap,
                             "the most gas one eth_call, eth_estimateGas or /call may use (more is capped)",
                             _range(21_000))
    query_workers: int = _key(_APP.query_workers,
                              "processes answering eth_call, eth_estimateGas, logs and /solvency queries "
                              "(never the one running blocks)", _range(1, 16))
    query_queue: int = _key(_APP.query_queue, "such queries waiting for a worker; past it, code 43 (busy)",
                            _range(1, 1000))
    query_timeout_ms: int = _key(_APP.query_timeout_ms,
                                 "one such query's time budget; past it, abandoned with code 44", _range(100))
    genesis_accounts_file: str = _key(_APP.genesis_accounts_file,
                                      "the accounts file the genesis names by hash, if it names one (absolute "
                                      "path; read once, by InitChain)")


@dataclass(frozen=True, slots=True)
class PathsSection:
    """Where the node keeps its data."""

    data: str = _key("app", "the app's database folder (state.db inside); relative to the home", _nonempty)


@dataclass(frozen=True, slots=True)
class LogSection:
    """The app's log output."""

    format: str = _key("auto", "json, console, or auto (console on a terminal, JSON otherwise)", choices=FORMATS)


SECTIONS: dict[str, type] = {
    "node": NodeSection, "gateway": GatewaySection, "metrics": MetricsSection, "app": AppSection,
    "paths": PathsSection, "log": LogSection,
}


@dataclass(frozen=True, slots=True)
class Config:
    node: NodeSection = field(default_factory=NodeSection)
    gateway: GatewaySection = field(default_factory=GatewaySection)
    metrics: MetricsSection = field(default_factory=MetricsSection)
    app: AppSection = field(default_factory=AppSection)
    paths: PathsSection = field(default_factory=PathsSection)
    log: LogSection = field(default_factory=LogSection)

    # ---- the types the rest of the code uses --------------------------------------------------

    def node_config(self) -> NodeConfig:
        node = self.node
        return NodeConfig(
            rpc_port=node.rpc_port, p2p_port=node.p2p_port, abci_port=node.abci_port, abci=node.abci,
            timeout_commit=node.timeout_commit, empty_blocks_interval=node.empty_blocks_interval,
            host=node.host, moniker=node.moniker, prometheus_port=node.prometheus_port or None,
            gateway_port=self.gateway.port or None,
        )

    @classmethod
    def from_node_config(cls, config: NodeConfig, **sections: Mapping[str, Any]) -> "Config":
        """`config` as [node] (and its gateway_port as [gateway] port), other sections' values from
        `sections` (e.g. app={"snapshot_interval": 10}), checked as if read from a file."""
        fields = {f.name for f in dataclasses.fields(NodeSection)}
        node = {name: value for name, value in dataclasses.asdict(config).items() if name in fields}
        node["prometheus_port"] = config.prometheus_port or 0
        data: dict[str, dict[str, Any]] = {name: dict(values) for name, values in sections.items()}
        data["node"] = {**node, **data.get("node", {})}
        data.setdefault("gateway", {}).setdefault("port", config.gateway_port or 0)
        return from_dict(data, "settings")

    def app_settings(self) -> AppSettings:
        return AppSettings(**dataclasses.asdict(self.app))

    def log_limits(self) -> LogLimits:
        return LogLimits(max_blocks=self.gateway.logs_max_blocks, max_results=self.gateway.logs_max_results)

    def app_db(self, home: Path) -> Path:
        return Path(home) / self.paths.data / "state.db"  # an absolute `data` replaces the home

    def to_dict(self) -> dict[str, dict[str, Any]]:
        return {name: dataclasses.asdict(getattr(self, name)) for name in SECTIONS}


# ---- reading ---------------------------------------------------------------------------------

def _check(section: str, key: str, value: Any, where: str) -> Any:
    spec = _field(section, key)
    name = f"{section}.{key}"
    if spec.type is int and (type(value) is not int):
        raise ConfigError(f"{where}: {name} must be an integer, not {_show(value)}")
    if spec.type is str and not isinstance(value, str):
        raise ConfigError(f"{where}: {name} must be a string, not {_show(value)}")
    choices = spec.metadata["choices"]
    if choices is not None and value not in choices:
        raise ConfigError(f"{where}: {name} must be one of {', '.join(choices)}, not {_show(value)}")
    check = spec.metadata["check"]
    problem = check(value) if check is not None else None
    if problem:
        raise ConfigError(f"{where}: {name} {problem}, not {_show(value)}")
    return value


def _show(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return "a table" if isinstance(value, dict) else "an array"
    return json.dumps(value) if isinstance(value, str) else str(value).lower() if isinstance(value, bool) \
        else str(value)


def _field(section: str, key: str) -> dataclasses.Field:
    return {f.name: f for f in dataclasses.fields(SECTIONS[section])}[key]


def _keys(section: str) -> list[str]:
    return [f.name for f in dataclasses.fields(SECTIONS[section])]


def from_dict(data: Mapping[str, Any], where: str) -> Config:
    """Check a parsed file (sections of scalars); unknown sections or keys are errors."""
    sections = {}
    for section, values in data.items():
        if section not in SECTIONS:
            known = ", ".join(f"[{name}]" for name in SECTIONS)
            if not isinstance(values, dict):
                raise ConfigError(f"{where}: {section}: unknown key outside any section (sections: {known})")
            raise ConfigError(f"{where}: [{section}]: unknown section (known: {known})")
        if not isinstance(values, dict):
            raise ConfigError(f"{where}: {section} must be a section [{section}], not {_show(values)}")
        for key, value in values.items():
            if key not in _keys(section):
                raise ConfigError(f"{where}: {section}.{key}: unknown key (known in [{section}]: "
                                  f"{', '.join(_keys(section))})")
            _check(section, key, value, where)
        sections[section] = SECTIONS[section](**values)
    return Config(**sections)


def _syntax_error(path: Path, text: str, exc: tomllib.TOMLDecodeError) -> ConfigError:
    """Name the key on the line the parser stopped at, when there is one."""
    found = re.search(r"line (\d+)", str(exc))
    where = f"{path}"
    if found:
        number = int(found.group(1))
        lines = text.splitlines()
        section = None
        for line in lines[:number - 1]:
            header = re.match(r"^\s*\[([^\]]*)\]", line)
            if header:
                section = header.group(1).strip()
        line = lines[number - 1] if number <= len(lines) else ""
        key = re.match(r"^\s*([A-Za-z0-9_.-]+)\s*=", line)
        if key:
            where += f": {section + '.' if section else ''}{key.group(1)}"
        where += f" (line {number})"
    return ConfigError(f"{where}: not valid TOML: {exc}")


def load(path: Path, env: Mapping[str, str] | None = None) -> Config:
    """miles.toml at `path` (missing keys take their defaults), then the `MILES_*` variables of
    `env` (the process environment unless given; `{}` for the file alone)."""
    path = Path(path)
    text = path.read_text()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(path, text, exc) from None
    config = from_dict(data, str(path))
    return apply_env(config, os.environ if env is None else env)


def env_name(section: str, key: str) -> str:
    return f"{ENV_PREFIX}{section.upper()}_{key.upper()}"


def env_names() -> list[str]:
    return [env_name(section, key) for section in SECTIONS for key in _keys(section)]


def apply_env(config: Config, env: Mapping[str, str]) -> Config:
    """`config` with every `MILES_<SECTION>_<KEY>` of `env` applied. A variable naming a section
    but no key of it is an error (a typo would otherwise be ignored); other MILES_ variables
    (MILES_HOME, MILES_PASSWORD...) are not settings and are left alone."""
    changes: dict[str, dict[str, Any]] = {}
    for variable, text in env.items():
        if not variable.startswith(ENV_PREFIX):
            continue
        rest = variable[len(ENV_PREFIX):]
        section = next((name for name in SECTIONS if rest.startswith(name.upper() + "_")), None)
        if section is None:
            continue
        key = rest[len(section) + 1:].lower()
        if key not in _keys(section) or env_name(section, key) != variable:
            raise ConfigError(f"{variable}: unknown setting {section}.{key} (known: "
                              f"{', '.join(env_name(section, k) for k in _keys(section))})")
        changes.setdefault(section, {})[key] = _check(section, key, _parse_env(section, key, variable, text),
                                                       f"{variable}={text!r}")
    if not changes:
        return config
    return dataclasses.replace(config, **{
        section: dataclasses.replace(getattr(config, section), **values) for section, values in changes.items()
    })


def _parse_env(section: str, key: str, variable: str, text: str) -> Any:
    if _field(section, key).type is int:
        try:
            return int(text.strip())
        except ValueError:
            raise ConfigError(f"{variable}={text!r}: {section}.{key} must be an integer") from None
    return text


# ---- writing ---------------------------------------------------------------------------------

HEADER = """\
# miles node settings. Every key may be left out (it takes the default shown) and overridden by
# the environment variable MILES_<SECTION>_<KEY>, e.g. MILES_APP_SNAPSHOT_INTERVAL=10; a flag of
# `miles start/app` given explicitly overrides both. [node] is written into CometBFT's
# cometbft/config/config.toml by `miles init` and again by every `miles start`.
"""


def _render_value(value: Any) -> str:
    return str(value) if isinstance(value, int) else json.dumps(value)


def render(config: Config) -> str:
    """The text of miles.toml: each section, each key with its meaning and default."""
    parts = [HEADER]
    for section, cls in SECTIONS.items():
        parts.append(f"\n# {cls.__doc__}\n[{section}]\n")
        values = getattr(config, section)
        for spec in dataclasses.fields(cls):
            parts.append(f"# {spec.metadata['doc']} [default {_render_value(spec.default)}, "
                         f"env {env_name(section, spec.name)}]\n")
            parts.append(f"{spec.name} = {_render_value(getattr(values, spec.name))}\n")
    return "".join(parts)


def save(path: Path, config: Config) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(render(config))
    os.replace(tmp, path)


# ---- flags that override settings only when given -------------------------------------------

class _DefaultInt(int):
    pass


class _DefaultStr(str):
    pass


def flag_default(value):
    """An argparse default equal to `value` that `given()` can tell from the same value typed."""
    return _DefaultInt(value) if isinstance(value, int) else _DefaultStr(value)


def given(value) -> bool:
    """Whether a flag's value was typed on the command line (not None, not its flag_default)."""
    return value is not None and not isinstance(value, (_DefaultInt, _DefaultStr))


def choose(flag, setting):
    """The flag if given, else the setting (environment or file or default)."""
    return flag if given(flag) else setting
