"""Start the viewer: ``run_gui(files)`` (called by ``ecg-viewer [FILE...]``)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

from ecg_viewer.app.settings import APPLICATION, ORGANIZATION
from ecg_viewer.gui.fonts import app_font

log = logging.getLogger(__name__)


def ensure_app(argv: list[str] | None = None) -> QApplication:
    """The QApplication (created once), with the bundled Japanese font as the default font."""
    app = QApplication.instance()
    if app is None:
        QCoreApplication.setOrganizationName(ORGANIZATION)
        QCoreApplication.setApplicationName(APPLICATION)
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setFont(app_font(10))
    return app  # type: ignore[return-value]


def run_gui(files: list[str], explicit_lang: bool = False) -> int:
    """Open the main window (on the first of ``files``; a folder opens as the worklist, read
    from the keyboard) and run the event loop. ``explicit_lang``: a language was given on the
    command line (``--lang``), which wins over the one stored from the last run."""
    app = ensure_app()
    from ecg_viewer.gui.main_window import MainWindow

    win = MainWindow(use_stored_language=not explicit_lang)
    win.show()
    if files and Path(files[0]).is_dir():
        win.reading_desk.open_folder(files[0])
    elif files:
        win.controller.open_file(files[0])
    return int(app.exec())
