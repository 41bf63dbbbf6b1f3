"""The one way the app runs work off the GUI thread: a :class:`Lane` (one QThread each).

A lane runs the callables submitted to it one after the other, in order, on its own QThread
(named ``ecg-viewer-<name>``). ``submit(fn, *args, key=...)`` returns a request id; with
``latest=True`` (the default) a later request of the same ``key`` supersedes it: a superseded
request is dropped before it runs, and its result is dropped after, so only the answer to the
latest request ever reaches the GUI. ``cancel(key)`` drops every pending request of that key
(the worklist stops between files that way). Results arrive on the GUI thread as
``finished(id, result)`` / ``failed(id, exc)`` and through the ``on_done`` / ``on_error``
callbacks given to ``submit``. State that lives across requests (the loaded Analyzer) lives in
the owner of the lane or the callable's closure and is only touched on the lane's thread.

The thread runs while there is work and ends when the lane is idle (the next ``submit`` starts
it again), so no thread outlives its work. :func:`running_lanes` lists the lanes whose thread
still runs (the test suite checks none is left after a test); :func:`wait_all` joins them.
"""

from __future__ import annotations

import collections
import logging
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

log = logging.getLogger(__name__)

THREAD_PREFIX = "ecg-viewer-"
_LANES: weakref.WeakSet[Lane] = weakref.WeakSet()
_KEEP: set[Lane] = set()  # lanes whose thread runs: never garbage-collected mid-run


@dataclass
class _Job:
    id: int
    key: str
    latest: bool
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    on_done: Callable[[Any], None] | None = None
    on_error: Callable[[BaseException], None] | None = None


class _Thread(QThread):
    def __init__(self, lane: Lane) -> None:
        super().__init__()
        self._lane = lane
        self.setObjectName(THREAD_PREFIX + lane.name)

    def run(self) -> None:
        lane = self._lane
        while (job := lane._next()) is not None:
            try:
                result = job.fn(*job.args)
            except BaseException as exc:  # delivered to the GUI, never lost
                log.warning("%s: %s failed: %r", self.objectName(),
                            getattr(job.fn, "__name__", job.fn), exc)
                log.debug("traceback", exc_info=True)
                lane._relay_failed.emit(job.id, (job, exc))
            else:
                lane._relay_done.emit(job.id, (job, result))


class Lane(QObject):
    """One worker thread running submitted callables in order, latest request wins per key."""

    finished = Signal(int, object)  # request id, result (GUI thread, superseded ones dropped)
    failed = Signal(int, object)  # request id, the exception
    _relay_done = Signal(int, object)  # emitted on the lane's thread, queued to the GUI
    _relay_failed = Signal(int, object)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._lock = threading.Lock()
        self._queue: collections.deque[_Job] = collections.deque()
        self._counter = 0
        self._latest: dict[str, int] = {}  # key -> id of the latest request
        self._floor: dict[str, int] = {}  # key -> requests up to this id are cancelled
        self._running = False  # the thread's loop is running (under _lock)
        self._pending = 0  # submitted and neither dropped nor handled on the GUI thread yet
        self.closed = False
        self._thread = _Thread(self)
        self._thread.finished.connect(lambda: _KEEP.discard(self))
        self._relay_done.connect(self._on_done)
        self._relay_failed.connect(self._on_failed)
        _LANES.add(self)

    # --- submitting ----------------------------------------------------------------------------
    def submit(self, fn: Callable[..., Any], *args: Any, key: str = "default", latest: bool = True,
               on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[BaseException], None] | None = None) -> int:
        """Queue ``fn(*args)``; returns its request id. ``latest``: a later request of ``key``
        supersedes this one. After :meth:`shutdown` nothing runs (the id is still returned)."""
        with self._lock:
            self._counter += 1
            job = _Job(self._counter, key, latest, fn, args, on_done, on_error)
            if latest:
                self._latest[key] = job.id
            if self.closed:
                return job.id
            self._queue.append(job)
            self._pending += 1
            start = not self._running
            self._running = True
        if start:
            # the previous loop has returned (under the lock) or never ran: let it end first
            self._thread.wait()
            _KEEP.add(self)
            self._thread.start()
        return job.id

    def cancel(self, key: str | None = None) -> None:
        """Drop every pending request of ``key`` (all keys when None): not run, never delivered."""
        with self._lock:
            keys = [key] if key is not None else {*self._latest, *self._floor,
                                                   *(j.key for j in self._queue)}
            for k in keys:
                self._floor[k] = self._counter
            kept = collections.deque(j for j in self._queue if not self._stale(j))
            self._pending -= len(self._queue) - len(kept)
            self._queue = kept

    def is_current(self, job_id: int, key: str = "default") -> bool:
        """``job_id`` is the latest request of ``key`` and was not cancelled."""
        with self._lock:
            return self._latest.get(key) == job_id and job_id > self._floor.get(key, 0)

    # --- state ------------------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        """Work is queued or running, or its result is on its way to the GUI thread."""
        with self._lock:
            return self._pending > 0 and not self.closed

    def is_running(self) -> bool:
        return self._thread.isRunning()

    def wait(self, ms: int = 30000) -> bool:
        """Wait until the thread has run every queued request and ended (True in time)."""
        return self._thread.wait(ms)

    def shutdown(self, ms: int = 30000) -> bool:
        """Drop everything pending, let the running request end, join the thread; nothing runs
        on this lane afterwards. True when the thread stopped within ``ms``."""
        with self._lock:
            self.closed = True
            self._pending -= len(self._queue)
            self._queue.clear()
            for k in {*self._latest, *self._floor}:
                self._floor[k] = self._counter
        return self._thread.wait(ms)

    # --- the thread's side ----------------------------------------------------------------------
    def _stale(self, job: _Job) -> bool:  # under _lock
        if job.id <= self._floor.get(job.key, 0):
            return True
        return job.latest and self._latest.get(job.key) != job.id

    def _next(self) -> _Job | None:
        with self._lock:
            while self._queue:
                job = self._queue.popleft()
                if not self._stale(job):
                    return job
                self._pending -= 1
                log.debug("%s: request %d superseded before it ran", self.name, job.id)
            self._running = False
            return None

    # --- the GUI thread's side --------------------------------------------------------------------
    def _deliverable(self, job: _Job) -> bool:
        with self._lock:
            stale = self._stale(job)
            self._pending -= 1  # handled now (delivered below, or dropped)
        if stale:
            log.debug("%s: result of request %d dropped (superseded)", self.name, job.id)
        return not stale

    @Slot(int, object)
    def _on_done(self, job_id: int, payload: tuple[_Job, Any]) -> None:
        job, result = payload
        if self._deliverable(job):
            if job.on_done is not None:
                job.on_done(result)
            self.finished.emit(job_id, result)

    @Slot(int, object)
    def _on_failed(self, job_id: int, payload: tuple[_Job, BaseException]) -> None:
        job, exc = payload
        if self._deliverable(job):
            if job.on_error is not None:
                job.on_error(exc)
            self.failed.emit(job_id, exc)


def running_lanes() -> list[Lane]:
    """Lanes whose thread still runs after a moment given to end (an idle lane's thread is
    returning)."""
    out = []
    for lane in list(_LANES):
        if lane.is_running():
            lane.wait(2000)
        if lane.is_running():
            out.append(lane)
    return out


def any_busy() -> bool:
    """Some lane has work queued or running (benchmarks wait for the background to settle)."""
    return any(lane.busy for lane in list(_LANES))


def wait_all(ms: int = 30000) -> bool:
    """Join every lane's thread after its queued work (window close). True when all ended."""
    ok = True
    for lane in list(_LANES):
        ok = lane.wait(ms) and ok
    return ok
