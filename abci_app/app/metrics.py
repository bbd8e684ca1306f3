"""The application's Prometheus metrics, in a registry of their own (never the global default,
so a test can run several applications side by side).

Metrics observe; they never feed back into state. Wall-clock durations and float gauges (supply
in CMT) are fine here and nowhere in consensus code.
"""

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

NAMESPACE = "miles"
WEI_PER_CMT = 10**18
BLOCK_SECONDS_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
RECHECK_SECONDS_BUCKETS = (0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5)
TXS_BUCKETS = (0, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000)
GAS_BUCKETS = (0, 21_000, 100_000, 1_000_000, 5_000_000, 10_000_000, 30_000_000, 100_000_000)


class AppMetrics:
    """Every series the application exports, registered in `self.registry`."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.height = Gauge("height", "Last committed block height", namespace=NAMESPACE, registry=r)
        self.block_seconds = Histogram("block_execution_seconds", "FinalizeBlock wall-clock duration",
                                       namespace=NAMESPACE, buckets=BLOCK_SECONDS_BUCKETS, registry=r)
        self.block_txs = Histogram("block_txs", "Transactions per block", namespace=NAMESPACE,
                                   buckets=TXS_BUCKETS, registry=r)
        self.txs = Counter("txs", "Transactions finalized", namespace=NAMESPACE, registry=r)
        self.block_gas = Histogram("block_gas_used", "Gas used per block", namespace=NAMESPACE,
                                   buckets=GAS_BUCKETS, registry=r)
        self.gas = Counter("gas_used", "Gas used by all finalized blocks", namespace=NAMESPACE, registry=r)
        self.check_tx = Counter("check_tx", "CheckTx answers (new transactions) by result and ABCI code",
                                ["result", "code"], namespace=NAMESPACE, registry=r)
        self.recheck_seconds = Histogram("mempool_recheck_seconds", "Wall-clock time of one recheck CheckTx",
                                         namespace=NAMESPACE, buckets=RECHECK_SECONDS_BUCKETS, registry=r)
        self.recheck = Counter("mempool_recheck", "Recheck CheckTx calls by ABCI code", ["code"],
                               namespace=NAMESPACE, registry=r)
        self.worker_queries = Counter("worker_queries", "Queries answered by the query workers, by ABCI code "
                                      "(43 busy, 44 over the time budget, 45 a worker failed)", ["code"],
                                      namespace=NAMESPACE, registry=r)
        self.check_tx.labels(result="accepted", code="0")  # present at 0 before the first answer
        self.recheck.labels(code="0")
        self.worker_queries.labels(code="0")
        self.supply = Gauge("supply_cmt", "Total CMT supply after the last block (float, display only)",
                            namespace=NAMESPACE, registry=r)
        self.validators = Gauge("validators", "Number of validators in the committed state",
                                namespace=NAMESPACE, registry=r)
        self.state_bytes = Gauge("state_size_bytes", "RocksDB estimate of live data size",
                                 namespace=NAMESPACE, registry=r)

    def check_answered(self, code: int, recheck: bool, seconds: float) -> None:
        if recheck:
            self.recheck.labels(code=str(code)).inc()
            self.recheck_seconds.observe(seconds)
        else:
            self.check_tx.labels(result="accepted" if code == 0 else "rejected", code=str(code)).inc()

    def worker_answered(self, code: int) -> None:
        self.worker_queries.labels(code=str(code)).inc()

    def block_finalized(self, txs: int, gas_used: int, seconds: float, supply_wei: int) -> None:
        self.block_seconds.observe(seconds)
        self.block_txs.observe(txs)
        self.txs.inc(txs)
        self.block_gas.observe(gas_used)
        self.gas.inc(gas_used)
        self.supply.set(supply_wei / WEI_PER_CMT)

    def committed(self, height: int, validators: int | None) -> None:
        self.height.set(height)
        if validators is not None:
            self.validators.set(validators)

    def watch_state_size(self, read: Callable[[], int]) -> None:
        """Read the store's size when scraped (RocksDB properties are safe from another thread)."""
        self.state_bytes.set_function(lambda: float(read()))


def serve_metrics(metrics: AppMetrics, port: int, addr: str = "127.0.0.1"):
    """Serve /metrics over HTTP in a daemon thread; returns the server (`.shutdown()` stops it)."""
    server, _thread = start_http_server(port, addr=addr, registry=metrics.registry)
    return server
