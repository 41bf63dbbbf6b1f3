"""What the window does when a file cannot be opened: a CSV that states no sampling rate asks the
reader for it (QA 43: the message said to give the rate, and the window had nowhere to), any
other error goes to the notices and the ECG on screen stays."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QInputDialog, QWidget

from ecg_viewer.core.errors import EcgError, EcgFileNotFoundError, user_message
from ecg_viewer.core.messages import tr

NEEDS_RATE = "read.csv_needs_rate"


def ask_rate(parent: QWidget, path: str) -> float | None:
    """The sampling rate (Hz) of ``path``, asked of the reader; None when they cancel."""
    rate, ok = QInputDialog.getDouble(parent, tr("ui.open.rate_title"),
                                      tr("ui.open.rate_label", file=Path(path).name),
                                      500.0, 1.0, 20000.0, 1)
    return rate if ok else None


def load_failed(win: Any, path: str, exc: BaseException) -> None:
    """``win``: the main window (its controller and its load-error notice)."""
    if isinstance(exc, EcgError) and exc.message_key == NEEDS_RATE:
        rate = ask_rate(win, path)
        if rate:
            win.controller.open_file(path, fs_hz=rate)
            return
    if isinstance(exc, EcgFileNotFoundError) and not Path(path).exists():
        # moved or deleted since: out of the recent files (QA 43: it stayed there)
        win.controller.recentChanged.emit(
            win.app_settings.remove_recent_file(str(Path(path).resolve())))
    win.show_load_error(path, lambda lang: user_message(exc, lang))
