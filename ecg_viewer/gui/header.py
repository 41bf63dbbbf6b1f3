"""Header above the traces: patient and acquisition fields from the file, and the measurements line.

API for the measurements issue: ``HeaderWidget.set_measurements(m)`` with a dict using the keys of
``ecg-viewer analyze --json`` ``"measurements"`` (``hr_bpm``, ``pr_ms``, ``qrs_ms``, ``qt_ms``,
``qtc_bazett_ms``, ``qtc_fridericia_ms``, ``p_axis_deg``, ``qrs_axis_deg``, ``t_axis_deg``);
a value may be a number, None (not measurable: shown as —) or ``{"value": x, "reason": "..."}``
(the reason shows on hover). ``set_measurements(None)`` shows that measurements are pending.
An interval listed in ``m["low_confidence"]`` (see ``Measurements.to_dict()``) is shown grey with
（参考値）, and its reason (``m["confidence_reasons"]``) on hover. The QTc modified for a wide
QRS (``qtc_modified_ms``) follows the QT/QTc in parentheses; when its confidence is low (it rests
on the QRS width too) it is a figure of its own, grey with （参考値）, as the PDF marks it — it
had been shown plainly beside a greyed QRS. The heart rate reads 「/分」 in Japanese, as the
referral banner and the criteria dock write it, and "bpm" in English.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from ecg_viewer.core.messages import MESSAGES, language, paren, tr
from ecg_viewer.core.printable import printable_path
from ecg_viewer.core.record import EcgRecord
from ecg_viewer.gui.elided_label import ElidedLabel
from ecg_viewer.gui.flow_layout import FlowLayout
from ecg_viewer.gui.fonts import app_font
from ecg_viewer.report.content import device_reading, format_name
from ecg_viewer.signal.page import CLOCK_FROM_S, clock_text

#: the grey of a measurement of low confidence (the header, the median-beat dock, the 計測基準 dock)
LOW_CONFIDENCE_GREY = "#999999"
_FIELDS = ("patient_id", "name", "sex", "age", "recorded_at", "device", "file", "format", "signal")
# "qtm": the QRS-adjusted QTc when its confidence is low (else it is part of "qt"'s text)
_MEAS = ("hr", "pr", "qrs", "qt", "qtm", "axis")
DEVICE_READING_LINES = 20  # statements in the tooltip; the rest counted (all are in the JSON)
#: between the sentences of a measurement's tooltip: one a line, in either language (「…使います。;
#: 拍ごとの…」 and "…corrected).; Low …" had joined them with "; ")
_TIP_SEP = "\n"
# free text of any length from the file: elided (whole text on hover) rather than widening the
# window (a long file name or device string squeezed the review dock off its columns)
# The recording time is never elided (QA 69: 「2011-1…」 with the worklist open at 1366x768): it is
# our own fixed-length text, what a reader checks first, and what a comparison is dated by
_ELIDED = ("name", "device", "file", "signal", "patient_id", "format")
HEADER_VALUE_MIN_PX = 60  # an elided value keeps at least this much (its whole text on hover)
# the format's name ("WFDB", "Philips Sierra XML", QA 67) asks no more than its id "wfdb" did: a
# wider header in English narrowed the dock column, which stayed narrower after switching back
FORMAT_MIN_PX = 28
# (the patient ID and the format too since 2026-12-06: an SCP, aECG or
# Philips file's header asked for 828-860 px in English and squeezed both side docks of a
# 1366x768 screen to ~245 px, a layout then stored for the next start)


#: each figure's explanation (its tooltip, before any reason it is greyed)
MEAS_TIPS = {"hr": "ui.meas.tip.hr", "pr": "ui.meas.tip.pr", "qrs": "ui.meas.tip.qrs",
             "qt": "ui.meas.tip.qt", "axis": "ui.meas.tip.axis"}


def _value(m: dict[str, Any], key: str) -> tuple[float | None, str]:
    v = m.get(key)
    if isinstance(v, dict):
        return v.get("value"), str(v.get("reason") or "")
    if v is None:
        # measure().to_dict() gives the reason as a message key in m["reasons"]
        why = str((m.get("reasons") or {}).get(key) or "")
        return None, (tr(why) if why in MESSAGES else why)
    return float(v), ""


def window_title(path: str | None) -> str:
    """The window's title: the file's name (a Shift_JIS one as 田中.mwf, QA 51) and the app's."""
    return f"{printable_path(Path(path).name)} — {tr('ui.app_title')}" if path else tr("ui.app_title")


class HeaderWidget(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.record: EcgRecord | None = None
        self.measurements: dict[str, Any] | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 4, 8, 4)
        outer.setSpacing(2)
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(1)
        self._names: dict[str, QLabel] = {}
        self.values: dict[str, QLabel] = {}
        for i, key in enumerate(_FIELDS):
            name = QLabel()
            mode = Qt.TextElideMode.ElideMiddle if key == "file" else Qt.TextElideMode.ElideRight
            least = FORMAT_MIN_PX if key == "format" else HEADER_VALUE_MIN_PX
            val = (ElidedLabel(auto_tooltip=key != "file", mode=mode, min_px=least)
                   if key in _ELIDED else QLabel())
            name.setStyleSheet("color: #555;")
            val.setFont(app_font(10, bold=key in ("patient_id", "name")))
            val.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            row, col = divmod(i, 5)
            grid.addWidget(name, row, 2 * col)
            # the second row has four fields: the signal's text (rate, length, derived or missing
            # leads) also takes the room under the recording time
            grid.addWidget(val, row, 2 * col + 1, 1, 3 if key == "signal" else 1)
            self._names[key], self.values[key] = name, val
        grid.setColumnStretch(9, 1)
        outer.addLayout(grid)
        # one label per measurement; they wrap onto a second line rather than widen the window
        meas = FlowLayout(h_spacing=6)
        self._meas_title = QLabel()
        self._meas_title.setFont(app_font(10, bold=True))
        meas.addWidget(self._meas_title)
        self.meas_labels: dict[str, QLabel] = {}
        for key in _MEAS:
            lab = QLabel()
            lab.setFont(app_font(10))
            meas.addWidget(lab)
            self.meas_labels[key] = lab
        self._meas_pending = QLabel()
        self._meas_pending.setStyleSheet("color: #777;")
        meas.addWidget(self._meas_pending)
        # the cart's own reading and measurements, verbatim, on hover: the PDF printed them, the
        # window showed them nowhere (QA 61: 「RITMO SINUSALE」 in a DICOM file)
        self.device_reading = QLabel()
        self.device_reading.setStyleSheet("color: #1a4f8a; text-decoration: underline dotted;")
        self.device_reading.setFont(app_font(9))
        meas.addWidget(self.device_reading)
        outer.addLayout(meas)
        self.retranslate()

    # --- API -------------------------------------------------------------------------------------
    def set_record(self, record: EcgRecord | None, path: str | None = None) -> None:
        self.record = record
        self._path = path
        self.measurements = None
        self.retranslate()

    def set_measurements(self, m: dict[str, Any] | None) -> None:
        """Show HR, PR, QRS, QT/QTc and axes (see the module docstring for the keys)."""
        self.measurements = m
        self._fill_measurements()

    def show_measurement_note(self, text: str) -> None:
        """A short note where the measurements would be (e.g. they could not be made)."""
        self.measurements = None
        self._fill_measurements()
        self._meas_pending.setText(text)

    def text(self) -> str:
        """Everything shown, as one string (tests, accessibility)."""
        def whole(lab: QLabel) -> str:
            return lab.full_text() if isinstance(lab, ElidedLabel) else lab.text()

        parts = [f"{self._names[k].text()} {whole(self.values[k])}" for k in _FIELDS]
        parts += [lab.text() for lab in self.meas_labels.values() if lab.text()]
        parts.append(self._meas_pending.text())
        parts.append(self.device_reading.text())
        return "  ".join(parts)

    # --- drawing ----------------------------------------------------------------------------------
    def retranslate(self) -> None:
        names = {"patient_id": "ui.header.patient_id", "name": "ui.header.name", "sex": "ui.header.sex",
                 "age": "ui.header.age", "recorded_at": "ui.header.recorded_at",
                 "device": "ui.header.device", "file": "ui.header.file",
                 "format": "ui.header.format", "signal": "ui.header.signal"}
        for key, msg in names.items():
            self._names[key].setText(tr(msg) + ":")
        self._meas_title.setText(tr("ui.meas.title") + ":")
        self._fill_record()
        self._fill_measurements()

    def _fill_record(self) -> None:
        na = tr("ui.header.unknown")
        rec = self.record
        vals = dict.fromkeys(_FIELDS, na)
        if rec is not None:
            m = rec.meta
            vals["patient_id"] = m.patient_id or na
            vals["name"] = m.patient_name or na
            vals["sex"] = {"M": tr("ui.header.sex_m"), "F": tr("ui.header.sex_f")}.get(m.sex or "", na)
            vals["age"] = tr("ui.header.age_value", age=m.age_years) if m.age_years is not None else na
            # an age the birth date contradicts: marked, both on hover (the PDF prints both)
            by_birth = m.age_by_birth_date() if m.age_years is not None else None
            if by_birth is not None:
                vals["age"] = tr("ui.header.age_disagree", age=m.age_years)
            self.values["age"].setToolTip("" if by_birth is None else tr(
                "ui.header.age_disagree_tip", age=m.age_years, by_birth=by_birth,
                birth=m.birth_date.isoformat() if m.birth_date else ""))
            vals["recorded_at"] = m.recorded_at.strftime("%Y-%m-%d %H:%M:%S") if m.recorded_at else na
            vals["device"] = m.device or na
            src = getattr(self, "_path", None) or rec.source_path
            vals["file"] = printable_path(Path(src).name) if src else na
            vals["format"] = format_name(rec.format)  # "Philips Sierra XML", not its id (QA 67)
            sig = (tr("ui.header.signal_value_clock", fs=rec.fs_hz, clock=clock_text(rec.duration_s),
                      n=len(rec.lead_names)) if rec.duration_s >= CLOCK_FROM_S else
                   tr("ui.header.signal_value", fs=rec.fs_hz, dur=rec.duration_s, n=len(rec.lead_names)))
            if rec.derived_leads:
                sig += "  " + tr("ui.header.derived", leads=", ".join(rec.derived_leads))
            if rec.missing_leads and rec.canonical_leads:
                sig += "  " + tr("ui.header.missing", leads=", ".join(rec.missing_leads))
            vals["signal"] = sig
            if src:
                self.values["file"].setToolTip(printable_path(src))
        for key in _FIELDS:
            self.values[key].setText(vals[key])
        self._fill_device_reading()

    def _fill_device_reading(self) -> None:
        measured, statements = (device_reading(self.record.meta, language())
                                if self.record is not None else ("", []))
        shown = bool(statements or measured)
        bullet = "・" if language() == "ja" else "- "  # as the PDF: no 「・」 in English (QA 67)
        lines = [tr("report.device_reading"), *([measured] if measured else []),
                 *(f"{bullet}{t}" for t in statements[:DEVICE_READING_LINES])]
        if len(statements) > DEVICE_READING_LINES:
            lines.append(tr("report.device_reading_more", n=len(statements) - DEVICE_READING_LINES))
        self.device_reading.setVisible(shown)
        self.device_reading.setText(tr("ui.header.device_reading") if shown else "")
        self.device_reading.setToolTip("\n".join(lines) if shown else "")

    def _fill_measurements(self) -> None:
        m = self.measurements
        if not m:
            for lab in self.meas_labels.values():
                lab.setText("")
                lab.setVisible(False)
            self._meas_pending.setText(tr("ui.meas.pending") if self.record is not None else "")
            return
        self._meas_pending.setText("")

        def fmt(key: str, unit: str) -> tuple[str, str]:
            v, why = _value(m, key)
            return (tr("ui.meas.na") if v is None else f"{v:.0f}{unit}"), why

        v_hr, hr_why = _value(m, "hr_bpm")
        hr = tr("ui.meas.na") if v_hr is None else tr("ui.meas.rate_value", value=v_hr)
        pr, pr_why = fmt("pr_ms", " ms")
        qrs, qrs_why = fmt("qrs_ms", " ms")
        qt, qt_why = fmt("qt_ms", "")
        qtc_key = "qtc_bazett_ms" if "qtc_bazett_ms" in m else "qtc_ms"
        qtc, qtc_why = fmt(qtc_key, " ms")
        low = set(m.get("low_confidence") or [])
        conf_why = m.get("confidence_reasons") or {}
        axis_vals = {k: (n, _value(m, k)[0]) for k, n in
                     (("p_axis_deg", "P"), ("qrs_axis_deg", "QRS"), ("t_axis_deg", "T"))}
        axes_weak = [k for k, (_n, v) in axis_vals.items() if v is not None and k in low]
        all_weak = len(axes_weak) == sum(v is not None for _n, v in axis_vals.values())
        axes = []
        for k, (n, v) in axis_vals.items():
            text = f"{n} {tr('ui.meas.na') if v is None else f'{v:.0f}°'}"
            if k in axes_weak and not all_weak:  # one axis of three: marked where it stands
                text += paren(tr("meas.conf_low_mark"))
            axes.append(text)
        texts = {
            "hr": (f"{tr('ui.meas.hr')} {hr}", hr_why),
            "pr": (f"{tr('ui.meas.pr')} {pr}", pr_why),
            "qrs": (f"{tr('ui.meas.qrs')} {qrs}", qrs_why),
            "qt": (f"{tr('ui.meas.qt')} {qt}/{qtc}", _TIP_SEP.join(x for x in (qt_why, qtc_why) if x)),
            "axis": (f"{tr('ui.meas.axis')} " + " ".join(axes), ""),
        }
        qtm, _ = _value(m, "qtc_modified_ms")
        if qtm is not None and "qtc_modified_ms" in low:  # a figure of its own, marked below
            texts["qtm"] = (tr("ui.meas.qtc_modified_label", value=qtm), tr("ui.meas.qtc_modified_tip"))
        elif qtm is not None:  # wide QRS: the QTc the long-QT rules use, after the QT/QTc
            text, why = texts["qt"]
            texts["qt"] = (text + tr("ui.meas.qtc_modified", value=qtm),
                           _TIP_SEP.join(x for x in (why, tr("ui.meas.qtc_modified_tip")) if x))
        # the heart rate is greyed as the intervals are (a rate the cart contradicts: QA 49); the
        # axis line only when every axis shown is (each greyed axis carries its own mark)
        sources = {"hr": ("hr_bpm",), "pr": ("pr_ms",), "qrs": ("qrs_ms",),
                   "qt": ("qt_ms", qtc_key), "qtm": ("qtc_modified_ms",)}
        for key in _MEAS:
            lab = self.meas_labels[key]
            if key not in texts:
                lab.setText("")
                lab.setToolTip("")
                lab.setVisible(False)
                continue
            text, why = texts[key]
            weak = [k for k in sources.get(key, ()) if k in low]
            if key == "axis":
                why = _TIP_SEP.join(dict.fromkeys(
                    tr(r) if r in MESSAGES else r for r in (conf_why.get(k, "") for k in axes_weak) if r))
                weak = axes_weak if all_weak else []
                if weak:
                    text += paren(tr("meas.conf_low_mark"))
            elif weak:
                reason = conf_why.get(weak[0], "")
                text += paren(tr("meas.conf_low_mark"))
                why = _TIP_SEP.join(x for x in (why, tr(reason) if reason in MESSAGES else reason) if x)
            lab.setStyleSheet(f"color: {LOW_CONFIDENCE_GREY};" if weak else "")
            lab.setText(text)
            # what the figure is and its usual range, for every reader (QA 43: "(B)", PR, the
            # axes were explained nowhere), then why it is greyed
            what = tr(MEAS_TIPS[key]) if key in MEAS_TIPS else ""
            lab.setToolTip(_TIP_SEP.join(x for x in (what, why) if x))
            lab.setVisible(True)
