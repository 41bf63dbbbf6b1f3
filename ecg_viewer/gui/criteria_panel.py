"""The ECG criteria features as a dock: the figures the suggestions rest on, as a cart prints them.

Two compact tables: the record's criteria (rate, P, PR, QRS, axis, LVH voltages, low voltage, ST-T,
QTc, pacing; a value that could not be measured shows "—" and why on hover) and the per-lead
waves (Q, R, S, R′ amplitude and duration, QRS peak-to-peak, ST at J and J+60 ms, T).
Fed from ``Analysis.criteria`` (``signal/criteria.py``) whenever the analysis changes.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDockWidget,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ecg_viewer.core.criteria_features import EXTRA_FEATURES, FEATURE_NAMES, ST_INJURY_FEATURES
from ecg_viewer.core.leads import CANONICAL_LEADS
from ecg_viewer.core.messages import MESSAGES, paren, tr
from ecg_viewer.gui.header import LOW_CONFIDENCE_GREY
from ecg_viewer.labels.criteria_table import unit_of
from ecg_viewer.labels.evidence import feature_name, format_value

log = logging.getLogger(__name__)

LEAD_COLUMNS = ("q_mv", "r_mv", "s_mv", "r2_mv", "q_ms", "r_ms", "s_ms", "r2_ms", "qrs_pp_mv",
                "st_j_mv", "st_j60_mv", "t_mv")  # fmt: skip
# the record-level rows in reading order (every fusion feature, grouped as a cart prints them)
# the fusion's features, then those only the referral rules read (QA 48: the ST elevation that
# raised an acute STEMI's 要至急 was in no row)
# the axis LAFB is read from beside a complete RBBB right after the QRS axis (QA 60)
ROWS: tuple[str, ...] = tuple(
    k for name in (*FEATURE_NAMES, *ST_INJURY_FEATURES.values())
    for k in ((name, *EXTRA_FEATURES) if name == "qrs_axis_deg" else (name,)))
# the record table shows two (item, value) pairs side by side from this width (px), one below it:
# tabbed in the right-hand dock area of a 1366-px screen the dock is ~260 px wide, where two
# pairs cut every name to "…"
TWO_PAIRS_MIN_WIDTH = 560


def _cell(text: str, tip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if tip:
        item.setToolTip(tip)
    return item


def _value_text(value: Any, unit: str) -> str:
    """A value as the window writes it: a rate as the header and the referral banner do
    (「48 /分」, "48 bpm"; it read 48/min in Japanese beside 「心拍数 48 /分」), others as the
    criteria evidence does."""
    if unit == "/min" and isinstance(value, int | float) and not isinstance(value, bool):
        return tr("ui.meas.rate_value", value=value)
    return format_value(value, unit)


class CriteriaPanel(QWidget):
    """``set_criteria(dict | None)``: the ``Analysis.criteria`` object (values, reasons)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.criteria: dict[str, Any] | None = None
        self.low: dict[str, str] = {}  # measurement key -> why its confidence is low
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.note = QLabel()
        self.note.setWordWrap(True)
        lay.addWidget(self.note)
        self.tabs = QTabWidget()
        self.pairs = 2  # (item, value) pairs per row of the record table (see resizeEvent)
        self.record_table = QTableWidget(0, 2 * self.pairs)
        self.lead_table = QTableWidget(0, len(LEAD_COLUMNS))
        for t in (self.record_table, self.lead_table):
            t.verticalHeader().setDefaultSectionSize(18)
            t.setAlternatingRowColors(True)
            t.setTabKeyNavigation(False)  # Tab leaves the table (a trap otherwise, QA 72)
        self.record_table.verticalHeader().setVisible(False)
        # a long name takes the lines it needs (QA 70: "RR irregularity (RMSSD/…", "QRS axis (its
        # first 60 ms …" in English at 1366x768), the row as tall
        self.record_table.setWordWrap(True)
        self.record_table.horizontalHeader().sectionResized.connect(
            lambda *_: self.record_table.resizeRowsToContents())
        self._set_columns()
        self.tabs.addTab(self.record_table, "")
        self.tabs.addTab(self.lead_table, "")
        lay.addWidget(self.tabs)
        self.retranslate()

    def retranslate(self) -> None:
        self.tabs.setTabText(0, tr("critui.tab_record"))
        self.tabs.setTabText(1, tr("critui.tab_leads"))
        self._set_columns()
        # the unit in the language's own brackets: 「ST（J）（mV）」 (it read 「ST（J） (mV)」)
        self.lead_table.setHorizontalHeaderLabels([tr(f"critl.{c}") + paren(unit_of(c))
                                                   for c in LEAD_COLUMNS])
        self.set_criteria(self.criteria)

    def set_analysis(self, analysis: Any) -> None:
        m = getattr(analysis, "measurements", None) or {}
        why = m.get("confidence_reasons") or {}
        # intervals of low confidence (grey in the header) are grey here too, the reason on hover
        self.low = {k: why.get(k, "") for k in m.get("low_confidence") or ()}
        self.set_criteria(getattr(analysis, "criteria", None) if analysis is not None else None)

    def set_criteria(self, criteria: dict[str, Any] | None) -> None:
        self.criteria = criteria
        values = (criteria or {}).get("values", {})
        reasons = (criteria or {}).get("reasons", {})
        if not criteria:
            self.note.setText(tr("critui.none"))
        elif not criteria.get("amplitude_valid", True):
            implausible = "crit.amplitude_implausible" in reasons.values()
            self.note.setText(tr("crit.amplitude_implausible" if implausible
                                 else "crit.amplitude_unknown"))
        else:
            self.note.setText(tr("critui.note"))
        per_column = -(-len(ROWS) // self.pairs)
        self.record_table.setRowCount(per_column if criteria else 0)
        if criteria:
            for i, key in enumerate(ROWS):
                self._put(i % per_column, 2 * (i // per_column), key, values, reasons)
        self.record_table.resizeRowsToContents()
        leads = [lead for lead in CANONICAL_LEADS if f"{lead}.r_mv" in values]
        self.lead_table.setRowCount(len(leads))
        self.lead_table.setVerticalHeaderLabels(leads)
        for row, lead in enumerate(leads):
            for col, field in enumerate(LEAD_COLUMNS):
                key = f"{lead}.{field}"
                v = values.get(key)
                text = "—" if v is None else format_value(v, "")
                tip = tr(reasons[key]) if v is None and reasons.get(key) else ""
                self.lead_table.setItem(row, col, _cell(text, tip))
        self.lead_table.resizeColumnsToContents()

    def _set_columns(self) -> None:
        """The record table's columns for :attr:`pairs` (item, value) pairs, with their headers."""
        t = self.record_table
        t.setColumnCount(2 * self.pairs)
        t.setHorizontalHeaderLabels([tr("critui.col_feature"), tr("critui.col_value")] * self.pairs)
        head = t.horizontalHeader()
        for col in range(2 * self.pairs):
            head.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch if col % 2 == 0
                                      else QHeaderView.ResizeMode.ResizeToContents)

    def resizeEvent(self, event: Any) -> None:
        """One (item, value) pair per row when the panel is narrow, two when it is wide."""
        super().resizeEvent(event)
        pairs = 2 if self.width() >= TWO_PAIRS_MIN_WIDTH else 1
        if pairs != self.pairs:
            self.pairs = pairs
            self._set_columns()
            self.set_criteria(self.criteria)  # the cells again, in the new layout

    def _put(self, row: int, col: int, key: str, values: dict[str, Any],
             reasons: dict[str, str]) -> None:  # fmt: skip
        v = values.get(key)
        tip = tr(reasons[key]) if v is None and reasons.get(key) else ""
        name = _cell(feature_name(key), feature_name(key))  # the whole name on hover
        name.setData(Qt.ItemDataRole.UserRole, key)
        self.record_table.setItem(row, col, name)
        value = _cell(_value_text(v, unit_of(key)), tip)
        if v is not None and key in self.low:
            reason = self.low[key]
            value.setToolTip(tr(reason) if reason in MESSAGES else tr("meas.conf_low_mark"))
            for item in (name, value):
                item.setForeground(QBrush(QColor(LOW_CONFIDENCE_GREY)))
        self.record_table.setItem(row, col + 1, value)

    def value_text(self, key: str) -> str | None:
        """The text shown for ``key`` in the record table (for tests); None when not shown."""
        t = self.record_table
        for row in range(t.rowCount()):
            for col in range(0, t.columnCount(), 2):
                item = t.item(row, col)
                if item is not None and item.data(Qt.ItemDataRole.UserRole) == key:
                    return t.item(row, col + 1).text()
        return None


def install_criteria_dock(window: Any) -> QDockWidget:
    """Add the criteria dock to ``window`` (tabbed with the median-beat dock when there is one)."""
    panel = CriteriaPanel()
    dock = QDockWidget(tr("critui.dock"), window)
    dock.setObjectName("criteria_dock")
    dock.setWidget(panel)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    window.tabifyDockWidget(window.median_beat_dock, dock)  # built first by the main window
    window.median_beat_dock.raise_()
    window.state.analysisChanged.connect(panel.set_analysis)
    window.criteria_panel = panel
    window.criteria_dock = dock
    return dock


def retranslate_criteria_dock(window: Any) -> None:
    window.criteria_dock.setWindowTitle(tr("critui.dock"))
    window.criteria_panel.retranslate()
