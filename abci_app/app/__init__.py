"""The chain's application: ABCI routing, error codes, genesis, queries, events."""

from .application import Application
from .settings import AppSettings

__all__ = ["AppSettings", "Application"]
