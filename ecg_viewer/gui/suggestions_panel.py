"""The panel beside the traces reserved for the model's suggestions and the referral flag.

API for the suggestions issue (all on the GUI thread):
- ``show_placeholder()``: no analysis yet (says that the model's suggestions appear here)
- ``set_busy(text=None)``: analysis running (optional progress text, e.g. "モデル読み込み中 40%")
- ``show_analysis(analysis, top_k=5)``: an :class:`ecg_viewer.core.prediction.Analysis`
- ``show_error(message)``: the analysis failed (the window keeps working)
- ``set_status(text)``: a small line under the list (device, model version ...)
- ``extra_layout``: a QVBoxLayout below the list where further widgets (free-text query ...) go
The safety notice (``safety.notice``) is always shown at the bottom.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QProgressBar,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ecg_viewer.core.messages import language, tr
from ecg_viewer.core.prediction import REFERRAL_EN, REFERRAL_JA, Analysis
from ecg_viewer.gui.fonts import app_font

# banner colours by referral level
LEVEL_COLORS = {
    "urgent": "#c00000", "D": "#e05a00", "C": "#b08800", "B": "#4f7f2f", "A": "#2f6f9f",
    "E": "#6a4fa0", "unreadable": "#666666",
}  # fmt: skip


class SuggestionsPanel(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumWidth(260)
        self.state = "placeholder"  # placeholder | busy | analysis | error
        self.analysis: Analysis | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        self.title = QLabel()
        self.title.setFont(app_font(12, bold=True))
        lay.addWidget(self.title)
        self.banner = QLabel()
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.setFont(app_font(14, bold=True))
        self.banner.setWordWrap(True)
        self.banner.setVisible(False)
        lay.addWidget(self.banner)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #555;")
        lay.addWidget(self.message)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setVisible(False)
        lay.addWidget(self.progress)
        self.table = QTreeWidget()
        self.table.setRootIsDecorated(False)
        self.table.setColumnCount(3)
        self.table.setVisible(False)
        lay.addWidget(self.table, 1)
        self.status = QLabel()
        self.status.setStyleSheet("color: #777;")
        lay.addWidget(self.status)
        self.extra_layout = QVBoxLayout()
        lay.addLayout(self.extra_layout)
        lay.addStretch(0)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color: #a00; font-size: 9pt;")
        lay.addWidget(self.notice)
        self.retranslate()
        self.show_placeholder()

    def retranslate(self) -> None:
        self.title.setText(tr("ui.suggest.title"))
        self.notice.setText(tr("safety.notice"))
        self.table.setHeaderLabels(["所見" if language() == "ja" else "Finding", "%",
                                    tr("ui.suggest.referral")])
        if self.state == "placeholder":
            self.show_placeholder()
        elif self.state == "analysis" and self.analysis is not None:
            self.show_analysis(self.analysis)

    # --- API -------------------------------------------------------------------------------------
    def show_placeholder(self) -> None:
        self.state = "placeholder"
        self.analysis = None
        self.banner.setVisible(False)
        self.progress.setVisible(False)
        self.table.setVisible(False)
        self.message.setText(tr("ui.suggest.placeholder"))

    def set_busy(self, text: str | None = None) -> None:
        self.state = "busy"
        self.banner.setVisible(False)
        self.table.setVisible(False)
        self.progress.setVisible(True)
        self.message.setText(text or tr("ui.suggest.busy"))

    def show_error(self, message: str) -> None:
        self.state = "error"
        self.progress.setVisible(False)
        self.table.setVisible(False)
        self.banner.setVisible(False)
        self.message.setText(tr("ui.suggest.error", error=message))

    def set_status(self, text: str) -> None:
        self.status.setText(text)

    def show_analysis(self, analysis: Analysis, top_k: int = 5) -> None:
        self.state = "analysis"
        self.analysis = analysis
        self.progress.setVisible(False)
        ref = analysis.referral
        ja = language() == "ja"
        self.banner.setText(REFERRAL_JA[ref.level] if ja else REFERRAL_EN[ref.level])
        self.banner.setStyleSheet(
            f"background: {LEVEL_COLORS.get(ref.level, '#666')}; color: white; padding: 6px;")
        self.banner.setVisible(True)
        reasons = list(ref.reasons_ja) or [p.ja if ja else p.en for p in analysis.quality.problems]
        self.message.setText("\n".join(reasons))
        self.table.clear()
        labels = analysis.prediction.top(top_k) if analysis.prediction else ()
        for s in labels:
            item = QTreeWidgetItem([s.ja if ja else s.en, f"{100 * s.score:.0f}",
                                    REFERRAL_JA.get(s.category, s.category) if ja else s.category])
            item.setToolTip(0, f"{s.en} / {s.ja}\nsimilarity {s.similarity:.3f}, "
                               f"score {s.score:.3f}, threshold {s.threshold:.3f}")
            if s.above_threshold:
                f = app_font(10, bold=True)
                for col in range(3):
                    item.setFont(col, f)
            self.table.addTopLevelItem(item)
        for col in range(3):
            self.table.resizeColumnToContents(col)
        self.table.setVisible(bool(labels))
