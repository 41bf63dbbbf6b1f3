"""Draw a page to PNG or SVG with the same view the window uses (no window shown).

Used by ``ecg-viewer render`` and by the window's "save view as image". The image is drawn into
memory, checked (a PNG must decode back to its size, an SVG must be complete XML), and then
written by the project's one atomic writer (:mod:`ecg_viewer.report.atomic`): a full disk or a
read-only folder is an :class:`~ecg_viewer.report.atomic.ExportError` and leaves no file.
"""

from __future__ import annotations

import os
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QApplication

from ecg_viewer.gui.page_view import EcgPageView
from ecg_viewer.report.atomic import ExportError, write_atomic
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


def export_page(page: Page, signal_mv: np.ndarray, fs_hz: float, out: str | os.PathLike[str],
                dpi: float = 200.0, calipers: list[Caliper] | None = None) -> Path:
    """Write ``page`` to ``out`` (.png at ``dpi``, or .svg at true size in mm), atomically.
    Raises ExportError (message table) when the file cannot be written completely."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise ValueError(f"output must be .png or .svg, got {out.name!r}")
    px_per_mm = dpi / MM_PER_INCH if suffix == ".png" else 96 / MM_PER_INCH * 2
    view = _prepared_view(page, signal_mv, fs_hz, px_per_mm, calipers)
    try:
        size = view.size()
        try:
            data = _png_bytes(view, size, dpi) if suffix == ".png" else \
                _svg_bytes(view, size, px_per_mm)
        except ValueError as exc:
            raise ExportError("report.write_failed", out, reason=exc) from exc
        if suffix == ".png":
            return write_atomic(out, data, check=lambda b: check_png(b, size))
        return write_atomic(out, data, check=check_svg)
    finally:
        view.close()
        view.deleteLater()


def _png_bytes(view: EcgPageView, size: QSize, dpi: float) -> bytes:
    img = QImage(size, QImage.Format.Format_RGB32)
    img.setDotsPerMeterX(int(round(dpi / MM_PER_INCH * 1000)))
    img.setDotsPerMeterY(int(round(dpi / MM_PER_INCH * 1000)))
    img.fill(Qt.GlobalColor.white)
    painter = QPainter(img)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.render(painter)
    painter.end()
    ba = QByteArray()
    buf = QBuffer(ba)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    ok = img.save(buf, "PNG")
    buf.close()
    if not ok:
        raise ValueError("the PNG encoder failed")
    return bytes(ba.data())


def _svg_bytes(view: EcgPageView, size: QSize, px_per_mm: float) -> bytes:
    ba = QByteArray()
    buf = QBuffer(ba)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    gen = QSvgGenerator()
    gen.setOutputDevice(buf)
    gen.setSize(size)
    gen.setViewBox(QRectF(0, 0, size.width(), size.height()))
    gen.setResolution(int(round(px_per_mm * MM_PER_INCH)))
    gen.setTitle("ECG")
    painter = QPainter(gen)
    view.render(painter)
    if not painter.end():
        raise ValueError("the SVG generator failed")
    buf.close()
    return bytes(ba.data())


def check_png(data: bytes, size: QSize | None = None) -> None:
    """Refuse a PNG that is truncated or does not decode back to ``size``."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or not data.endswith(b"IEND\xaeB`\x82"):
        raise ValueError("the PNG is incomplete")
    img = QImage.fromData(data, "PNG")
    if img.isNull() or (size is not None and img.size() != size):
        raise ValueError("the PNG does not decode to the page size")


def check_svg(data: bytes) -> None:
    """Refuse an SVG that is not complete, well-formed XML with an ``<svg>`` root."""
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise ValueError(f"the SVG is not well-formed XML ({exc})") from exc
    if not root.tag.endswith("svg"):
        raise ValueError("the SVG has no <svg> root")
