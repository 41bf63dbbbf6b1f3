"""The PDF ECG report: A4 landscape, vector, Japanese text in the embedded IPAexGothic TTF.

Page 1: title, referral banner (AI-suggested level and the physician's level), patient and
acquisition line, measurements line, AI suggestions line, the 12-lead page at true scale
(drawn from :func:`ecg_viewer.signal.page.layout_page`, the geometry the screen uses) with
calibration pulses, calipers and notes, and a footer with the safety notice and provenance.
Page 2: the suggestions with scores and categories and the physician's decision on each, the
referral, the physician's review (added findings, comment, final level, further-examination
flag), calipers and notes, signal quality, the notice and the provenance in full.

reportlab embeds a subset of the TTF with a ToUnicode map, so ``pdftotext`` extracts the
Japanese text (QPdfWriter is not used: it maps CJK to Kangxi radicals).
"""

from __future__ import annotations

import io
import logging
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.colors import Color, white
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from ecg_viewer.core.messages import tr
from ecg_viewer.core.paths import font_path
from ecg_viewer.core.prediction import REFERRAL_JA
from ecg_viewer.report.atomic import write_atomic
from ecg_viewer.report.content import MEASUREMENT_KEYS, ReportContent, measurement_value
from ecg_viewer.report.pdf_ecg import Placement, draw_annotations, draw_grid, draw_traces
from ecg_viewer.review.model import Annotation
from ecg_viewer.signal.page import Page, PageSettings, layout_page

log = logging.getLogger(__name__)

FONT = "IPAexGothic"
SHEET_W_PT, SHEET_H_PT = landscape(A4)
SHEET_W_MM, SHEET_H_MM = 297.0, 210.0
GRID_TOP_MM = 28.0  # the ECG page starts here on sheet 1
FOOTER_MM = 7.0  # room below the ECG page for notice and provenance
MARGIN_MM = 8.0

BANNER_COLORS = {
    "urgent": Color(0.80, 0.05, 0.05), "D": Color(0.90, 0.40, 0.0), "C": Color(0.75, 0.60, 0.0),
    "B": Color(0.25, 0.45, 0.70), "A": Color(0.15, 0.55, 0.25), "E": Color(0.35, 0.35, 0.65),
    "unreadable": Color(0.40, 0.40, 0.40),
}
DECISION_KEYS = {"confirmed": "report.confirmed", "rejected": "report.rejected"}


def _register_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(font_path())))


def report_page(content: ReportContent, settings: PageSettings | None = None) -> Page:
    """The ECG page of the report: the clinician's settings when they fit on A4 landscape at
    true scale, otherwise 3×4 at 25 mm/s and 10 mm/mV with the clinician's filters."""
    s = settings or content.page_settings or PageSettings()
    page = layout_page(content.record, s)
    if _fits(page):
        return page
    fallback = PageSettings(filters=s.filters, start_s=s.start_s)
    log.info("report: page %s x %s mm does not fit A4; using 3x4 25 mm/s 10 mm/mV",
             page.width_mm, page.height_mm)
    return layout_page(content.record, replace(fallback, window_s=10.0))


def _fits(page: Page) -> bool:
    return (page.width_mm <= SHEET_W_MM - 2 * 4.0
            and page.height_mm <= SHEET_H_MM - GRID_TOP_MM - FOOTER_MM)


def render_pdf(content: ReportContent, out: BinaryIO, settings: PageSettings | None = None,
               lang: str = "ja", *, compress: bool = True) -> None:
    """Write the report PDF into ``out`` (``compress=False`` leaves the drawing operators
    readable, for tests that measure the grid)."""
    _register_font()
    page = report_page(content, settings)
    c = Canvas(out, pagesize=(SHEET_W_PT, SHEET_H_PT), pageCompression=int(compress))
    c.setTitle(f"{tr('report.title', lang)} {Path(content.analysis.file).name}")
    c.setAuthor(f"ecg-viewer {content.app_version}")
    c.setSubject(tr("safety.notice", lang))
    _sheet1(c, content, page, lang)
    c.showPage()
    _sheet2(c, content, lang)
    c.showPage()
    c.save()


def pdf_bytes(content: ReportContent, settings: PageSettings | None = None,
              lang: str = "ja", *, compress: bool = True) -> bytes:
    buf = io.BytesIO()
    render_pdf(content, buf, settings, lang, compress=compress)
    return buf.getvalue()


def write_pdf(path: str | Path, content: ReportContent, settings: PageSettings | None = None,
              lang: str = "ja") -> Path:
    """Render in memory, then write atomically (an existing report is never half-replaced)."""
    return write_atomic(path, pdf_bytes(content, settings, lang))


# --- helpers ----------------------------------------------------------------------------------
def _y(y_mm: float) -> float:
    return SHEET_H_PT - y_mm * mm


def _text(c: Canvas, x_mm: float, y_mm: float, text: str, size: float = 8.0,
          color: Color | None = None) -> None:
    c.setFont(FONT, size)
    c.setFillColor(color or Color(0, 0, 0))
    c.drawString(x_mm * mm, _y(y_mm), text)


def _fit(text: str, width_mm: float, size: float) -> str:
    """Cut ``text`` with an ellipsis so that it fits ``width_mm``."""
    if pdfmetrics.stringWidth(text, FONT, size) <= width_mm * mm:
        return text
    while text and pdfmetrics.stringWidth(text + "…", FONT, size) > width_mm * mm:
        text = text[:-1]
    return text + "…"


def _wrap(text: str, width_mm: float, size: float) -> list[str]:
    """Break Japanese/English text into lines of at most ``width_mm`` (character-wise)."""
    lines: list[str] = []
    for para in text.splitlines() or [""]:
        line = ""
        for ch in para:
            if pdfmetrics.stringWidth(line + ch, FONT, size) > width_mm * mm and line:
                lines.append(line)
                line = ch.lstrip()
            else:
                line += ch
        lines.append(line)
    return lines


def _na(lang: str) -> str:
    return tr("report.unknown", lang)


def patient_line(content: ReportContent, lang: str) -> str:
    m = content.record.meta
    sex = tr(f"report.sex.{m.sex}", lang) if m.sex in ("M", "F") else _na(lang)
    age = tr("report.age_value", lang, age=m.age_years) if m.age_years is not None else _na(lang)
    when = m.recorded_at.strftime("%Y-%m-%d %H:%M:%S") if m.recorded_at else _na(lang)
    filt = ", ".join(f"{k.replace('_hz', '')} {v:g} Hz" for k, v in m.filters.items()) \
        if m.filters else _na(lang)
    parts = [
        f"{tr('report.patient_id', lang)}: {m.patient_id or _na(lang)}",
        f"{tr('report.patient_name', lang)}: {m.patient_name or _na(lang)}",
        f"{tr('report.sex', lang)}: {sex}",
        f"{tr('report.age', lang)}: {age}",
        f"{tr('report.recorded_at', lang)}: {when}",
        f"{tr('report.device', lang)}: {m.device or _na(lang)}",
        f"{tr('report.device_filters', lang)}: {filt}",
    ]
    return "　".join(parts)


def measurements_line(content: ReportContent, lang: str) -> str:
    meas = content.analysis.measurements
    if not meas:
        return f"{tr('report.measurements', lang)}:  {tr('report.no_measurements', lang)}"
    parts = []
    for key, label, unit in MEASUREMENT_KEYS:
        value = measurement_value(meas, key)
        shown = f"{value:.0f} {unit}" if value is not None else tr("report.not_measured", lang)
        parts.append(f"{label} {shown}")
    return f"{tr('report.measurements', lang)}:  " + "   ".join(parts)


def _category(cat: str | None) -> str:
    return f"{cat}（{REFERRAL_JA[cat]}）" if cat in REFERRAL_JA and cat not in ("urgent",) else \
        (REFERRAL_JA.get(cat or "", "") or "—")


def _banner(c: Canvas, content: ReportContent, x_mm: float, y_mm: float, w_mm: float,
            lang: str) -> None:
    ref = content.analysis.referral
    review = content.review
    lines = [f"{tr('report.referral', lang)}: {ref.ja if lang == 'ja' else ref.en}"
             + (f" — {'、'.join(ref.reasons_ja)}" if ref.reasons_ja else "")]
    level = ref.level
    if review and review.final_level:
        level = review.final_level
        lines.append(f"{tr('report.final_level', lang)}: {REFERRAL_JA[review.final_level]}")
    else:
        lines.append(tr("report.not_reviewed", lang))
    h = 12.0
    c.setFillColor(BANNER_COLORS[level])
    c.roundRect(x_mm * mm, _y(y_mm + h), w_mm * mm, h * mm, 1.5 * mm, stroke=0, fill=1)
    _text(c, x_mm + 2, y_mm + 5.0, _fit(lines[0], w_mm - 4, 10), 10, white)
    _text(c, x_mm + 2, y_mm + 10.2, _fit(lines[1], w_mm - 4, 9), 9, white)


def _footer(c: Canvas, content: ReportContent, n: int, lang: str, notice: bool = True) -> None:
    if notice:
        _text(c, MARGIN_MM, SHEET_H_MM - 4.2, tr("safety.notice", lang), 7.5, Color(0.6, 0, 0))
    prov = tr("report.provenance", lang, app=content.app_version,
              weights=(content.weights_sha256 or "—")[:16],
              catalog=content.catalog_version or "—",
              generated=content.generated_at.astimezone().strftime("%Y-%m-%d %H:%M"))
    _text(c, MARGIN_MM, SHEET_H_MM - 1.2, _fit(prov, 230, 6.5), 6.5, Color(0.3, 0.3, 0.3))
    _text(c, SHEET_W_MM - MARGIN_MM - 18, SHEET_H_MM - 1.2,
          tr("report.page_no", lang, n=n, total=2), 6.5, Color(0.3, 0.3, 0.3))


# --- sheet 1: the ECG ---------------------------------------------------------------------------
def _sheet1(c: Canvas, content: ReportContent, page: Page, lang: str) -> None:
    _text(c, MARGIN_MM, 8.5, tr("report.title", lang), 13)
    _text(c, MARGIN_MM, 13.0, _fit(f"{tr('report.file', lang)}: {Path(content.analysis.file).name}"
                                   f"   sha256 {(content.analysis.sha256 or '—')[:16]}…", 140, 7),
          7, Color(0.3, 0.3, 0.3))
    _banner(c, content, 160.0, 2.5, SHEET_W_MM - 160.0 - MARGIN_MM, lang)
    _text(c, MARGIN_MM, 17.8, _fit(patient_line(content, lang), SHEET_W_MM - 2 * MARGIN_MM, 7.5),
          7.5)
    _text(c, MARGIN_MM, 22.0, _fit(measurements_line(content, lang),
                                   SHEET_W_MM - 2 * MARGIN_MM, 8), 8)
    sugg = content.suggestions(5)
    if sugg:
        items = "　".join(f"{s.ja} {s.score:.2f}（{REFERRAL_JA.get(s.category, s.category)}）"
                         + ("*" if s.above_threshold else "") for s in sugg)
        line = f"{tr('report.suggestions', lang)}: {items}　{tr('report.star_legend', lang)}"
    else:
        line = f"{tr('report.suggestions', lang)}: {tr('report.no_suggestions', lang)}"
    _text(c, MARGIN_MM, 26.2, _fit(line, SHEET_W_MM - 2 * MARGIN_MM, 8), 8)
    at = Placement(origin_x_mm=(SHEET_W_MM - page.width_mm) / 2.0, origin_y_mm=GRID_TOP_MM,
                   sheet_height_pt=SHEET_H_PT)
    draw_grid(c, page, at)
    draw_traces(c, page, content.record, at, font=FONT, lang=lang)
    draw_annotations(c, page, content.annotations, at, font=FONT, lang=lang)
    _footer(c, content, 1, lang)


# --- sheet 2: findings and review -------------------------------------------------------------
def _sheet2(c: Canvas, content: ReportContent, lang: str) -> None:
    _text(c, MARGIN_MM, 8.5, tr("report.title", lang), 13)
    _banner(c, content, 160.0, 2.5, SHEET_W_MM - 160.0 - MARGIN_MM, lang)
    _text(c, MARGIN_MM, 17.8, _fit(patient_line(content, lang), SHEET_W_MM - 2 * MARGIN_MM, 7.5),
          7.5)
    y = 25.0
    left_w = 150.0
    _text(c, MARGIN_MM, y, tr("report.suggestions", lang), 10)
    y += 5.0
    cols = ((MARGIN_MM, "#"), (MARGIN_MM + 6, tr("report.col.finding", lang)),
            (MARGIN_MM + 62, tr("report.col.score", lang)),
            (MARGIN_MM + 98, tr("report.col.similarity", lang)),
            (MARGIN_MM + 112, tr("report.col.category", lang)),
            (MARGIN_MM + 136, tr("report.col.decision", lang)))
    for x, head in cols:
        _text(c, x, y, head, 7.5, Color(0.3, 0.3, 0.3))
    y += 1.2
    c.setStrokeColor(Color(0.6, 0.6, 0.6))
    c.setLineWidth(0.4)
    c.line(MARGIN_MM * mm, _y(y), (MARGIN_MM + left_w) * mm, _y(y))
    review = content.review
    suggestions = content.suggestions(10)
    if not suggestions:
        y += 4.5
        _text(c, MARGIN_MM + 6, y, tr("report.no_suggestions", lang), 8)
    for rank, s in enumerate(suggestions, start=1):
        y += 4.6
        mark = Color(0.75, 0, 0) if s.above_threshold else Color(0, 0, 0)
        _text(c, MARGIN_MM, y, str(rank), 8)
        _text(c, MARGIN_MM + 6, y, _fit(f"{s.ja}（{s.en}）", 54, 8), 8, mark)
        c.setFillColor(Color(0.85, 0.85, 0.85))
        c.rect((MARGIN_MM + 62) * mm, _y(y), 24 * mm, 2.6 * mm, stroke=0, fill=1)
        c.setFillColor(mark)
        c.rect((MARGIN_MM + 62) * mm, _y(y), 24 * max(0.0, min(1.0, s.score)) * mm, 2.6 * mm,
               stroke=0, fill=1)
        c.setStrokeColor(Color(0, 0, 0))
        tx = (MARGIN_MM + 62 + 24 * s.threshold) * mm
        c.line(tx, _y(y - 0.6), tx, _y(y + 3.2))
        _text(c, MARGIN_MM + 87, y, f"{s.score:.2f}", 7.5)
        _text(c, MARGIN_MM + 98, y, f"{s.similarity:.3f}", 7.5)
        _text(c, MARGIN_MM + 112, y, _fit(_category(s.category), 23, 7.5), 7.5)
        decision = review.decisions.get(s.id) if review else None
        _text(c, MARGIN_MM + 136, y, tr(DECISION_KEYS[decision], lang) if decision else "—", 8)
    y += 5.0
    _text(c, MARGIN_MM, y, tr("report.table_legend", lang), 6.5, Color(0.3, 0.3, 0.3))
    ref = content.analysis.referral
    y += 7.0
    _text(c, MARGIN_MM, y, f"{tr('report.referral', lang)}: {ref.ja}", 9)
    for reason in ref.reasons_ja[:4]:
        y += 4.2
        _text(c, MARGIN_MM + 4, y, _fit(f"・{reason}", left_w - 4, 7.5), 7.5)
    if not content.analysis.quality.ok:
        y += 5.0
        probs = "、".join(p.ja for p in content.analysis.quality.problems)
        for line in _wrap(tr("report.quality_bad", lang, problems=probs), left_w, 8)[:3]:
            _text(c, MARGIN_MM, y, line, 8, Color(0.6, 0, 0))
            y += 4.0
    _review_column(c, content, 168.0, 25.0, SHEET_W_MM - 168.0 - MARGIN_MM, lang)
    _provenance_block(c, content, lang)
    _footer(c, content, 2, lang, notice=False)


def _review_column(c: Canvas, content: ReportContent, x: float, y: float, w: float,
                   lang: str) -> None:
    review = content.review
    _text(c, x, y, tr("report.review", lang), 10)
    y += 5.5
    if review is None or review.is_empty:
        _text(c, x, y, tr("report.not_reviewed", lang), 8.5, Color(0.6, 0, 0))
        return
    final = REFERRAL_JA[review.final_level] if review.final_level else "—"
    suggested = REFERRAL_JA.get(review.suggested_level or content.analysis.referral.level, "—")
    rows = [
        (tr("report.final_level", lang), final),
        (tr("report.suggested_level", lang), suggested),
        (tr("report.confirmed", lang), "、".join(content.label_text(i)[0]
                                                 for i in review.confirmed) or "—"),
        (tr("report.rejected", lang), "、".join(content.label_text(i)[0]
                                                for i in review.rejected) or "—"),
        (tr("report.added", lang), "、".join(content.label_text(i)[0]
                                             for i in review.added_labels) or "—"),
        (tr("report.needs_exam", lang),
         (tr("report.yes", lang) + (f"：{review.needs_exam_reason}"
                                    if review.needs_exam_reason else ""))
         if review.needs_exam else tr("report.no", lang)),
        (tr("report.reviewer", lang), f"{review.reviewer or '—'}　{(review.updated_at or '')[:16]}"),
    ]
    for head, value in rows:
        _text(c, x, y, head, 7.5, Color(0.3, 0.3, 0.3))
        lines = _wrap(value, w - 26, 8.5)
        for line in lines[:3]:
            _text(c, x + 26, y, line, 8.5)
            y += 4.2
        y += 0.6
    _text(c, x, y, tr("report.comment", lang), 7.5, Color(0.3, 0.3, 0.3))
    y += 4.2
    for line in _wrap(review.comment or "—", w - 2, 8.5)[:8]:
        _text(c, x + 2, y, line, 8.5)
        y += 4.2
    if review.annotations:
        y += 2.0
        _text(c, x, y, tr("report.annotations", lang), 7.5, Color(0.3, 0.3, 0.3))
        for number, a in enumerate(review.annotations[:8], start=1):
            y += 4.0
            _text(c, x + 2, y, _fit(f"[{number}] {_annotation_text(a, lang)}", w - 2, 7.5), 7.5)


def _annotation_text(a: Annotation, lang: str) -> str:
    where = f"{a.lead or ''} {a.t0_s:.2f} s"
    if a.kind == "time":
        return f"{where}: " + tr("ui.caliper.time", lang, ms=a.interval_ms, bpm=a.rate_bpm or 0)
    if a.kind == "amplitude":
        return f"{where}: " + tr("ui.caliper.amplitude", lang, mv=(a.v1_mv or 0) - (a.v0_mv or 0))
    return f"{where}: {a.text}"


def _provenance_block(c: Canvas, content: ReportContent, lang: str) -> None:
    y = SHEET_H_MM - 30.0
    lines = _wrap(tr("safety.notice", lang), SHEET_W_MM - 2 * MARGIN_MM - 4, 9)[:2]
    c.setStrokeColor(Color(0.6, 0, 0))
    c.setLineWidth(0.8)
    box_h = 2.5 + 4.5 * len(lines)
    c.rect(MARGIN_MM * mm, _y(y - 4.0 + box_h), (SHEET_W_MM - 2 * MARGIN_MM) * mm, box_h * mm,
           stroke=1, fill=0)
    for i, line in enumerate(lines):
        _text(c, MARGIN_MM + 2, y + 4.5 * i, line, 9, Color(0.6, 0, 0))
    y += box_h + 3.0
    rec = content.record
    rows = [
        f"{tr('report.file', lang)}: {content.analysis.file}",
        f"sha256: {content.analysis.sha256 or '—'}　format: {rec.format}　"
        f"{rec.fs_hz:g} Hz　{rec.duration_s:.1f} s　{len(rec.lead_names)} leads",
        f"app {content.app_version}　weights sha256: {content.weights_sha256 or '—'}",
        f"catalog: {content.catalog_version or '—'}　device: {content.model.get('device') or '—'}",
    ]
    for line in rows:
        _text(c, MARGIN_MM, y, _fit(line, SHEET_W_MM - 2 * MARGIN_MM, 7), 7, Color(0.25, 0.25, 0.25))
        y += 3.6
