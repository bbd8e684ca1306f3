"""Persistence: RocksDB (rocksdict), a per-block overlay for py-evm, and the key layout."""

from .db import ReadView, Store
from .overlay import Overlay, ReadBudgetExceeded

__all__ = ["Overlay", "ReadBudgetExceeded", "ReadView", "Store"]
