"""Sheet 3 of the PDF report, when the ECG was compared with the patient's prior ECG: which ECG
was the prior and how it was chosen, the measurement changes with the marks where a threshold is
passed, the findings new since the prior ECG and those that resolved, what the comparison added
to the referral flag, and the two median beats overlaid per lead at the standard 25 mm/s,
10 mm/mV (black: current, blue: prior)."""

from __future__ import annotations

from typing import Any

import numpy as np
from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from ecg_viewer.compare.findings import not_assessable_title
from ecg_viewer.core.leads import CANONICAL_LEADS
from ecg_viewer.core.messages import paren, tr, value_with_unit
from ecg_viewer.core.prediction import referral_name
from ecg_viewer.report.content import ReportContent
from ecg_viewer.report.pdf_text import (
    MARGIN_MM,
    SHEET_H_MM,
    SHEET_W_MM,
    bullet_list,
    fit_text,
    text_at,
    wrap_text,
    y_pt,
)
from ecg_viewer.signal.page import finite_runs

CURRENT_COLOR = Color(0, 0, 0)
PRIOR_COLOR = Color(0.1, 0.3, 0.85)
MARK_COLOR = Color(0.75, 0, 0)
LOW_COLOR = Color(0.55, 0.55, 0.55)
GRID_COLOR = Color(0.96, 0.75, 0.75)
MEDIAN_WINDOW_MS = (-300.0, 600.0)
SPEED_MM_S = 25.0
GAIN_MM_MV = 10.0


def comparison_sheet(c: Canvas, content: ReportContent, lang: str, top_mm: float = 25.0) -> None:
    """Draw the comparison below ``top_mm`` (the caller draws title, banner and footer)."""
    cmp = content.comparison
    y = top_mm
    text_at(c, MARGIN_MM, y, tr("compare.report_section", lang), 11)
    y += 5.5
    how = tr(f"compare.match.{cmp.match}", lang)
    text_at(c, MARGIN_MM, y, fit_text(tr("compare.prior_label", lang,
                                         date=cmp.prior.date_text(lang),
                                         file=cmp.prior_file_text(), how=how), 150, 8), 8)
    text_at(c, MARGIN_MM + 152, y, fit_text(tr("compare.current_label", lang,
                                               date=cmp.current.date_text(lang),
                                               file=_name(cmp.current.file)), 128, 8), 8)
    # not matched by patient ID (a prior picked by hand): the two patients' sex and age
    for note in (cmp.unmatched_note(lang), cmp.not_comparable and tr(cmp.not_comparable, lang)):
        if note:
            y += 4.2
            text_at(c, MARGIN_MM, y, fit_text(note, 148, 7.5), 7.5, MARK_COLOR)
    y = _change_table(c, cmp, MARGIN_MM, y + 6.0, lang)
    y2 = _findings(c, cmp, content, MARGIN_MM + 152, top_mm + 11.5, lang)
    _medians(c, cmp, MARGIN_MM, min(max(y, y2) + 6.0, SHEET_H_MM - 50.0), lang)


def _level(level: str, lang: str, short: bool = False) -> str:
    """" (Further examination needed)" / "（要精査）"; ``short``: the name a narrow column gives
    ("Further exam")."""
    return paren(referral_name(level, lang, short), lang)


def _name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def _change_table(c: Canvas, cmp: Any, x: float, y: float, lang: str) -> float:
    cols = ((0, "compare.col.item"), (28, "compare.col.prior"), (52, "compare.col.current"),
            (76, "compare.col.change"), (100, "compare.col.mark"))
    for dx, key in cols:
        text_at(c, x + dx, y, tr(key, lang), 7.5, Color(0.3, 0.3, 0.3))
    y += 1.2
    c.setStrokeColor(Color(0.6, 0.6, 0.6))
    c.setLineWidth(0.4)
    c.line(x * mm, y_pt(y), (x + 145) * mm, y_pt(y))
    for ch in cmp.changes:
        y += 4.4
        # a change where either value is of low confidence: greyed, 参考値 in the mark column
        # (never marked, raises nothing), as the window shows it
        low = ch.low_confidence and ch.change is not None
        value_color = LOW_COLOR if low else Color(0, 0, 0)
        color = MARK_COLOR if ch.marked else value_color
        text_at(c, x, y, ch.label.text(lang), 8, color)
        text_at(c, x + 28, y, value_with_unit(ch.prior, ch.unit, lang), 8, value_color)
        text_at(c, x + 52, y, value_with_unit(ch.current, ch.unit, lang), 8, value_color)
        text_at(c, x + 76, y, value_with_unit(ch.change, ch.unit, lang, signed=True), 8, color)
        if ch.marked:
            level = _level(ch.level, lang, short=True) if ch.level else ""
            text_at(c, x + 100, y, fit_text(f"▲ {tr('compare.mark', lang)}{level}", 45, 7.5),
                    7.5, MARK_COLOR)
        elif low:
            text_at(c, x + 100, y, tr("meas.conf_low_mark", lang), 7.5, LOW_COLOR)
    if cmp.new_axis_deviation:
        y += 4.6
        raise_ = next((r for r in cmp.raises if r.id.startswith("new_axis:")), None)
        if raise_ is not None:
            text_at(c, x, y, fit_text("▲ " + raise_.text(lang), 145, 8), 8, MARK_COLOR)
    return y


MAX_FINDINGS = 6  # per list; the rest is counted
MAX_RAISE_LINES = 8  # the medians below start where the column ends (at most 50 mm above the foot)


def _findings(c: Canvas, cmp: Any, content: ReportContent, x: float, y: float,
              lang: str) -> float:
    w = SHEET_W_MM - MARGIN_MM - x
    if not cmp.findings_compared:
        text_at(c, x, y, fit_text(tr("compare.findings_unavailable", lang), w, 8), 8)
        y += 6.0
    else:
        for key, items, color in (("compare.new_header", cmp.new_findings, MARK_COLOR),
                                  ("compare.resolved_header", cmp.resolved_findings,
                                   Color(0.1, 0.3, 0.85))):
            text_at(c, x, y, tr(key, lang), 9)
            y += 4.6
            if not items:
                text_at(c, x + 3, y, tr("compare.none", lang), 8)
                y += 4.4
            for f in items[:MAX_FINDINGS]:
                name = f.ja if lang == "ja" else f.en
                score = f"{f.score_prior or 0:.2f} → {f.score_current or 0:.2f}"
                shown = f"・{name}（{score}）" if lang == "ja" else f"- {name} ({score})"
                text_at(c, x + 3, y, fit_text(shown, w - 3, 8), 8, color)
                y += 4.4
            if len(items) > MAX_FINDINGS:
                text_at(c, x + 3, y, tr("compare.more_findings", lang,
                                        n=len(items) - MAX_FINDINGS), 8, color)
                y += 4.4
            y += 2.0
        if cmp.not_assessable:  # hidden by a new LBBB / paced rhythm: not "resolved"
            y = _not_assessable(c, cmp, x, y, w, lang)
    raises = list(cmp.raises)
    if raises:
        ref = content.analysis.referral
        text_at(c, x, y, tr(content.referral_title_key, lang) + ": "
                + (ref.en if lang == "en" else ref.ja), 9)
        y += 4.6
        # wrapped, each on up to two lines, then how many more the JSON report holds (QA 61: one
        # line each, cut mid-word, the fifth hidden behind "… +1" above half a page of space)
        for line in bullet_list([f"{r.text(lang)}{_level(r.level, lang)}" for r in raises],
                                w - 3, 7.5, lang, MAX_RAISE_LINES,
                                lambda n: tr("report.more_reasons", lang, n=n), item_lines=2):
            text_at(c, x + 3, y, line, 7.5)
            y += 3.8
    y += 2.0
    # the notice that this is no diagnosis is never cut short: wrapped, not elided
    for line in wrap_text(tr("compare.notice", lang), w, 7):
        text_at(c, x, y, line, 7, Color(0.6, 0, 0))
        y += 3.4
    return y


def _not_assessable(c: Canvas, cmp: Any, x: float, y: float, w: float, lang: str) -> float:
    for line in wrap_text(not_assessable_title(cmp.masked_by, lang), w, 8.5, max_lines=2):
        text_at(c, x, y, line, 8.5)
        y += 4.4
    names = (", " if lang == "en" else "、").join(f.ja if lang == "ja" else f.en
                                                  for f in cmp.not_assessable)
    for line in wrap_text(names, w - 3, 8, max_lines=3):
        text_at(c, x + 3, y, line, 8, LOW_COLOR)
        y += 4.2
    return y + 2.0


def _medians(c: Canvas, cmp: Any, x0: float, y0: float, lang: str) -> None:
    text_at(c, x0, y0, tr("compare.median_title", lang) + "　25 mm/s, 10 mm/mV", 8.5)
    cur, pri = cmp.current_median, cmp.prior_median
    if cur is None and pri is None:
        return
    w_mm = (MEDIAN_WINDOW_MS[1] - MEDIAN_WINDOW_MS[0]) / 1000.0 * SPEED_MM_S  # 22.5 mm
    h_mm = 30.0
    gap = (SHEET_W_MM - 2 * MARGIN_MM - 12 * w_mm) / 11.0  # one row of 12 panels
    for i, lead in enumerate(CANONICAL_LEADS):
        px = x0 + i * (w_mm + gap)
        py = y0 + 3.0
        _panel(c, px, py, w_mm, h_mm)
        text_at(c, px + 0.8, py + 3.0, lead, 7)
        for mb, color in ((pri, PRIOR_COLOR), (cur, CURRENT_COLOR)):
            if mb is None or lead not in mb.lead_names:
                continue
            t = mb.time_ms
            keep = (t >= MEDIAN_WINDOW_MS[0]) & (t <= MEDIAN_WINDOW_MS[1])
            v = np.asarray(mb.lead(lead), dtype=np.float64)[keep]
            if not np.isfinite(v).any():
                continue
            v = v - np.nanmedian(v[: max(1, len(v) // 10)])  # baseline: the start of the window
            xs = px + (t[keep] - MEDIAN_WINDOW_MS[0]) / 1000.0 * SPEED_MM_S
            ys = py + h_mm / 2.0 - np.clip(v, -1.45, 1.45) * GAIN_MM_MV
            path = c.beginPath()
            for run in finite_runs(ys):
                path.moveTo(xs[run.start] * mm, y_pt(ys[run.start]))
                for xm, ym in zip(xs[run.start + 1:run.stop], ys[run.start + 1:run.stop], strict=True):
                    path.lineTo(xm * mm, y_pt(ym))
            c.setStrokeColor(color)
            c.setLineWidth(0.5)
            c.drawPath(path, stroke=1, fill=0)


def _panel(c: Canvas, x: float, y: float, w: float, h: float) -> None:
    c.setStrokeColor(GRID_COLOR)
    c.setLineWidth(0.15)
    for k in range(int(w // 5) + 1):
        c.line((x + 5 * k) * mm, y_pt(y), (x + 5 * k) * mm, y_pt(y + h))
    for k in range(int(h // 5) + 1):
        c.line(x * mm, y_pt(y + 5 * k), (x + w) * mm, y_pt(y + 5 * k))
    c.setLineWidth(0.4)
    c.rect(x * mm, y_pt(y + h), w * mm, h * mm, stroke=1, fill=0)
