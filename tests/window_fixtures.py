"""Real windows for the tests (test helper): the main window on a review database of the test's
own, and the worklist panel in a dock as narrow as a 1366×768 screen gives it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def main_window(qtbot: Any, monkeypatch: Any, data_dir: Path, size: tuple[int, int] = (1500, 950)):
    """A shown MainWindow whose review database lives in ``data_dir``."""
    monkeypatch.setenv("ECG_VIEWER_DATA_DIR", str(data_dir))
    from ecg_viewer.gui.launch import ensure_app
    from ecg_viewer.gui.main_window import MainWindow

    ensure_app()
    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(*size)
    win.show()
    qtbot.waitExposed(win)
    return win


def worklist_in_dock(qtbot: Any, store: Any, width: int = 270):
    """(panel, service, window): the real worklist panel in a left dock ``width`` px wide."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDockWidget, QMainWindow

    from ecg_viewer.app.worklist_service import WorklistService
    from ecg_viewer.gui.launch import ensure_app
    from ecg_viewer.gui.worklist_panel import WorklistPanel

    ensure_app()
    win = QMainWindow()
    qtbot.addWidget(win)
    service = WorklistService(parent=win)
    panel = WorklistPanel(store, service)
    dock = QDockWidget("worklist", win)
    dock.setWidget(panel)
    win.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
    win.setCentralWidget(QMainWindow())
    win.resize(1000, 700)
    win.show()
    win.resizeDocks([dock], [width], Qt.Orientation.Horizontal)
    qtbot.waitExposed(win)
    return panel, service, win


@contextmanager
def opened_worklist(qtbot: Any, store: Any, folder: Path) -> Iterator[Any]:
    """The worklist panel in its dock (:func:`worklist_in_dock`) with ``folder`` opened and
    every file analysed; shut down on leaving."""
    panel, service, _win = worklist_in_dock(qtbot, store)
    try:
        with qtbot.waitSignal(service.finished, timeout=240000):
            panel.open_folder(folder)
        qtbot.wait(100)
        yield panel
    finally:
        panel.shutdown()
