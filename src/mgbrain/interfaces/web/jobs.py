"""Background jobs: a bounded queue, worker processes, progress, cancel and a time limit.

A job is a kind (a name in :data:`mgbrain.interfaces.web.work.KINDS`) and a payload of plain
values that was validated before it was queued. Each worker slot owns one child process
(``spawn``: nothing of the server is shared with it) that runs one job at a time and reports
progress through a pipe; cancelling a job or passing its time limit terminates that process,
and the slot starts a fresh one for the next job. The queue holds at most ``max_queued`` jobs
waiting (:class:`QueueFull` beyond); finished jobs are kept for the ``keep`` most recent.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Job", "JobRunner", "QueueFull", "FINISHED"]

FINISHED = ("done", "failed", "cancelled", "timed_out")


class QueueFull(Exception):
    """Every worker is busy and the queue is full: try again later."""


@dataclass
class Job:
    """One job's state, as the API shows it (``result`` only when done)."""

    id: str
    kind: str
    payload: dict
    time_limit_s: float
    state: str = "queued"
    progress: float = 0.0
    message: str = "waiting for a worker"
    created: float = field(default_factory=time.time)
    started: float | None = None
    result: dict | None = None
    report: str | None = None
    error: dict | None = None
    cancel_requested: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "state": self.state, "progress": round(self.progress, 3),
                "message": self.message, "created": self.created, "time_limit_s": self.time_limit_s,
                "result": self.result, "error": self.error, "has_report": self.report is not None}


def _worker_main(conn) -> None:  # the child process: one job at a time, until the pipe closes
    from mgbrain.errors import MgBrainError
    from mgbrain.interfaces.web.work import KINDS

    while True:
        try:
            kind, payload = conn.recv()
        except EOFError:
            return

        def progress(fraction: float, message: str) -> None:
            conn.send(("progress", float(fraction), message))

        try:
            result, report = KINDS[kind](payload, progress)
            conn.send(("done", result, report))
        except MgBrainError as exc:
            conn.send(("failed", exc.to_dict()))
        except Exception as exc:  # a bug in a job is that job's failure, never the server's
            conn.send(("failed", {"error": "InternalError", "message": f"{type(exc).__name__}: {exc}",
                                  "argument": None, "expected": None, "received": None, "hint": None}))


class _Slot:
    """One worker process, started on first use and replaced after it is terminated."""

    def __init__(self) -> None:
        self.process: Any = None
        self.conn: Any = None
        self.lock = threading.Lock()  # the slot's thread and shutdown may both kill it

    def ensure(self) -> None:
        if self.process is None or not self.process.is_alive():
            ctx = mp.get_context("spawn")
            parent, child = ctx.Pipe()
            self.process = ctx.Process(target=_worker_main, args=(child,), daemon=True, name="mgbrain-job")
            self.process.start()
            child.close()
            self.conn = parent

    def kill(self) -> None:
        with self.lock:
            process, conn = self.process, self.conn
            self.process, self.conn = None, None
        if process is not None:
            process.terminate()
            process.join(5)
            if process.is_alive():
                process.kill()
                process.join(5)
        if conn is not None:
            conn.close()


class JobRunner:
    """Runs jobs in ``workers`` child processes, at most ``max_queued`` waiting, each within ``time_limit_s``."""

    def __init__(self, *, workers: int = 1, max_queued: int = 8, time_limit_s: float = 300.0, keep: int = 64) -> None:
        self.time_limit_s = float(time_limit_s)
        self.keep = keep
        self._queue: queue.Queue[Job | None] = queue.Queue(maxsize=max_queued)
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._slots = [_Slot() for _ in range(workers)]
        self._stopping = False
        self._threads = [threading.Thread(target=self._serve, args=(slot,), daemon=True, name="mgbrain-jobs")
                         for slot in self._slots]
        for t in self._threads:
            t.start()

    # ------------------------------------------------------------------ public
    def submit(self, kind: str, payload: dict) -> Job:
        """Queue a job; :class:`QueueFull` when ``max_queued`` jobs already wait."""
        job = Job(uuid.uuid4().hex, kind, payload, self.time_limit_s)
        with self._lock:
            try:
                self._queue.put_nowait(job)
            except queue.Full:
                raise QueueFull from None
            self._jobs[job.id] = job
            self._forget_old()
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def cancel(self, job_id: str) -> Job | None:
        """Cancel a queued or running job (a finished one is left as it is)."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None and job.state not in FINISHED:
                job.cancel_requested = True
                if job.state == "queued":
                    job.state, job.message = "cancelled", "cancelled before it started"
        return job

    def shutdown(self) -> None:
        self._stopping = True
        for _ in self._slots:
            try:
                self._queue.put_nowait(None)
            except queue.Full:
                break
        for slot in self._slots:
            slot.kill()

    # ------------------------------------------------------------------ workers
    def _forget_old(self) -> None:
        finished = [k for k, j in self._jobs.items() if j.state in FINISHED]
        for k in finished[: max(0, len(self._jobs) - self.keep)]:
            del self._jobs[k]

    def _serve(self, slot: _Slot) -> None:
        while not self._stopping:
            job = self._queue.get()
            if job is None:
                return
            if job.cancel_requested:
                continue
            try:
                self._run(slot, job)
            except (OSError, EOFError, ValueError) as exc:  # the child died or was stopped: the job failed
                slot.kill()
                if self._stopping:
                    self._finish(job, "cancelled", "the server stopped")
                    continue
                self._finish(job, "failed", "the worker process stopped",
                             error={"error": "WorkerError", "message": f"the worker process stopped ({exc})",
                                    "argument": None, "expected": None, "received": None, "hint": None})

    def _finish(self, job: Job, state: str, message: str, **fields: Any) -> None:
        with self._lock:
            job.state, job.message = state, message
            for k, v in fields.items():
                setattr(job, k, v)
            if state == "done":
                job.progress = 1.0

    def _run(self, slot: _Slot, job: Job) -> None:
        with self._lock:
            job.state, job.message, job.started = "running", "starting a worker", time.time()
        slot.ensure()
        conn, process = slot.conn, slot.process
        conn.send((job.kind, job.payload))
        deadline = job.started + job.time_limit_s
        while True:
            if job.cancel_requested or self._stopping:
                slot.kill()
                self._finish(job, "cancelled", "cancelled" if job.cancel_requested else "the server stopped")
                return
            if time.time() > deadline:
                slot.kill()
                self._finish(job, "timed_out", f"stopped at the time limit of {job.time_limit_s:g} s",
                             error={"error": "TimeLimit", "message": "the job ran past its time limit",
                                    "argument": None, "expected": f"at most {job.time_limit_s:g} s",
                                    "received": None, "hint": "ask for less work (fewer days, samples or forms)"})
                return
            if not conn.poll(0.1):
                if not process.is_alive():
                    raise EOFError(f"exit code {process.exitcode}")
                continue
            message = conn.recv()
            if message[0] == "progress":
                with self._lock:
                    job.progress, job.message = message[1], message[2]
            elif message[0] == "done":
                self._finish(job, "done", "done", result=message[1], report=message[2])
                return
            else:
                self._finish(job, "failed", message[1].get("message", "failed"), error=message[1])
                return
