"""The one worker abstraction (app/worker.Lane): requests run in order on one named thread,
superseded requests are dropped before they run and their results after, results and errors
arrive on the GUI thread, a cancelled key stops between requests, and the thread ends when the
lane is idle. Plus: no other thread pattern exists in the app, and gui/ decides nothing."""

from __future__ import annotations

import ast
import re
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QThread

from ecg_viewer.app.worker import Lane, running_lanes

PKG = Path(__file__).resolve().parents[1] / "ecg_viewer"


@pytest.fixture
def app(qapp):
    return qapp


def test_results_arrive_in_order_on_the_gui_thread(qtbot, app):
    lane = Lane("t-order")
    seen: list[tuple[int, object, bool]] = []
    names: list[str] = []

    def work(x):
        names.append(QThread.currentThread().objectName())
        return x * 2

    lane.finished.connect(lambda i, r: seen.append(
        (i, r, QThread.currentThread() is QCoreApplication.instance().thread())))
    ids = [lane.submit(work, n, key=f"k{n}") for n in range(3)]
    qtbot.waitUntil(lambda: len(seen) == 3, timeout=10000)
    assert [(i, r) for i, r, _ in seen] == [(ids[0], 0), (ids[1], 2), (ids[2], 4)]
    assert all(on_gui for *_, on_gui in seen)
    assert set(names) == {"ecg-viewer-t-order"}
    qtbot.waitUntil(lambda: not lane.is_running(), timeout=5000)  # idle: the thread ends
    assert lane not in running_lanes()


def test_latest_request_wins(qtbot, app):
    lane = Lane("t-latest")
    gate, started = threading.Event(), threading.Event()
    ran: list[int] = []
    got: list[object] = []

    def slow(n):
        started.set()
        assert gate.wait(10)
        ran.append(n)
        return n

    def fast(n):
        ran.append(n)
        return n

    lane.finished.connect(lambda _i, r: got.append(r))
    lane.submit(slow, 1, key="a")
    assert started.wait(10)
    lane.submit(fast, 2, key="a")  # superseded before it runs
    last = lane.submit(fast, 3, key="a")
    other = lane.submit(fast, 9, key="b")  # another key is not superseded
    assert lane.is_current(last, "a") and not lane.is_current(last - 1, "a")
    gate.set()
    qtbot.waitUntil(lambda: not lane.busy, timeout=10000)
    qtbot.wait(50)
    assert ran == [1, 3, 9]  # 2 never ran; 1 ran (it had started) but its result is dropped
    assert got == [3, 9] and other > last


def test_errors_are_delivered_and_the_lane_keeps_working(qtbot, app):
    lane = Lane("t-error")
    errors: list[BaseException] = []

    def boom():
        raise ValueError("bad input")

    with qtbot.waitSignal(lane.failed, timeout=10000) as failed:
        lane.submit(boom, on_error=errors.append)
    assert isinstance(failed.args[1], ValueError) and errors == [failed.args[1]]
    with qtbot.waitSignal(lane.finished, timeout=10000) as ok:
        lane.submit(lambda: 42)
    assert ok.args[1] == 42


def test_cancel_stops_between_requests_and_shutdown_stops_everything(qtbot, app):
    lane = Lane("t-cancel")
    gate, started = threading.Event(), threading.Event()
    ran: list[int] = []

    def step(n):
        if n == 0:
            started.set()
            assert gate.wait(10)
        ran.append(n)
        return n

    for n in range(5):
        lane.submit(step, n, key="run", latest=False)  # every one is delivered ...
    assert started.wait(10)
    lane.cancel("run")  # ... until the run is cancelled: the rest never runs
    gate.set()
    qtbot.waitUntil(lambda: not lane.busy, timeout=10000)
    assert ran == [0]
    lane.submit(step, 7, key="run", latest=False)
    qtbot.waitUntil(lambda: ran == [0, 7], timeout=10000)
    assert lane.shutdown(5000) and not lane.is_running()
    lane.submit(step, 8)  # nothing runs after shutdown
    qtbot.wait(100)
    assert ran == [0, 7] and not lane.is_running()


def _sources(folder: str) -> list[Path]:
    return sorted((PKG / folder).rglob("*.py"))


def test_one_thread_pattern_in_the_app():
    """Only app/worker.py makes threads (QThread, threading.Thread, executors)."""
    pattern = re.compile(r"\bQThread\b|threading\.Thread\(|ThreadPoolExecutor|QThreadPool")
    offenders = [str(p.relative_to(PKG)) for p in PKG.rglob("*.py")
                 if pattern.search(p.read_text(encoding="utf-8"))
                 and p != PKG / "app" / "worker.py" and "pipeline" not in p.parts]
    assert offenders == []


def test_gui_decides_nothing_about_computing():
    """No module in gui/ imports the pipeline's analysis, the measurements, the model, the
    readers' worker side or the batch engine: it connects widgets to app/ signals."""
    banned = ("ecg_viewer.pipeline", "ecg_viewer.signal.measure", "ecg_viewer.model",
              "ecg_viewer.compare.pair", "ecg_viewer.compare.prior.find_prior")
    found = []
    for path in _sources("gui"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                       and getattr(block.test, "id", "") == "TYPE_CHECKING"
                       for n in ast.walk(block)}
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            found += [f"{path.name}: {n}" for n in names
                      if any(n == b or n.startswith(b + ".") for b in banned)]
    assert found == []
    assert not (PKG / "gui" / "model_link.py").exists()
    assert not (PKG / "gui" / "report_actions.py").exists()


def test_the_window_is_built_explicitly():
    """No part of the window is probed for (hasattr/getattr on the window): MainWindow builds
    each one, and nothing in gui/ imports the main window (no import cycle)."""
    probe = re.compile(r"(hasattr|getattr)\((self|self\.win|self\.window|win|window)\b\s*,")
    found = [f"{p.name}: {m.group(0)}" for p in _sources("gui")
             for m in probe.finditer(p.read_text(encoding="utf-8"))]
    allowed = {"grid_item.py", "header.py", "page_view.py"}  # a widget's own lazily set fields
    assert [f for f in found if f.split(":")[0] not in allowed] == []
    importers = [p.name for p in _sources("gui") if p.name not in ("main_window.py", "launch.py")
                 and "gui.main_window" in p.read_text(encoding="utf-8")]
    assert importers == []
