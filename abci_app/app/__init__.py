"""The chain's application: ABCI routing, error codes, genesis, queries, events."""

from .application import Application

__all__ = ["Application"]
