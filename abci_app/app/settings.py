"""A node's own settings for the application: local choices, never consensus rules.

Two nodes with different settings compute the same blocks and app hashes; they differ only in
how much history they keep and which snapshots they can serve.
"""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AppSettings:
    keep_recent: int = 100          # state versions kept for queries; 0 keeps every version
    keep_blocks: int = 100_000      # block records and receipts kept; 0 keeps all (an archive node)
    snapshot_interval: int = 1000   # take a state-sync snapshot every this many blocks; 0: never
    snapshot_keep: int = 2          # snapshots kept (the newest)
    min_gas_price_wei: int = 0      # CheckTx refuses cheaper txs (above the chain's own minimum)
    audit_max_reads: int = 2_000    # store reads one /solvency query may make (~0.1 s); past it, code 42
    call_gas_cap: int = 10_000_000  # the most gas one /call (eth_call, eth_estimateGas) may use
    query_workers: int = 1          # processes answering /call, /estimate, /logs, /solvency (app/query_pool.py)
    query_queue: int = 16           # such queries waiting for a worker; past it, code 43 (busy)
    query_timeout_ms: int = 5_000   # one such query's time budget; past it, abandoned with code 44
    genesis_accounts_file: str = ""  # the accounts file the genesis names, if it names one (InitChain only)

    def __post_init__(self) -> None:
        for name in ("keep_recent", "keep_blocks", "snapshot_interval", "snapshot_keep", "min_gas_price_wei", "audit_max_reads",
                     "call_gas_cap"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0")
        for name in ("query_workers", "query_queue", "query_timeout_ms"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1")
