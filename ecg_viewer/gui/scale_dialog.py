"""Screen scale setting: pixels per mm, from the screen's DPI or measured with a ruler."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ecg_viewer.app.settings import PX_PER_MM_RANGE
from ecg_viewer.core.messages import tr

BAR_MM = 100.0


def screen_px_per_mm(widget: QWidget) -> tuple[float, float]:
    """(px per mm, dpi) of the screen showing ``widget``, from the screen's physical size."""
    screen = widget.screen()
    dpi = screen.physicalDotsPerInchX() if screen else 96.0
    if not dpi or dpi < 20 or dpi > 1200:  # virtual screens report nonsense
        dpi = 96.0
    # Qt 6 gives physicalDotsPerInch in device-independent pixels already (the screen's logical
    # geometry over its physical size), so at 150 % scaling it is 2/3 of the panel's dots per
    # inch: dividing by devicePixelRatio again made "actual size" 1.5× too small (issue 14)
    return dpi / 25.4, dpi


class _Bar(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.px_per_mm = 96 / 25.4
        self.setMinimumHeight(30)

    def paintEvent(self, _ev) -> None:
        p = QPainter(self)
        pen = QPen(QColor(0, 0, 0))
        pen.setWidth(2)
        p.setPen(pen)
        length = BAR_MM * self.px_per_mm
        p.drawLine(10, 15, int(10 + length), 15)
        for mm in range(0, int(BAR_MM) + 1, 10):
            x = int(10 + mm * self.px_per_mm)
            p.drawLine(x, 8, x, 22)
        p.end()


class ScaleDialog(QDialog):
    def __init__(self, px_per_mm: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("ui.scale.title"))
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(tr("ui.scale.explain")))
        self.bar = _Bar()
        lay.addWidget(self.bar)
        form = QFormLayout()
        self.spin = QDoubleSpinBox()
        self.spin.setRange(*PX_PER_MM_RANGE)  # what the settings file takes back
        self.spin.setDecimals(3)
        self.spin.setSingleStep(0.01)
        self.spin.setValue(px_per_mm)
        self.spin.valueChanged.connect(self._update)
        form.addRow(tr("ui.scale.px_per_mm"), self.spin)
        self.measured = QDoubleSpinBox()
        self.measured.setRange(10.0, 400.0)
        self.measured.setDecimals(1)
        self.measured.setValue(BAR_MM)
        self.measured.editingFinished.connect(self._from_measured)
        form.addRow(tr("ui.scale.measured"), self.measured)
        lay.addLayout(form)
        ppm, dpi = screen_px_per_mm(self)
        self.dpi_button = QPushButton(tr("ui.scale.from_dpi", dpi=dpi))
        self.dpi_button.clicked.connect(lambda: self.spin.setValue(ppm))
        lay.addWidget(self.dpi_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.setMinimumWidth(int(BAR_MM * 40 / 25.4) + 40)
        self._update()
        self.setWindowModality(Qt.WindowModality.ApplicationModal)

    def _update(self) -> None:
        self.bar.px_per_mm = self.spin.value()
        self.setMinimumWidth(int(BAR_MM * self.spin.value()) + 40)
        self.bar.update()

    def _from_measured(self) -> None:
        """The bar measured ``m`` mm on a ruler: scale so it becomes 100 mm."""
        m = self.measured.value()
        if m > 0:
            self.spin.setValue(self.spin.value() * BAR_MM / m)
            self.measured.setValue(BAR_MM)

    def px_per_mm(self) -> float:
        return float(self.spin.value())
