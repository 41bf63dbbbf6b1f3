"""Run a function off the GUI thread: one small wrapper around QThread used by the whole app.

``start_task(fn, *args)`` returns a :class:`Task` whose ``finished(object)`` signal carries the
result and whose ``errored(object)`` carries the exception, both delivered on the GUI thread.
Every running thread is kept in :data:`_RUNNING` so nothing is garbage-collected mid-run, and
:func:`wait_all` lets the window (and the tests) join them before exit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

log = logging.getLogger(__name__)

_RUNNING: set[Task] = set()


class _Runner(QObject):
    done = Signal(object)
    failed = Signal(object)

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        super().__init__()
        self._fn = fn
        self._args = args

    @Slot()
    def run(self) -> None:
        try:
            result = self._fn(*self._args)
        except BaseException as exc:  # delivered to the GUI as a message, never lost
            log.debug("task %s failed", getattr(self._fn, "__name__", self._fn), exc_info=True)
            self.failed.emit(exc)
        else:
            self.done.emit(result)


class Task(QObject):
    """A function running on its own QThread."""

    finished = Signal(object)
    errored = Signal(object)

    def __init__(self, fn: Callable[..., Any], *args: Any, name: str = "task") -> None:
        super().__init__()
        self.thread = QThread()
        self.thread.setObjectName(f"ecg-viewer-{name}")
        self._runner = _Runner(fn, args)
        self._runner.moveToThread(self.thread)
        self.thread.started.connect(self._runner.run)
        # queued onto this object's (the GUI) thread
        self._runner.done.connect(self._on_done)
        self._runner.failed.connect(self._on_failed)
        self.thread.finished.connect(self._on_thread_finished)
        self.completed = False  # the function returned or raised (the thread may still be ending)

    def start(self) -> Task:
        _RUNNING.add(self)
        self.thread.start()
        return self

    @Slot(object)
    def _on_done(self, result: object) -> None:
        self.completed = True
        self.thread.quit()
        self.finished.emit(result)

    @Slot(object)
    def _on_failed(self, exc: object) -> None:
        self.completed = True
        self.thread.quit()
        self.errored.emit(exc)

    @Slot()
    def _on_thread_finished(self) -> None:
        _RUNNING.discard(self)

    def wait(self, ms: int = 30000) -> bool:
        return self.thread.wait(ms)


def start_task(fn: Callable[..., Any], *args: Any, name: str = "task") -> Task:
    return Task(fn, *args, name=name).start()


def running_tasks() -> list[Task]:
    """Tasks whose thread is still running; a finished task's thread is given a moment to end."""
    for t in list(_RUNNING):
        if t.completed:
            t.thread.wait(2000)
    return [t for t in _RUNNING if t.thread.isRunning()]


def wait_all(ms: int = 30000) -> bool:
    """Join every task thread (called on window close). True when all stopped in time."""
    ok = True
    for task in list(_RUNNING):
        task.thread.quit()
        ok = task.thread.wait(ms) and ok
    return ok
