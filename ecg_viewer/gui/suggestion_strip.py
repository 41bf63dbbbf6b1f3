"""The suggestions as one strip above the page (reading mode and small screens): the referral
level in its colour, the findings above their thresholds (else the top ones) with scores, and the
reminder that these are suggestions, not a diagnosis. Where the findings do not fit, as many
whole as do and "+n"; the full list is in the tooltip."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from ecg_viewer.core.messages import language, tr
from ecg_viewer.core.prediction import REFERRAL_EN, REFERRAL_JA, Analysis
from ecg_viewer.gui.elided_label import ElidedLabel
from ecg_viewer.gui.fonts import app_font
from ecg_viewer.gui.suggestions_panel import LEVEL_COLORS
from ecg_viewer.labels.evidence import score_text

STRIP_FINDINGS = 5


class SuggestionStrip(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("suggestion_strip")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#suggestion_strip { background: #fbfbf4; }")
        self.level = QLabel()
        self.level.setFont(app_font(11, bold=True))
        # one line at the strip's width, elided at its end; the whole list is the tooltip
        self.findings = ElidedLabel(auto_tooltip=False, shrink_to_zero=True,
                                    mode=Qt.TextElideMode.ElideRight)
        self.findings.setFont(app_font(10))
        self.notice = QLabel()
        self.notice.setStyleSheet("color: #a00;")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(6, 2, 6, 2)
        lay.addWidget(self.level)
        lay.addWidget(self.findings, 1)
        lay.addWidget(self.notice)
        self.analysis: Analysis | None = None
        self.retranslate()
        self.show_text(tr("ui.suggest.placeholder"))

    def retranslate(self) -> None:
        self.notice.setText(tr("desk.strip.notice"))
        self.notice.setToolTip(tr("safety.notice"))
        if self.analysis is not None:
            self.show_analysis(self.analysis)

    def show_text(self, text: str) -> None:
        self.analysis = None
        self.level.setVisible(False)
        self._set_findings(text)

    def show_analysis(self, analysis: Analysis) -> None:
        self.analysis = analysis
        ja = language() == "ja"
        lv = analysis.referral.level
        self.level.setText(REFERRAL_JA[lv] if ja else REFERRAL_EN[lv])
        self.level.setStyleSheet(
            f"background: {LEVEL_COLORS.get(lv, '#666')}; color: white; padding: 2px 8px;")
        self.level.setVisible(True)
        pred = analysis.prediction
        parts: list[str] = []
        if pred is not None:
            parts = list(analysis.referral.measured_reasons())  # why, before the findings
            shown = list(pred.present()) or list(pred.top(3))
            for s in shown[:STRIP_FINDINGS]:
                mark = "● " if s.above_threshold else ""
                unvalidated = tr("suggest.unvalidated_mark") if s.unvalidated else ""  # QA 41
                parts.append(f"{mark}{s.ja if ja else s.en}{unvalidated} {score_text(s, short=True)}")
        elif analysis.referral.reason_keys:
            parts = list(analysis.referral.reasons())
        else:
            parts = [p.text() for p in analysis.quality.problems]
        if parts:
            sep = "　" if ja else "   "  # no full-width space in English (QA 48)
            self.findings.set_items(parts, sep, tr("desk.strip.more", n="{n}"))
            self.findings.setToolTip(sep.join(parts))
        else:
            self._set_findings(tr("suggest.no_findings"))

    def _set_findings(self, text: str) -> None:
        self.findings.setText(text)
        self.findings.setToolTip(text)

    def full_text(self) -> str:
        return self.findings.full_text()
