"""structlog set-up: readable console output on a terminal, JSON lines for operators.

`configure_logging("auto")` picks JSON lines when stdout is not a terminal (a log file, a
container, a pipe to a collector) and the console renderer when it is; "json" or "console"
forces one.
"""

import logging
import sys

import structlog

FORMATS = ("auto", "console", "json")


def resolve_format(fmt: str = "auto", stream=None) -> str:
    """"json" or "console": `fmt` itself unless it is "auto", then by whether `stream` is a tty."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown log format {fmt!r} (one of {', '.join(FORMATS)})")
    if fmt != "auto":
        return fmt
    stream = sys.stdout if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    return "console" if isatty is not None and isatty() else "json"


def configure_logging(fmt: str = "auto", level: int = logging.INFO) -> str:
    """Configure structlog; returns the format chosen ("json" or "console")."""
    chosen = resolve_format(fmt)
    renderer = structlog.processors.JSONRenderer() if chosen == "json" else structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
    )
    return chosen
