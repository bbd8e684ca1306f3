"""A node's home folder: CometBFT's home, the app's database and the node's settings."""

import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path

from .cometbft import NodeConfig

DEFAULT_HOME = Path(os.environ.get("MILES_HOME", Path.home() / ".miles"))


@dataclass(frozen=True, slots=True)
class Home:
    path: Path

    @property
    def cometbft(self) -> Path:
        return self.path / "cometbft"

    @property
    def app_db(self) -> Path:
        return self.path / "app" / "state.db"

    @property
    def settings(self) -> Path:
        return self.path / "node.json"

    def load_config(self) -> NodeConfig:
        if not self.settings.is_file():
            raise FileNotFoundError(f"{self.path} is not a miles home: run `miles init --home {self.path}`")
        return NodeConfig(**json.loads(self.settings.read_text()))

    def save_config(self, config: NodeConfig) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        self.settings.write_text(json.dumps(dataclasses.asdict(config), indent=2) + "\n")
