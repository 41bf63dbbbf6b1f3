"""File → Save view as image (Ctrl+E): the page on screen, as it is drawn (filters, calipers),
to a PNG or SVG file written atomically (``gui/export.export_page``), named after the ECG beside
it, and said in the status bar."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog

from ecg_viewer.core.errors import EcgError, user_message
from ecg_viewer.core.messages import tr

log = logging.getLogger(__name__)


def save_view_dialog(win: Any) -> None:
    """Ask where (a name after the ECG, beside it, not ~/ecg.png) and save the view there."""
    if win.state.page() is None:
        return
    src = Path(win.state.path or "ecg")
    path, _ = QFileDialog.getSaveFileName(win, tr("ui.action.export_view"),
                                          str(src.with_name(f"{src.stem}_view.png")),
                                          "PNG (*.png);;SVG (*.svg)")
    if path:
        save_view(win, path)


def save_view(win: Any, path: str) -> bool:
    """The window's view as an image at ``path`` (.png/.svg), said in the status bar; False
    (with a notice) when it cannot be written."""
    from ecg_viewer.gui.export import export_page

    page = win.state.page()
    if page is None:
        return False
    try:
        export_page(page, win.state.display_signal(), win.state.record.fs_hz, path,
                    calipers=win.state.calipers)
    except EcgError as exc:  # ExportError: message-table text, no file left behind
        log.warning("image export failed: %r", exc)
        win.notices.notify(lambda lang, e=exc: user_message(e, lang))
        return False
    except ValueError as exc:  # a name not ending in .png/.svg
        log.warning("image export refused: %r", exc)
        win.notices.notify(lambda lang: tr("ui.render.bad_out", lang, out=path))
        return False
    # the status bar had said nothing (or a previous export's path) after the image was written
    win.statusBar().showMessage(tr("report.written", path=path), 8000)
    return True
