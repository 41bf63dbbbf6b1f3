"""Draw a page to PNG or SVG with the same view the window uses (no window shown).

Used by ``ecg-viewer render`` and by the window's "save view as image". The file is written to a
temporary name beside the target and renamed into place (atomic).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QApplication

from ecg_viewer.gui.page_view import EcgPageView
from ecg_viewer.signal.calipers import Caliper
from ecg_viewer.signal.page import Page

MM_PER_INCH = 25.4


def _prepared_view(page: Page, signal_mv: np.ndarray, fs_hz: float, px_per_mm: float,
                   calipers: list[Caliper] | None) -> EcgPageView:
    view = EcgPageView()
    view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setFrameShape(view.Shape.NoFrame)
    size = QSize(int(round(page.width_mm * px_per_mm)), int(round(page.height_mm * px_per_mm)))
    view.resize(size)
    view.show()
    QApplication.processEvents()
    view.set_page(page, signal_mv, fs_hz, keep_view=True)
    view.set_calipers(calipers or [])
    view.vb.setRange(rect=QRectF(0, 0, page.width_mm, page.height_mm), padding=0)
    QApplication.processEvents()
    return view


def _atomic_target(out: Path) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{out.stem}.", suffix=out.suffix, dir=out.parent)
    os.close(fd)
    return Path(tmp)


def export_page(page: Page, signal_mv: np.ndarray, fs_hz: float, out: str | os.PathLike[str],
                dpi: float = 200.0, calipers: list[Caliper] | None = None) -> Path:
    """Write ``page`` to ``out`` (.png at ``dpi``, or .svg at true size in mm)."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise ValueError(f"output must be .png or .svg, got {out.name!r}")
    px_per_mm = dpi / MM_PER_INCH if suffix == ".png" else 96 / MM_PER_INCH * 2
    view = _prepared_view(page, signal_mv, fs_hz, px_per_mm, calipers)
    tmp = _atomic_target(out)
    try:
        size = view.size()
        if suffix == ".png":
            img = QImage(size, QImage.Format.Format_RGB32)
            img.setDotsPerMeterX(int(round(dpi / MM_PER_INCH * 1000)))
            img.setDotsPerMeterY(int(round(dpi / MM_PER_INCH * 1000)))
            img.fill(Qt.GlobalColor.white)
            painter = QPainter(img)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            view.render(painter)
            painter.end()
            if not img.save(str(tmp), "PNG"):
                raise OSError(f"could not write {tmp}")
        else:
            gen = QSvgGenerator()
            gen.setFileName(str(tmp))
            gen.setSize(size)
            gen.setViewBox(QRectF(0, 0, size.width(), size.height()))
            gen.setResolution(int(round(px_per_mm * MM_PER_INCH)))
            gen.setTitle("ECG")
            painter = QPainter(gen)
            view.render(painter)
            painter.end()
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()
        view.close()
        view.deleteLater()
    return out
