"""The panel beside the traces: the model's suggestions, the referral banner, free-text queries.

API (all on the GUI thread):
- ``show_placeholder()``: no ECG open
- ``set_busy(text=None)``: model loading / analysis running
- ``show_analysis(analysis)``: an :class:`ecg_viewer.core.prediction.Analysis`
- ``show_error(message)``: the analysis failed (a retry button appears; ``retryRequested``)
- ``set_status(text)``: a small line under the list (device, model version ...)
- ``show_query_result(answer)`` / ``show_query_error(message)``: the free-text query answer
  (``queryRequested(text)`` is emitted when the user presses Enter in the query box)
- ``top_k`` (spin box, default 5 as in the paper's top-5; ``topKChanged``)
A text given as a callable (``lambda: tr(key, ...)``) is rendered again when the language
changes (``retranslate``); a plain string is shown as it is.
The safety notice (``safety.notice``) is always shown at the bottom.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFontMetrics
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ecg_viewer.core.messages import language, list_sep, sentences, tr
from ecg_viewer.core.prediction import (
    REFERRAL_EN,
    REFERRAL_JA,
    Analysis,
    LabelScore,
    referral_name,
)
from ecg_viewer.gui.elided_label import column_room, wrap_lines, wrap_reason
from ecg_viewer.gui.fonts import app_font
from ecg_viewer.gui.reasons_view import ReasonsView
from ecg_viewer.labels.criteria import held_back
from ecg_viewer.labels.evidence import evidence_text, measurement_evidence, score_text
from ecg_viewer.labels.referral import shown_level
from ecg_viewer.report.content import child_note, model_window_text

# banner colours by referral level
LEVEL_COLORS = {
    "urgent": "#c00000", "D": "#e05a00", "C": "#b08800", "B": "#4f7f2f", "A": "#2f6f9f",
    "E": "#6a4fa0", "unreadable": "#666666",
}  # fmt: skip
COL_NAME, COL_SIM, COL_SCORE, COL_CAT = range(4)
NAME_ROLE = Qt.ItemDataRole.UserRole + 2  # a row's finding name or category, unwrapped
CAT_MAX_PX = 82  # the category column's text width: a longer name takes two lines
TABLE_MIN_ROWS = 4  # the findings in view however long the referral's reasons (QA 67)
#: a text, or what renders it in the language of the moment (see the module text)
Text = str | Callable[[], str]


def _render(text: Text | None) -> str:
    return "" if text is None else text() if callable(text) else text


#: the banner's tooltip: what each level asks of the reader (QA 43: explained nowhere)
LEVEL_MEANINGS = {
    "urgent": "referral.meaning.urgent", "D": "referral.meaning.D", "C": "referral.meaning.C",
    "B": "referral.meaning.B", "A": "referral.meaning.A", "E": "referral.meaning.E",
    "unreadable": "referral.meaning.unreadable",
}


class SuggestionsPanel(QFrame):
    retryRequested = Signal()
    queryRequested = Signal(str)
    topKChanged = Signal(int)

    def __init__(self, parent: QWidget | None = None, top_k: int = 5) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumWidth(220)
        self.state = "placeholder"  # placeholder | busy | analysis | error
        self.analysis: Analysis | None = None
        self.catalog: Any = None  # set by the window for synonyms on hover
        # what the message, the status line and the query answer show, rendered again on a
        # language switch (they stayed in the language they were made in)
        self._message: Text | None = None
        self._status: Text | None = None
        self._query_shown: Text | None = None
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
        # the reasons scroll past a few lines; the table below keeps its rows (QA 67)
        self.message = ReasonsView()
        self.message.setStyleSheet("color: #444;")
        lay.addWidget(self.message)
        self.window_note = QLabel()  # which 10 s the AI read: never scrolled away (QA 67)
        self.window_note.setWordWrap(True)
        self.window_note.setStyleSheet("color: #444;")
        self.window_note.setVisible(False)
        lay.addWidget(self.window_note)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setVisible(False)
        lay.addWidget(self.progress)
        self.retry = QPushButton()
        self.retry.setVisible(False)
        self.retry.clicked.connect(self.retryRequested)
        lay.addWidget(self.retry)
        row = QHBoxLayout()
        self.top_label = QLabel()
        self.top_spin = QSpinBox()
        self.top_spin.setRange(1, 30)
        self.top_spin.setValue(top_k)
        self.top_spin.valueChanged.connect(self._top_changed)
        self.top_spin.setToolTip(tr("suggest.top_k_tip"))
        row.addWidget(self.top_label)
        row.addWidget(self.top_spin)
        row.addStretch(1)
        lay.addLayout(row)
        self.table = QTreeWidget()
        self.table.setRootIsDecorated(False)
        self.table.setColumnCount(4)
        # a finding's name goes onto a second line where the column is narrow (_fit_columns;
        # English names are long: "sinus bradycar…", "complete right …" on a 1366x768 screen)
        self.table.setUniformRowHeights(False)
        self.table.setVisible(False)
        self._fit_columns()
        self.table.installEventFilter(self)
        # a usable table whatever the reasons above it (QA 67: one row and a half at 1366x768)
        row_px = 2 * QFontMetrics(app_font(10, bold=True)).lineSpacing() + 6  # a two-line name
        self.table.setMinimumHeight(self.table.header().sizeHint().height()
                                    + TABLE_MIN_ROWS * row_px + 2 * self.table.frameWidth())
        lay.addWidget(self.table, 1)
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.legend.setStyleSheet("color: #666; font-size: 8pt;")
        lay.addWidget(self.legend)
        # free-text query
        self.query_title = QLabel()
        self.query_title.setFont(app_font(10, bold=True))
        lay.addWidget(self.query_title)
        self.query_edit = QLineEdit()
        self.query_edit.returnPressed.connect(self._query)
        lay.addWidget(self.query_edit)
        self.query_result = QLabel()
        self.query_result.setWordWrap(True)
        lay.addWidget(self.query_result)
        self.status = QLabel()
        self.status.setStyleSheet("color: #777;")
        lay.addWidget(self.status)
        self.extra_layout = QVBoxLayout()
        lay.addLayout(self.extra_layout)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color: #a00; font-size: 9pt;")
        lay.addWidget(self.notice)
        self.retranslate()
        self.show_placeholder()

    @property
    def top_k(self) -> int:
        return int(self.top_spin.value())

    def retranslate(self) -> None:
        self.title.setText(tr("ui.suggest.title"))
        self.notice.setText(tr("safety.notice"))
        self.retry.setText(tr("analysis.retry"))
        self.top_label.setText(tr("suggest.top_k"))
        self.top_spin.setToolTip(tr("suggest.top_k_tip"))
        self.top_label.setToolTip(tr("suggest.top_k_tip"))
        self.legend.setText(tr("suggest.legend"))
        self.query_title.setText(tr("suggest.query_title"))
        self.query_edit.setPlaceholderText(tr("suggest.query_placeholder"))
        heads = [tr("suggest.col.finding"), tr("suggest.col.similarity"),
                 tr("suggest.col.score"), tr("ui.suggest.referral")]
        self.table.setHeaderLabels(heads)
        for col, head in enumerate(heads):  # a narrow column cuts its title ("Simila", QA 67)
            self.table.headerItem().setToolTip(col, head)
        if self.state == "placeholder":
            self.show_placeholder()
        elif self.state == "analysis" and self.analysis is not None:
            self.show_analysis(self.analysis)
        elif self.state in ("busy", "error"):
            self.message.setText(_render(self._message))
        self.status.setText(_render(self._status))
        self.query_result.setText(_render(self._query_shown))

    # --- states -------------------------------------------------------------------------------
    def _set_visible(self, *, banner: bool, table: bool, progress: bool, retry: bool) -> None:
        self.banner.setVisible(banner)
        self.table.setVisible(table)
        self.legend.setVisible(table)
        self.window_note.setVisible(False)  # shown with an analysis only (show_analysis)
        self.progress.setVisible(progress)
        self.retry.setVisible(retry)

    def show_placeholder(self) -> None:
        self.state = "placeholder"
        self.analysis = None
        self._set_visible(banner=False, table=False, progress=False, retry=False)
        self.message.setText(tr("ui.suggest.placeholder"))
        self._show_query(None)

    def set_busy(self, text: Text | None = None) -> None:
        self.state = "busy"
        self.analysis = None
        self._set_visible(banner=False, table=False, progress=True, retry=False)
        self._message = text or (lambda: tr("ui.suggest.busy"))
        self.message.setText(_render(self._message))
        self._show_query(None)

    def show_error(self, message: Text) -> None:
        self.state = "error"
        self._set_visible(banner=False, table=False, progress=False, retry=True)
        self._message = lambda: tr("ui.suggest.error", error=_render(message))
        self.message.setText(_render(self._message))

    def set_status(self, text: Text) -> None:
        self._status = text
        self.status.setText(_render(text))

    def show_analysis(self, analysis: Analysis, top_k: int | None = None) -> None:
        if top_k is not None and top_k != self.top_k:
            self.top_spin.blockSignals(True)
            self.top_spin.setValue(top_k)
            self.top_spin.blockSignals(False)
        self.state = "analysis"
        self.analysis = analysis
        ref = analysis.referral
        ja = language() == "ja"
        self.banner.setText(REFERRAL_JA[ref.level] if ja else REFERRAL_EN[ref.level])
        self.banner.setToolTip(tr(LEVEL_MEANINGS[ref.level]))  # what it asks the reader to do
        self.banner.setStyleSheet(
            f"background: {LEVEL_COLORS.get(ref.level, '#666')}; color: white; padding: 6px;")
        reasons = list(ref.reasons()) or [p.text() for p in analysis.quality.problems]
        if ref.reason_keys and analysis.quality.ok and analysis.quality.problems:
            # a lead too noisy to read, on a record still read: said below the referral's reasons
            reasons.append(tr("suggest.quality_note", problems=sentences(
                p.text() for p in analysis.quality.problems)))
        if analysis.prediction is None and analysis.quality.ok:
            reasons.append(tr("suggest.no_model"))
        self.message.setText("\n".join(reasons) if reasons else tr("suggest.no_findings"))
        # which 10 s of a longer record (QA 51); a child's ECG read with adult criteria (QA 73)
        window = "\n".join(t for t in (child_note(analysis), model_window_text(analysis)) if t)
        self.window_note.setText(window)
        self.table.clear()
        labels = analysis.suggestions(self.top_k)
        # labels the measurements held back follow the shown ones, with why (issue 12)
        held = [s for s in analysis.prediction.labels if held_back(s) and s not in labels] \
            if analysis.prediction else []
        labels = (*labels, *held)
        for s in labels:
            self._add_row(s, ja, extra=s in held)
        self._fit_columns()
        self._set_visible(banner=True, table=bool(labels), progress=False, retry=False)
        self.window_note.setVisible(bool(window))

    def _fit_columns(self) -> None:
        """Never a horizontal scroll bar: the finding column takes what is left; the figures
        keep a fixed width, and in a narrow panel the similarity column (also in the tooltip)
        gives way to the finding. A finding's name takes up to three lines, a category two (the
        last one elides; the whole text is in every cell's tooltip): in English at 1366x768
        the names were cut to "sinus bradycar…", "complete right …"."""
        t = self.table
        t.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        t.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = t.header()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(20)
        fm = t.fontMetrics()
        items = [t.topLevelItem(i) for i in range(t.topLevelItemCount())]
        cats = [it.data(COL_CAT, NAME_ROLE) or it.text(COL_CAT) for it in items]
        narrow = t.viewport().width() < 340
        # in a narrow panel the category wraps at its words (「No / abnormality」), so the
        # finding gets the room: in English at 1366x768 it had read "anterose… myocardial
        # infarction", "left anterior fascicular b…" (QA 70)
        words = [QFontMetrics(it.font(COL_CAT)).horizontalAdvance(w)
                 for it, c in zip(items, cats, strict=True) for w in c.split()]
        cat_max = min(CAT_MAX_PX, max(words, default=40)) if narrow else CAT_MAX_PX
        widths = {COL_SIM: fm.horizontalAdvance("0.00") + 14,
                  COL_SCORE: fm.horizontalAdvance("0.00") + 16,
                  COL_CAT: min(max([fm.horizontalAdvance(c) for c in cats] or [40]), cat_max) + 12}
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionHidden(COL_SIM, narrow)
        for col, w in widths.items():
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
            t.setColumnWidth(col, w)
        fixed = sum(w for col, w in widths.items() if not header.isSectionHidden(col))
        name_w = column_room(t, fixed, 10)
        for item in items:
            # a name on up to three lines: two had cut "inferior myocardial infarcti…" (English
            # at 1366x768); a Japanese name breaks only where it reads well (wrap_lines)
            for col, width, lines in ((COL_NAME, name_w, 4 if narrow else 3),
                                      (COL_CAT, widths[COL_CAT] - 10, 2)):
                full = item.data(col, NAME_ROLE)
                if full and width > 40:
                    text = wrap_lines(full, QFontMetrics(item.font(col)), width, lines)
                    if text != item.text(col):
                        item.setText(col, text)
            # an evidence row spans the row, on up to three lines (wrap_reason): one line had
            # cut E00018's 「△ QRS 軸 -44°（-90…-45°、境…」 at about 265 px, hiding 「境界域」
            reason_w = column_room(t, 0, 10) - t.indentation()
            for i in range(item.childCount()):
                child = item.child(i)
                full = child.data(COL_NAME, NAME_ROLE)
                if full and reason_w > 40:
                    text = wrap_reason(full, QFontMetrics(child.font(COL_NAME)), reason_w)
                    if text != child.text(COL_NAME):
                        child.setText(COL_NAME, text)

    def eventFilter(self, obj: Any, ev: Any) -> bool:
        if obj is self.table and ev.type() == QEvent.Type.Resize:
            self._fit_columns()  # the table's own width decides what fits
        return super().eventFilter(obj, ev)

    def _add_row(self, s: LabelScore, ja: bool, extra: bool = False) -> None:
        level = shown_level(s, self.analysis)  # lower than its category where a rule says so
        # an unvalidated label never raises a level: no 要至急 beside it on a normal ECG (QA 43)
        cat = "—" if s.unvalidated else referral_name(level, "ja" if ja else "en", short=True)
        item = QTreeWidgetItem([s.ja if ja else s.en, f"{s.similarity:.2f}", "", cat])
        tip = [f"{s.ja} / {s.en}" if ja else f"{s.en} / {s.ja}"]  # the reader's language first
        label = self._label(s.id)
        if label is not None:
            syn = ([*label.synonyms_ja, *label.synonyms_en] if ja
                   else [*label.synonyms_en, *label.synonyms_ja])
            if syn:
                tip.append(tr("suggest.synonyms", synonyms=list_sep().join(syn[:8])))
        if s.measured_score is not None:  # its score is the raised one: the model's instead
            tip.append(tr("suggest.tip_scores_measured", similarity=s.similarity,
                          model=s.measured_score, threshold=s.threshold))
        else:
            tip.append(tr("suggest.tip_scores", similarity=s.similarity, score=s.score,
                          threshold=s.threshold))
        why = [evidence_text(e) for e in measurement_evidence(s)]
        if why and (s.above_threshold or held_back(s)):
            tip.append(tr("evid.held_title" if held_back(s) else "evid.title") + ":")
            tip += [f"  {w}" for w in why]
            for w in why:  # an expandable row per reason
                child = QTreeWidgetItem([w, "", "", ""])
                child.setToolTip(COL_NAME, w)
                child.setData(COL_NAME, NAME_ROLE, w)  # unwrapped (_fit_columns)
                item.addChild(child)
        elif s.above_threshold:
            tip.append(tr("evid.none"))
        for col in range(4):
            item.setToolTip(col, "\n".join(tip))
        item.setData(COL_NAME, Qt.ItemDataRole.UserRole, s.id)
        item.setData(COL_NAME, Qt.ItemDataRole.UserRole + 1, extra)  # a held-back row after top-k
        if s.above_threshold:
            f = app_font(10, bold=True)
            for col in range(4):
                item.setFont(col, f)
            item.setText(COL_NAME, "● " + item.text(COL_NAME))
        elif held_back(s):  # the model had it, the measurements contradict it
            item.setText(COL_NAME, item.text(COL_NAME) + tr("suggest.held_mark"))
            for col in range(4):
                item.setForeground(col, QBrush(QColor("#888888")))
                item.setToolTip(col, "\n".join(tip))
        elif s.unvalidated:  # no validation data for this label: ranked, never flagged
            item.setText(COL_NAME, item.text(COL_NAME) + tr("suggest.unvalidated_mark"))
            tip.append(tr("suggest.unvalidated_tip"))
            for col in range(4):
                item.setForeground(col, QBrush(QColor("#888888")))
                item.setToolTip(col, "\n".join(tip))
        for col in (COL_NAME, COL_CAT):  # unwrapped (_fit_columns)
            item.setData(col, NAME_ROLE, item.text(col))
        self.table.addTopLevelItem(item)
        for i in range(item.childCount()):  # spanning holds only for an item in the tree (QA 63:
            item.child(i).setFirstColumnSpanned(True)  # 「QTc（Bazett）51…」 cut at the name column)
        bar = QProgressBar()
        bar.setRange(0, 100)
        # a finding shown from its measurements: the model's own score and 「計測」 (QA 63)
        bar.setValue(round(100 * (s.measured_score if s.measured_score is not None else s.score)))
        bar.setFormat(score_text(s, short=True))
        bar.setTextVisible(True)
        bar.setFixedHeight(16)
        color = LEVEL_COLORS.get(s.category, "#2f6f9f") if s.above_threshold else "#9aa5b1"
        bar.setStyleSheet(f"QProgressBar::chunk {{ background: {color}; }}")
        bar.setToolTip("\n".join(tip))
        # in a box with no height limit, centred: the tree bounds a row's height by its item
        # widget's maximum, so the bar itself (16 px at most) kept a two-line name's row at one
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(bar, 0, Qt.AlignmentFlag.AlignVCenter)
        self.table.setItemWidget(item, COL_SCORE, box)

    def _label(self, label_id: str) -> Any:
        try:
            return self.catalog.by_id(label_id) if self.catalog is not None else None
        except KeyError:
            return None

    def shown_label_ids(self, held: bool = False) -> list[str]:
        """The ranked suggestions shown (the top k); ``held=True``: the rows after them, labels
        the measurements held back."""
        items = [self.table.topLevelItem(i) for i in range(self.table.topLevelItemCount())]
        return [it.data(COL_NAME, Qt.ItemDataRole.UserRole) for it in items
                if bool(it.data(COL_NAME, Qt.ItemDataRole.UserRole + 1)) is held]

    # --- top-k and free-text query --------------------------------------------------------------
    def _top_changed(self, k: int) -> None:
        if self.state == "analysis" and self.analysis is not None:
            self.show_analysis(self.analysis)
        self.topKChanged.emit(int(k))

    def _query(self) -> None:
        text = self.query_edit.text().strip()
        if text:
            self._show_query(lambda: tr("analysis.running"))
            self.queryRequested.emit(text)

    def _show_query(self, text: Text | None) -> None:
        self._query_shown = text
        self.query_result.setText(_render(text))

    def show_query_result(self, answer: Any) -> None:
        """``answer``: the Predictor's QueryScore (text, similarity, rank, n_labels, matched_label, via)."""
        self._show_query(lambda: self._query_text(answer))

    def _query_text(self, answer: Any) -> str:
        lines = [tr("suggest.query_answer", text=answer.text, similarity=answer.similarity,
                    rank=answer.rank, n=answer.n_labels)]
        if answer.via == "catalog" and answer.matched_label and self.catalog is not None:
            label = self._label(answer.matched_label)
            name = (label.ja if language() == "ja" else label.en) if label else answer.matched_label
            lines.append(tr("suggest.query_catalog", label=name))
        else:
            lines.append(tr("suggest.query_free_text"))
            if not getattr(answer, "encoder_matches", True):  # another encoder than trained with
                lines.append(tr("model.text_encoder_other", model=answer.encoder_id))
        return "\n".join(lines)

    def show_query_error(self, message: Text) -> None:
        self._show_query(message)
