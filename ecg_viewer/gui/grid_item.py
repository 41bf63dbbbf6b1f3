"""ECG paper: the 1 mm / 5 mm grid as one cached graphics item (not thousands of line items)."""

from __future__ import annotations

from PySide6.QtCore import QLineF, QRectF
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from ecg_viewer.signal.page import MAJOR_MM, MINOR_MM

PAPER = QColor(255, 250, 250)
MINOR = QColor(248, 196, 204)
MAJOR = QColor(232, 120, 136)


class GridItem(QGraphicsItem):
    """Paints the grid over ``0..width_mm`` × ``0..height_mm`` (item coordinates are mm).

    Cached in device coordinates, so panning reuses the pixels and only zooming repaints.
    Minor lines are left out when they would be closer than 3 pixels (zoomed far out)."""

    def __init__(self) -> None:
        super().__init__()
        self._rect = QRectF(0, 0, 0, 0)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setZValue(-100)
        self.paint_count = 0  # how often the grid was actually painted (for the bench/tests)

    def set_size(self, width_mm: float, height_mm: float) -> None:
        if (self._rect.width(), self._rect.height()) != (width_mm, height_mm):
            self.prepareGeometryChange()
            self._rect = QRectF(0, 0, width_mm, height_mm)
            self.update()

    @property
    def major_mm(self) -> float:
        return MAJOR_MM

    @property
    def minor_mm(self) -> float:
        return MINOR_MM

    def boundingRect(self) -> QRectF:
        return self._rect

    def _build_lines(self) -> None:
        w, h = int(round(self._rect.width())), int(round(self._rect.height()))
        step = int(MAJOR_MM)
        self._minor = [QLineF(x, 0, x, h) for x in range(w + 1) if x % step]
        self._minor += [QLineF(0, y, w, y) for y in range(h + 1) if y % step]
        self._major = [QLineF(x, 0, x, h) for x in range(0, w + 1, step)]
        self._major += [QLineF(0, y, w, y) for y in range(0, h + 1, step)]

    def paint(self, p: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        self.paint_count += 1
        r = self._rect
        if r.isEmpty():
            return
        if getattr(self, "_built_for", None) != (r.width(), r.height()):
            self._build_lines()
            self._built_for = (r.width(), r.height())
        p.fillRect(r, PAPER)
        px_per_mm = abs(p.worldTransform().m11()) or 1.0
        for lines, color in ((self._minor, MINOR), (self._major, MAJOR)):
            if color is MINOR and px_per_mm * MINOR_MM < 3.0:
                continue  # minor lines closer than 3 px: left out
            pen = QPen(color)
            pen.setCosmetic(True)
            pen.setWidthF(1.0)
            p.setPen(pen)
            p.drawLines(lines)
