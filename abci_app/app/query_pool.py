"""Where the expensive queries run: a small pool of worker processes (query_worker.py), so a query
never delays FinalizeBlock or Commit (issue 14; docs/decisions.md).

A thread could not do it: py-evm holds the GIL, so a call on a thread still takes about half the
CPU of the thread that runs blocks. A worker is a process of its own, at a lower priority,
reading the committed state through a RocksDB secondary. The pool is bounded three ways:

- `query_workers` processes (default 1), each served by one thread of this process that sends it
  one query at a time and waits (in `select`, without the GIL) for the answer;
- `query_queue` queries waiting for a worker; one more is answered at once with code 43 (busy);
- `query_timeout_ms` per query: the worker abandons a query past it (code 44), and a worker that
  has not answered `GRACE_S` later is killed and started again.

A worker that dies answers its query with code 45 and is started again for the next one; the
node itself never waits for a worker except through the future the ABCI server awaits.

Protocol: frames of a 4-byte big-endian length and a body. The worker's first frame is READY;
each request is the app's committed height (8 bytes) and a RequestQuery; each answer a
ResponseQuery.
"""

import dataclasses
import json
import os
import select
import struct
import subprocess
import sys
import threading
import time
from concurrent.futures import Future
from pathlib import Path
from queue import Empty, SimpleQueue

import structlog

from ..abci import types
from . import codes
from .settings import AppSettings

log = structlog.get_logger(__name__)

NICENESS = 19              # the workers' priority: the kernel runs the node first
READY = b"ready"
START_TIMEOUT_S = 60.0     # a worker imports py-evm and opens the store within this
GRACE_S = 2.0              # past the budget, a worker that has not answered is killed
MAX_ANSWER_BYTES = 256 * 1024 * 1024
_LENGTH = struct.Struct(">I")
_HEIGHT = struct.Struct(">Q")


class WorkerFailed(Exception):
    """The worker died, could not start, or answered nonsense."""


class WorkerTimedOut(Exception):
    """The worker did not answer within the budget and its grace."""


# ---- frames ------------------------------------------------------------------------------------

def write_frame(stream, body: bytes) -> None:
    stream.write(_LENGTH.pack(len(body)) + body)


def read_frame(stream) -> bytes | None:
    """The next frame's body from a blocking stream; None at a clean end."""
    header = _read_exactly(stream, _LENGTH.size)
    if header is None:
        return None
    body = _read_exactly(stream, _LENGTH.unpack(header)[0])
    if body is None:
        raise EOFError("stream ended inside a frame")
    return body


def _read_exactly(stream, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def join_request(height: int, req: types.RequestQuery) -> bytes:
    return _HEIGHT.pack(height) + req.SerializeToString()


def split_request(frame: bytes) -> tuple[int, types.RequestQuery]:
    return _HEIGHT.unpack(frame[:_HEIGHT.size])[0], types.RequestQuery.FromString(frame[_HEIGHT.size:])


# ---- one worker --------------------------------------------------------------------------------

class WorkerProcess:
    """One `query_worker` process and the pipes to it. `ask` is called by one thread at a time."""

    def __init__(self, db_path: str, secondary: str, settings: AppSettings) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "abci_app.app.query_worker", db_path, secondary,
             json.dumps(dataclasses.asdict(settings))],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
        try:
            if self._read(time.monotonic() + START_TIMEOUT_S) != READY:
                raise WorkerFailed("the query worker did not start")
        except WorkerTimedOut:
            self.kill()
            raise WorkerFailed(f"the query worker did not start within {START_TIMEOUT_S:g} s") from None
        except WorkerFailed:
            self.kill()
            raise

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def ask(self, frame: bytes, deadline: float) -> bytes:
        """Send one request frame; its answer, or WorkerTimedOut past `deadline` (monotonic)."""
        data = memoryview(_LENGTH.pack(len(frame)) + frame)
        try:
            while data:
                data = data[os.write(self.process.stdin.fileno(), data):]
        except (OSError, ValueError) as exc:
            raise WorkerFailed(f"the query worker is gone ({exc})") from None
        return self._read(deadline)

    def _read(self, deadline: float) -> bytes:
        header = self._read_exactly(_LENGTH.size, deadline)
        size = _LENGTH.unpack(header)[0]
        if size > MAX_ANSWER_BYTES:
            raise WorkerFailed(f"the query worker answered {size} bytes")
        return self._read_exactly(size, deadline)

    def _read_exactly(self, size: int, deadline: float) -> bytes:
        fd, data = self.process.stdout.fileno(), bytearray()
        while len(data) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise WorkerTimedOut()
            chunk = os.read(fd, min(size - len(data), 1 << 20))
            if not chunk:
                raise WorkerFailed(f"the query worker exited (code {self.process.wait()})")
            data += chunk
        return bytes(data)

    def signal_kill(self) -> None:
        """SIGKILL: it holds nothing that needs a clean end (a read-only secondary)."""
        if self.process.poll() is None:
            self.process.kill()

    def kill(self) -> None:
        """SIGKILL, reap, close the pipes (by the thread that asks it, never while it waits)."""
        self.signal_kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            pipe.close()


# ---- the pool ----------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True, slots=True)
class _Job:
    frame: bytes
    path: str
    future: Future


def refusal(code: int, log_text: str) -> types.ResponseQuery:
    return types.ResponseQuery(code=code, log=log_text)


class QueryPool:
    """`settings.query_workers` worker processes on the store at `db_path`, their queue, their
    budget. `submit` never blocks; `close` kills the workers and answers what was waiting."""

    def __init__(self, db_path: str, settings: AppSettings, spawn=WorkerProcess) -> None:
        self._db_path = db_path
        self._settings = settings
        self._spawn = spawn
        self._jobs: SimpleQueue[_Job | None] = SimpleQueue()  # bounded: see `_pending`
        self._pending = 0  # queries submitted and not yet answered: at most query_workers + query_queue
        self._lock = threading.Lock()
        self._closed = False
        self._workers: dict[int, WorkerProcess] = {}
        self._threads = [threading.Thread(target=self._serve, args=(index,), daemon=True,
                                          name=f"query-worker-{index}")
                         for index in range(settings.query_workers)]
        for thread in self._threads:
            thread.start()

    def submit(self, req: types.RequestQuery, height: int) -> Future:
        """A future of the answer to `req` at the app's committed `height` (the answer is busy,
        code 43, at once when the queue is full)."""
        future: Future = Future()
        with self._lock:
            if self._closed:
                future.set_result(refusal(codes.QUERY_WORKER_FAILED, "the node is stopping"))
                return future
            if self._pending >= self._settings.query_workers + self._settings.query_queue:
                future.set_result(refusal(codes.QUERY_BUSY, (
                    f"this node's query workers are busy ({self._settings.query_queue} queries waiting: "
                    "app.query_queue); try again later")))
                return future
            self._pending += 1
            self._jobs.put(_Job(join_request(height, req), req.path, future))
        return future

    def close(self, timeout_s: float = 5.0) -> None:
        """Kill every worker, answer every waiting query, end the threads (each reaps its worker)."""
        with self._lock:
            self._closed = True
            while True:
                try:
                    job = self._jobs.get_nowait()
                except Empty:
                    break
                if job is not None and job.future.set_running_or_notify_cancel():
                    job.future.set_result(refusal(codes.QUERY_WORKER_FAILED, "the node is stopping"))
            self._pending = 0
            for _ in self._threads:
                self._jobs.put(None)
            for worker in self._workers.values():
                worker.signal_kill()  # a query under way ends now; its thread answers it and reaps
        deadline = time.monotonic() + timeout_s
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    # ---- one thread per worker ---------------------------------------------------------------

    def _serve(self, index: int) -> None:
        worker = self._start(index)
        while (job := self._jobs.get()) is not None:
            if not job.future.set_running_or_notify_cancel():
                self._answered()
                continue  # its asker is gone (the ABCI connection closed)
            try:
                if worker is None or not worker.alive:
                    worker = self._start(index)
                answer, worker = self._ask(worker, job)
            except Exception:  # a bug here must not leave the query, or this thread, hanging
                log.exception("query_pool_bug", path=job.path)
                answer = refusal(codes.INTERNAL, "internal error")
            self._answered()
            job.future.set_result(answer)
        if worker is not None:
            worker.kill()

    def _answered(self) -> None:
        with self._lock:
            self._pending = max(0, self._pending - 1)

    def _start(self, index: int) -> WorkerProcess | None:
        secondary = str(Path(self._db_path).parent / f"query-worker-{index}")
        try:
            worker = self._spawn(self._db_path, secondary, self._settings)
        except (OSError, WorkerFailed) as exc:
            log.error("query_worker_not_started", worker=index, error=str(exc))
            return None
        with self._lock:
            if self._closed:
                worker.kill()
                return None
            self._workers[index] = worker
        log.info("query_worker_started", worker=index, pid=worker.process.pid)
        return worker

    def _ask(self, worker: WorkerProcess | None, job: _Job) -> tuple[types.ResponseQuery, WorkerProcess | None]:
        """The answer to `job`, and the worker to keep (None: it was killed or is gone)."""
        if worker is None:
            return refusal(codes.QUERY_WORKER_FAILED, "this node's query worker could not start; see its log"), None
        budget_s = self._settings.query_timeout_ms / 1000
        try:
            answer = worker.ask(job.frame, time.monotonic() + budget_s + GRACE_S)
            return types.ResponseQuery.FromString(answer), worker
        except WorkerTimedOut:
            log.warning("query_worker_killed", path=job.path, budget_ms=self._settings.query_timeout_ms,
                        reason="no answer within the budget and its grace")
            worker.kill()
            return refusal(codes.QUERY_TIMEOUT, (
                f"the query ran past this node's time budget of {budget_s:g} s (app.query_timeout_ms) "
                "and was abandoned")), None
        except Exception as exc:  # WorkerFailed, a garbled answer: a fault of the worker, not the node
            stopping = self._closed
            if not stopping:
                log.error("query_worker_failed", path=job.path, error=f"{type(exc).__name__}: {exc}")
            worker.kill()
            return refusal(codes.QUERY_WORKER_FAILED, "the node is stopping" if stopping else (
                "this node's query worker failed on this query and is being restarted; try again")), None
