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

import numpy as np
from reportlab.lib.colors import Color, white
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from ecg_viewer.core.messages import language, list_sep, paren, sentences, tr, unit_label
from ecg_viewer.core.prediction import REFERRAL_EN, REFERRAL_JA
from ecg_viewer.core.record import EcgRecord
from ecg_viewer.labels.evidence import score_text
from ecg_viewer.labels.referral import reason_head, shown_level
from ecg_viewer.report.atomic import write_atomic
from ecg_viewer.report.content import (
    ReportContent,
    child_note,
    device_filter_text,
    low_confidence_reason,
    measurement_label,
    measurement_value,
    model_window_text,
    report_measurement_keys,
)
from ecg_viewer.report.pdf_details import (
    NOTICE_TOP_MM,
    device_reading_block,
    measurement_block,
    measurement_block_height,
    provenance_block,
    review_column,
)
from ecg_viewer.report.pdf_ecg import Placement, draw_annotations, draw_grid, draw_traces
from ecg_viewer.report.pdf_table import suggestions_table, unvalidated_mark
from ecg_viewer.report.pdf_text import (
    FONT,
    MARGIN_MM,
    SHEET_H_MM,
    SHEET_H_PT,
    SHEET_W_MM,
    SHEET_W_PT,
    bullet_list,
    fit_size,
    fit_text,
    fits,
    register_font,
    set_sheet_language,
    text_at,
    wrap_text,
    y_pt,
)
from ecg_viewer.signal.filters import apply_filters
from ecg_viewer.signal.page import GAINS_MM_MV, Page, PageSettings, layout_page, with_levels

log = logging.getLogger(__name__)

GRID_TOP_MM = 28.0  # the ECG page starts here on sheet 1
FOOTER_MM = 7.0  # room below the ECG page for notice and provenance

BANNER_COLORS = {
    "urgent": Color(0.80, 0.05, 0.05), "D": Color(0.90, 0.40, 0.0), "C": Color(0.75, 0.60, 0.0),
    "B": Color(0.25, 0.45, 0.70), "A": Color(0.15, 0.55, 0.25), "E": Color(0.35, 0.35, 0.65),
    "unreadable": Color(0.40, 0.40, 0.40),
}


def report_page(content: ReportContent, settings: PageSettings | None = None
                ) -> tuple[Page, np.ndarray]:
    """The ECG page of the report, laid out with :func:`printed_settings` (the content's
    settings are those already: ``build_report_content`` fits them), and the signal it draws,
    filtered once as its settings say; the page's levels are that signal's (calipers)."""
    s = printed_settings(content.record, settings or content.page_settings or PageSettings())
    signal = content.record.signal_mv
    if s.filters.any_on:
        signal = apply_filters(signal, content.record.fs_hz, s.filters)
    return with_levels(layout_page(content.record, s), signal), signal


def printed_settings(record: EcgRecord, s: PageSettings) -> PageSettings:
    """The settings the report's ECG sheet is printed with, at true scale on one A4 landscape
    sheet: the clinician's when they fit; else the nearest that fits, in this order of what is
    given up: the seconds shown (50 mm/s: 5 s, as a cart prints it), the speed above 25 mm/s,
    the gain above 10 mm/mV, the layout (3×4). Filters, start and the lead of a one-lead page
    are always kept. ``ReportContent.page_notice`` says what changed (QA 39: 12×1, 6×2,
    50 mm/s and 20 mm/mV had been printed as 3×4, 25 mm/s, 10 mm/mV without a word, and the
    JSON report had named the settings asked for)."""
    layouts = (s.layout,) if s.layout == "3x4" else (s.layout, "3x4")
    capped = replace(s, gain_limb_mm_mv=min(s.gain_limb_mm_mv, 10.0),
                     gain_chest_mm_mv=min(s.gain_chest_mm_mv, 10.0))
    tried: list[PageSettings] = []
    for layout in layouts:
        for gains in (s, capped):
            for speed in dict.fromkeys((s.speed_mm_s, min(s.speed_mm_s, 25.0))):
                for window in dict.fromkeys((s.window_s, min(s.window_s, 5.0))):
                    c = replace(gains, layout=layout, speed_mm_s=speed, window_s=window)
                    if c in tried:
                        continue
                    tried.append(c)
                    if _fits(layout_page(record, c)):
                        if c != s:
                            log.info("report: %s does not fit A4 at true scale; printed as %s",
                                     s, c)
                        return c
    # a record drawn as its own channels, one a row, has more rows than the sheet takes at the
    # layout's pitch (QA 42: 9 channels of an EDF ran 200 mm past the sheet, 4 of them lost):
    # its rows closer, at a gain they leave room for; in the same order: the requested speed
    # with 5 s before 25 mm/s (QA 44: 50 mm/s had been given up although 50 mm/s x 5 s fits)
    # with 5 s only above 25 mm/s (at 25 mm/s or slower 10 s fit: QA 47, the 9-channel EDF at
    # 25 mm/s had been printed with 5 s)
    last = (min(s.speed_mm_s, 25.0), 10.0)  # tried last: more than 32 rows end there
    faster = [(s.speed_mm_s, s.window_s), (s.speed_mm_s, min(s.window_s, 5.0))] \
        if s.speed_mm_s > 25.0 else []
    for speed, window in dict.fromkeys([*faster, last]):
        base = replace(capped, layout="3x4", speed_mm_s=speed, window_s=window)
        for pitch in (35.0, 30.0, 25.0, 20.0, 15.0, 10.0, 5.0):
            gain = max((g for g in GAINS_MM_MV if g <= pitch / 3.0), default=min(GAINS_MM_MV))
            c = replace(base, row_pitch_mm=pitch, gain_limb_mm_mv=min(gain, base.gain_limb_mm_mv),
                        gain_chest_mm_mv=min(gain, base.gain_chest_mm_mv))
            if _fits(layout_page(record, c)):
                return c
    return c  # more than 32 rows: the sheet shows those that fit


def _fits(page: Page) -> bool:
    return (page.width_mm <= SHEET_W_MM - 2 * 4.0
            and page.height_mm <= SHEET_H_MM - GRID_TOP_MM - FOOTER_MM)


def render_pdf(content: ReportContent, out: BinaryIO, settings: PageSettings | None = None,
               lang: str | None = None, *, compress: bool = True) -> None:
    """Write the report PDF into ``out`` in ``lang`` (default: the current language;
    ``compress=False`` leaves the drawing operators readable, for tests that measure the grid)."""
    lang = lang or language()
    register_font()
    page, signal = report_page(content, settings)
    c = Canvas(out, pagesize=(SHEET_W_PT, SHEET_H_PT), pageCompression=int(compress))
    set_sheet_language(c, lang)  # ≥ ≤ as they are in English (pdf_text.text_at)
    c.setTitle(f"{tr('report.title', lang)} {Path(content.analysis.file).name}")
    c.setAuthor(f"ecg-viewer {content.app_version}")
    c.setSubject(tr("safety.notice", lang))
    _sheet1(c, content, page, signal, lang)
    c.showPage()
    _sheet2(c, content, lang)
    c.showPage()
    if content.comparison is not None:  # sheet 3: the comparison with the prior ECG
        from ecg_viewer.report.pdf_compare import comparison_sheet

        text_at(c, MARGIN_MM, 8.5, tr("report.title", lang), 13)
        _banner(c, content, 160.0, 2.5, SHEET_W_MM - 160.0 - MARGIN_MM, lang)
        text_at(c, MARGIN_MM, 17.8, fit_text(patient_line(content, lang),
                                             SHEET_W_MM - 2 * MARGIN_MM, 7.5), 7.5)
        comparison_sheet(c, content, lang)
        _footer(c, content, 3, lang)
        c.showPage()
    c.save()


def pdf_bytes(content: ReportContent, settings: PageSettings | None = None,
              lang: str | None = None, *, compress: bool = True) -> bytes:
    buf = io.BytesIO()
    render_pdf(content, buf, settings, lang, compress=compress)
    return buf.getvalue()


def write_pdf(path: str | Path, content: ReportContent, settings: PageSettings | None = None,
              lang: str | None = None) -> Path:
    """Render in memory, then write atomically (an existing report is never half-replaced)."""
    return write_atomic(path, pdf_bytes(content, settings, lang))


def _na(lang: str) -> str:
    return tr("report.unknown", lang)


def patient_line(content: ReportContent, lang: str) -> str:
    m = content.record.meta
    sex = tr(f"report.sex.{m.sex}", lang) if m.sex in ("M", "F") else _na(lang)
    age = tr("report.age_value", lang, age=m.age_years) if m.age_years is not None else _na(lang)
    if m.age_years is not None and (by_birth := m.age_by_birth_date()) is not None:
        age = tr("report.age_disagree", lang, age=m.age_years, by_birth=by_birth)
    when = m.recorded_at.strftime("%Y-%m-%d %H:%M:%S") if m.recorded_at else _na(lang)
    filt = device_filter_text(m.filters, lang) or _na(lang)
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
    for key, label, unit in report_measurement_keys(meas):
        value = measurement_value(meas, key)
        sep = "" if unit == "°" else " "
        shown = (f"{value:.0f}{sep}{unit_label(unit, lang)}" if value is not None
                 else tr("report.not_measured", lang))
        if value is not None and low_confidence_reason(meas, key) is not None:
            shown += paren(tr("meas.conf_low_mark", lang), lang)  # shown grey in the window
        parts.append(f"{measurement_label(label, lang)} {shown}")
    return f"{tr('report.measurements', lang)}:  " + "   ".join(parts)


def _level_names(lang: str) -> dict[str, str]:
    return REFERRAL_JA if lang == "ja" else REFERRAL_EN


def _banner(c: Canvas, content: ReportContent, x_mm: float, y_mm: float, w_mm: float,
            lang: str) -> None:
    ref = content.analysis.referral
    review = content.review
    # one line: what raised the level, by name (the level is the box's own; the reasons in
    # full, with their evidence, are under the suggestions table)
    heads = list(dict.fromkeys(reason_head(r, lang) for r in ref.reason_keys))
    title = f"{tr(content.referral_title_key, lang)}: {ref.name(lang)}"
    head = list_sep(lang).join(heads)
    lines = [title + (f" — {head}" if heads else "")]
    level = ref.level
    if review and review.final_level:
        level = review.final_level
        lines.append(f"{tr('report.final_level', lang)}: {_level_names(lang)[review.final_level]}")
    elif review is not None and not review.is_empty:
        lines.append(f"{tr('report.final_level', lang)}: {tr('report.level_pending', lang)}")
    else:
        lines.append(tr("report.not_reviewed", lang))
    h = 12.0
    c.setFillColor(BANNER_COLORS[level])
    c.roundRect(x_mm * mm, y_pt(y_mm + h), w_mm * mm, h * mm, 1.5 * mm, stroke=0, fill=1)
    if heads and not fits(lines[0], w_mm - 4, 10):
        # the findings do not fit after the level (the English title is long): a line of their
        # own, so that the names are read rather than cut after the first one
        text_at(c, x_mm + 2, y_mm + 4.3, fit_text(title, w_mm - 4, 9), 9, white)
        text_at(c, x_mm + 2, y_mm + 7.6, *_whole_heads(heads, w_mm - 4, lang), white)
        text_at(c, x_mm + 2, y_mm + 10.8, fit_text(lines[1], w_mm - 4, 7.5), 7.5, white)
        return
    text_at(c, x_mm + 2, y_mm + 5.0, fit_text(lines[0], w_mm - 4, 10), 10, white)
    text_at(c, x_mm + 2, y_mm + 10.2, fit_text(lines[1], w_mm - 4, 9), 9, white)


def _whole_heads(heads: list[str], width_mm: float, lang: str) -> tuple[str, float]:
    """The banner's findings on one line at 7.5 down to 6.5 pt: all of them when they fit, else
    as many whole ones as fit and 「ほか n 件（2 ページ目）」 (the English banner had cut its
    second finding mid-word: "…; atrial fibrillation (Urgent referral: rapid ventric…")."""
    sep = list_sep(lang)
    text, size = fit_size(sep.join(heads), width_mm, 7.5, 6.5)
    if not text.endswith("…") or len(heads) == 1:
        return text, size
    for k in range(len(heads) - 1, 0, -1):
        shown = sep.join(heads[:k]) + sep + tr("report.banner_more", lang, n=len(heads) - k)
        if fits(shown, width_mm, 6.5):
            return fit_size(shown, width_mm, 7.5, 6.5)
    return text, size


#: lines sheet 2 gives the referral's reasons (the table of findings gets the rest of the room)
MAX_REASON_LINES = 8


def referral_reason_lines(reasons: list[str], width_mm: float, lang: str,
                          max_lines: int = MAX_REASON_LINES) -> list[str]:
    """The referral's reasons as sheet 2 prints them (:func:`bullet_list`: each on up to three
    lines, as many whole as fit, then how many more the JSON report holds). Reasons were cut
    after five lines without a mark and the later ones dropped (CinC Q0398 lost its injury
    reason and the note that its ST-T changes may be secondary)."""
    return bullet_list(reasons, width_mm, 7.5, lang, max_lines,
                       lambda n: tr("report.more_reasons", lang, n=n))


def _footer(c: Canvas, content: ReportContent, n: int, lang: str, notice: bool = True) -> None:
    if notice:
        text_at(c, MARGIN_MM, SHEET_H_MM - 4.2, tr("safety.notice", lang), 7.5, Color(0.6, 0, 0))
    prov = tr("report.provenance", lang, app=content.app_version,
              weights=(content.weights_sha256 or "—")[:16],
              catalog=content.catalog_version or "—",
              generated=content.generated_at.astimezone().strftime("%Y-%m-%d %H:%M"))
    text_at(c, MARGIN_MM, SHEET_H_MM - 1.2, fit_text(prov, 230, 6.5), 6.5, Color(0.3, 0.3, 0.3))
    text_at(c, SHEET_W_MM - MARGIN_MM - 18, SHEET_H_MM - 1.2,
          tr("report.page_no", lang, n=n, total=3 if content.comparison is not None else 2),
          6.5, Color(0.3, 0.3, 0.3))


_DECIDED = {"confirmed": "report.sheet1.confirmed", "rejected": "report.sheet1.rejected"}


def _suggestions_line(content: ReportContent, lang: str, width_mm: float, size: float) -> str:
    """Sheet 1's line of the top five suggestions: as many whole as fit, then how many more
    sheet 2 lists, and the star's legend (a long English line was cut mid-name, legend and all:
    "…left posterior fas…")."""
    head = f"{tr('report.suggestions', lang)}: "
    sugg = content.suggestions(5)
    if not sugg:
        return head + tr("report.no_suggestions", lang)
    names = _level_names(lang)
    sep = "　" if lang == "ja" else "  "
    # the physician's review on the first sheet too: each decided suggestion says how it was
    # decided, and the findings added by hand follow (sheet 1 showed the model's view only)
    decisions = content.review.decisions if content.review else {}
    items = [f"{s.ja if lang == 'ja' else s.en}{unvalidated_mark(s, lang)} {score_text(s, lang)}"
             + ("" if s.unvalidated else paren(names.get(lv := shown_level(s, content.analysis), lv),
                                               lang))
             + ("*" if s.above_threshold else "")
             + ((f"［{tr(_DECIDED[decisions[s.id]], lang)}］" if lang == "ja" else
                 f" [{tr(_DECIDED[decisions[s.id]], lang)}]") if s.id in decisions else "")
             for s in sugg]
    # the physician's own findings not marked above: added by hand, or confirmed outside the
    # top five (a rejected suggestion added again is stored as confirmed)
    top = {s.id for s in sugg}
    stated = [f[lang] for f in content.findings() if f.get("decision") == "added"
              or (f.get("decision") == "confirmed" and f["id"] not in top)]
    legend = tr("report.star_legend", lang)

    # where not all fit, the decided ones stay (a rejected one first: the banner may name it,
    # and sheet 1 read alone must say the physician rejected it; QA 38), shown in score order
    order = sorted(range(len(items)), key=lambda i: (
        {"rejected": 0, "confirmed": 1}.get(decisions.get(sugg[i].id, ""), 2), i))

    def line(k: int, m: int) -> str:  # k of the suggestions, the first m of the physician's
        kept = [items[i] for i in sorted(order[:k])]
        more = (sep + tr("report.more_on_sheet2", lang, n=len(items) - k)) if k < len(items) else ""
        own = ""
        if stated:
            shown = ("、" if lang == "ja" else ", ").join(stated[:m])
            rest = len(stated) - m
            own = sep + tr("report.sheet1.added", lang, labels=shown + (
                ("" if not m else " ") + tr("report.more_on_sheet2", lang, n=rest) if rest else ""))
        return f"{head}{sep.join(kept)}{more}{own}{sep}{legend}"

    k, m = len(items), len(stated)
    while k > 1 and not fits(line(k, m), width_mm, size):
        k -= 1  # the AI's suggestions give way first (sheet 2 lists them all) ...
    while m > 0 and not fits(line(k, m), width_mm, size):
        m -= 1  # ... then the physician's, whole names only, with how many more
    return line(k, m)


def _suggestions_fit(content: ReportContent, lang: str, width_mm: float) -> tuple[str, float]:
    """The suggestions line at 8 pt, or at 7 pt where that shows more of them whole (a reviewed
    English case: the decisions and the added findings make the line long)."""
    at8 = _suggestions_line(content, lang, width_mm, 8)
    at7 = _suggestions_line(content, lang, width_mm, 7)
    return (at7, 7.0) if len(at7) > len(at8) else (at8, 8.0)


# --- sheet 1: the ECG ---------------------------------------------------------------------------
FILE_LINE_MM = 150.0  # sheet 1's file line, left of the banner (at 160 mm)


def _sheet1(c: Canvas, content: ReportContent, page: Page, signal: np.ndarray, lang: str) -> None:
    title = tr("report.title", lang)
    text_at(c, MARGIN_MM, 8.5, title, 13)
    problems = content.analysis.quality.problems
    window = model_window_text(content.analysis, lang)  # a record longer than the model's 10 s
    head = (f"{tr('report.file', lang)}: {Path(content.analysis.file).name}"
            f"   sha256 {(content.analysis.sha256 or '—')[:16]}…")
    tail = f"   {window}" if window else ""
    # the model-window sentence whole, a little smaller where needed; a long file name gives way
    # (QA 67: English had cut "…of the record (its central …")
    _, size = fit_size(head + tail, FILE_LINE_MM, 7, 6)
    room = FILE_LINE_MM - pdfmetrics.stringWidth(tail, FONT, size) / mm
    text_at(c, MARGIN_MM, 13.0, fit_text(head, room, size) + tail, size, Color(0.3, 0.3, 0.3))
    child = child_note(content.analysis, lang)  # adult criteria on a child's ECG (QA 73)
    if problems or child:  # the sheet that is printed and filed says it too (QA 48: a wrong
        # gain's warning was on sheet 2 only, under LVH suggestions on sheet 1), in two lines
        # beside the title: the file line under it keeps the name and the hash that identify the
        # sheet (QA 49: a caveat beside them had cut both)
        caveat = " ".join(t for t in (child, tr("report.quality_caveat", lang, problems=sentences(
            (p.text(lang) for p in problems), lang)) if problems else "") if t)
        x = MARGIN_MM + pdfmetrics.stringWidth(title, FONT, 13) / mm + 4.0
        for k, part in enumerate(wrap_text(caveat, 158.0 - x, 7, 2)):
            text_at(c, x, 5.6 + 2.9 * k, part, 7, Color(0.75, 0.30, 0.0))
    _banner(c, content, 160.0, 2.5, SHEET_W_MM - 160.0 - MARGIN_MM, lang)
    text_at(c, MARGIN_MM, 17.8, fit_text(patient_line(content, lang), SHEET_W_MM - 2 * MARGIN_MM, 7.5),
          7.5)
    # every measurement, a little smaller where the line is long (English) rather than cut
    text_at(c, MARGIN_MM, 22.0, *fit_size(measurements_line(content, lang),
                                          SHEET_W_MM - 2 * MARGIN_MM, 8, 7))
    line, size = _suggestions_fit(content, lang, SHEET_W_MM - 2 * MARGIN_MM)
    text_at(c, MARGIN_MM, 26.2, fit_text(line, SHEET_W_MM - 2 * MARGIN_MM, size), size)
    at = Placement(origin_x_mm=(SHEET_W_MM - page.width_mm) / 2.0, origin_y_mm=GRID_TOP_MM,
                   sheet_height_pt=SHEET_H_PT)
    draw_grid(c, page, at)
    draw_traces(c, page, content.record, at, signal=signal, font=FONT, lang=lang)
    draw_annotations(c, page, content.annotations, at, font=FONT, lang=lang)
    _footer(c, content, 1, lang)


# --- sheet 2: findings and review -------------------------------------------------------------
def _sheet2(c: Canvas, content: ReportContent, lang: str) -> None:
    text_at(c, MARGIN_MM, 8.5, tr("report.title", lang), 13)
    _banner(c, content, 160.0, 2.5, SHEET_W_MM - 160.0 - MARGIN_MM, lang)
    text_at(c, MARGIN_MM, 17.8, fit_text(patient_line(content, lang), SHEET_W_MM - 2 * MARGIN_MM, 7.5),
          7.5)
    y = 25.0
    left_w = 150.0
    text_at(c, MARGIN_MM, y, tr("report.suggestions", lang), 10)
    y += 5.0
    ref = content.analysis.referral
    reason_lines = referral_reason_lines(ref.reasons(lang), left_w - 4, lang)
    quality_lines: list[str] = []
    if content.analysis.quality.problems:  # unreadable, or a lead the record was read without
        probs = sentences((p.text(lang) for p in content.analysis.quality.problems), lang)
        quality_lines = wrap_text(tr("report.quality_bad", lang, problems=probs), left_w, 8, 3)
    # what comes under the table, to the safety notice: the table gets the rest (each
    # suggestion above threshold has a line of its evidence, issue 12; fewer rows fit then)
    below = (7.0 + 4.2 * len(reason_lines) + 7.0
             + measurement_block_height(content, left_w, lang)
             + (5.0 + 4.0 * (len(quality_lines) - 1) if quality_lines else 0.0))
    y = suggestions_table(c, content, y, left_w, NOTICE_TOP_MM - 2.5 - below, lang)
    y += 7.0
    text_at(c, MARGIN_MM, y, f"{tr(content.referral_title_key, lang)}: {ref.name(lang)}", 9)
    for line in reason_lines:
        y += 4.2
        text_at(c, MARGIN_MM + 4, y, line, 7.5)
    y = measurement_block(c, content, y + 7.0, left_w, lang)
    colour = Color(0.6, 0, 0) if not content.analysis.quality.ok else Color(0.45, 0.3, 0)
    y += 1.0
    for line in quality_lines:
        y += 4.0
        text_at(c, MARGIN_MM, y, line, 8, colour)
    y_review = review_column(c, content, 168.0, 25.0, SHEET_W_MM - 168.0 - MARGIN_MM, lang)
    device_reading_block(c, content, 168.0, y_review + 8.0, SHEET_W_MM - 168.0 - MARGIN_MM,
                         NOTICE_TOP_MM - 3.0, lang)
    provenance_block(c, content, lang)
    _footer(c, content, 2, lang, notice=False)
