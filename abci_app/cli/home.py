"""A node's home folder: CometBFT's home, the app's database and the node's settings (miles.toml)."""

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import config as settings_file
from .cometbft import NodeConfig
from .config import Config

DEFAULT_HOME = Path(os.environ.get("MILES_HOME", Path.home() / ".miles"))


@dataclass(frozen=True, slots=True)
class Home:
    path: Path

    @property
    def cometbft(self) -> Path:
        return self.path / "cometbft"

    @property
    def app_db(self) -> Path:
        """The app's database where the default [paths] data puts it (`Config.app_db` for the
        configured one)."""
        return Config().app_db(self.path)

    @property
    def settings(self) -> Path:
        return self.path / settings_file.FILE_NAME

    @property
    def legacy_settings(self) -> Path:
        """node.json, where homes written before miles.toml kept the [node] settings."""
        return self.path / "node.json"

    @property
    def initialised(self) -> bool:
        return self.settings.is_file() or self.legacy_settings.is_file()

    def load(self, env: Mapping[str, str] | None = None) -> Config:
        """miles.toml with the environment's overrides (`env`, default the process's; `{}`: the
        file alone). A home with only a node.json gets a miles.toml made from it first."""
        if not self.settings.is_file():
            if not self.legacy_settings.is_file():
                raise FileNotFoundError(f"{self.path} is not a miles home: run `miles init --home {self.path}`")
            settings_file.save(self.settings, Config.from_node_config(
                NodeConfig(**json.loads(self.legacy_settings.read_text()))))
        return settings_file.load(self.settings, env)

    def load_config(self, env: Mapping[str, str] | None = None) -> NodeConfig:
        """The [node] settings (and gateway port) as cometbft.py's NodeConfig."""
        return self.load(env).node_config()

    def save(self, config: Config) -> None:
        settings_file.save(self.settings, config)

    def save_config(self, config: NodeConfig, **sections: Mapping[str, Any]) -> None:
        """`config` as [node] and the values of other sections (e.g. app={...}), the rest defaults."""
        self.save(Config.from_node_config(config, **sections))
