"""Log set-up: JSON lines off a terminal, console on one, or forced; block lines parse."""

import io
import json

import pytest
import structlog

from abci_app.cli.main import build_parser
from abci_app.logs import configure_logging, resolve_format


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_auto_picks_json_off_a_terminal_and_console_on_one():
    assert resolve_format("auto", io.StringIO()) == "json"
    assert resolve_format("auto", Tty()) == "console"
    assert resolve_format("json", Tty()) == "json"
    assert resolve_format("console", io.StringIO()) == "console"
    with pytest.raises(ValueError):
        resolve_format("xml")


def test_the_cli_defaults_to_auto():
    assert build_parser().parse_args(["app"]).log_format == "auto"


def test_json_lines_parse_one_by_one(capsys):
    try:
        assert configure_logging("json") == "json"
        log = structlog.get_logger("test")
        log.info("block_finalized", height=3, txs=2, gas_used=42_000, duration_ms=1.5, app_hash="ab" * 8)
        log.warning("something", detail="x")
        lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    finally:
        configure_logging("console")
    assert [line["event"] for line in lines] == ["block_finalized", "something"]
    assert lines[0]["height"] == 3 and lines[0]["level"] == "info" and "timestamp" in lines[0]
