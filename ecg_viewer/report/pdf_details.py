"""Sheet 2 of the PDF report: measurements with reasons, the physician's review, calipers and
notes, the notice and the provenance in full."""

from __future__ import annotations

import logging

from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from ecg_viewer.core.messages import MESSAGES, paren, tr, unit_label
from ecg_viewer.core.prediction import REFERRAL_EN, REFERRAL_JA
from ecg_viewer.report.content import (
    ReportContent,
    annotation_text,
    device_reading,
    format_name,
    low_confidence_reason,
    measurement_label,
    measurement_value,
    report_measurement_keys,
)
from ecg_viewer.report.pdf_text import (
    FONT,
    MARGIN_MM,
    SHEET_H_MM,
    SHEET_W_MM,
    bullet_list,
    fit_text,
    text_at,
    wrap_text,
    y_pt,
)
from ecg_viewer.review.model import Annotation, local_time
from ecg_viewer.signal.page import CLOCK_FROM_S, clock_text

log = logging.getLogger(__name__)
GREY = Color(0.45, 0.45, 0.45)  # a value of low confidence, as the window greys it


def _measurement_cells(content: ReportContent, lang: str) -> tuple[list[tuple[str, bool]],
                                                                     list[tuple[int, str]]]:
    """The measurement block's cells (text, low confidence) and its notes (number, reason): a
    value of low confidence carries the mark and a note number, its reason whole in the note
    (after the value it was cut to the column's width)."""
    meas = content.analysis.measurements or {}
    reasons = meas.get("reasons") or {}
    cells: list[tuple[str, bool]] = []
    notes: dict[str, int] = {}  # reason key -> its note's number, in order of first use
    for key, label, unit in report_measurement_keys(meas):
        value = measurement_value(meas, key)
        low = low_confidence_reason(meas, key) if value is not None else None
        if value is not None:
            sep = "" if unit == "°" else " "
            text = f"{measurement_label(label, lang)}  {value:.0f}{sep}{unit_label(unit, lang)}"
            if low is not None:
                mark = tr("meas.conf_low_mark", lang)
                if low in MESSAGES:
                    mark += f" *{notes.setdefault(low, len(notes) + 1)}"
                text += paren(mark, lang)
        else:
            why = reasons.get(key)
            try:
                why_text = tr(why, lang) if why else ""
            except KeyError:
                log.warning("measurement reason %r is not a message key; printed as it is", why)
                why_text = str(why)
            text = (f"{measurement_label(label, lang)}  {tr('report.not_measured', lang)}"
                    + (paren(why_text, lang) if why_text else ""))
        cells.append((text, low is not None))
    return cells, [(n, tr(reason, lang)) for reason, n in notes.items()]


NOTE_LINE_MM = 3.8
CELL_ROW_MM = 4.2  # a row of the measurement grid
CELL_LINE_MM = 3.3  # a cell's second line (a reason too long for the column: QA 46, cut "…")
CELL_PT = 7.5


def _cell_lines(cells: list[tuple[str, bool]], w: float) -> list[list[str]]:
    """Each cell's text on at most two lines of its column (``w / 2`` wide)."""
    return [wrap_text(text, w / 2.0 - 2, CELL_PT, 2)
            for text, _ in cells]


def _grid_rows_mm(lines: list[list[str]]) -> list[float]:
    """The height of each row of the two-column grid: one more line where a cell of it wraps."""
    return [CELL_ROW_MM + CELL_LINE_MM * (max(len(x) for x in lines[i:i + 2]) - 1)
            for i in range(0, len(lines), 2)]


def _grid_height_mm(rows: list[float]) -> float:
    """From the grid's first line to its last (the block's y is that of its last line)."""
    return sum(rows) - CELL_ROW_MM if rows else 0.0


def _note_lines(notes: list[tuple[int, str]], w: float) -> list[tuple[str, str]]:
    return [(f"*{n}" if k == 0 else "", line) for n, text in notes
            for k, line in enumerate(wrap_text(text, w - 10, 7, 2))]


def measurement_block_height(content: ReportContent, w: float, lang: str) -> float:
    """The height :func:`measurement_block` takes below its ``y`` (mm)."""
    if not content.analysis.measurements:
        return 4.5
    cells, notes = _measurement_cells(content, lang)
    rows = _grid_rows_mm(_cell_lines(cells, w))
    return 4.5 + _grid_height_mm(rows) + NOTE_LINE_MM * len(_note_lines(notes, w))


def measurement_block(c: Canvas, content: ReportContent, y: float, w: float,
                       lang: str) -> float:
    """Every measurement with its value, or why it could not be measured; a value of low
    confidence (grey in the window) printed grey with the mark and a note number, its reason
    in full under the block. Returns the y of its last line."""
    text_at(c, MARGIN_MM, y, tr("report.measurements", lang), 9)
    if not content.analysis.measurements:
        text_at(c, MARGIN_MM + 4, y + 4.5, tr("report.no_measurements", lang), 8)
        return y + 4.5
    cells, notes = _measurement_cells(content, lang)
    col_w = w / 2.0
    lines = _cell_lines(cells, w)
    rows = _grid_rows_mm(lines)
    y += 4.5
    for i, ((_, low), cell) in enumerate(zip(cells, lines, strict=True)):
        row, col = divmod(i, 2)
        top = y + sum(rows[:row])
        for k, line in enumerate(cell):
            text_at(c, MARGIN_MM + 4 + col * col_w, top + CELL_LINE_MM * k, line, CELL_PT,
                    GREY if low else None)
    y += _grid_height_mm(rows)
    for mark, line in _note_lines(notes, w):
        y += NOTE_LINE_MM
        text_at(c, MARGIN_MM + 4, y, mark, 7, GREY)
        text_at(c, MARGIN_MM + 9, y, line, 7, GREY)
    return y



REVIEW_LINE_MM = 4.2


def review_column(c: Canvas, content: ReportContent, x: float, y: float, w: float,
                  lang: str, bottom: float | None = None) -> float:
    """The physician's review (or that there is none) down to ``bottom`` (mm; default: above
    sheet 2's safety notice); returns where it ends (mm). The physician's own text is given the
    room the column has: every decided, rejected and added finding and the whole comment (QA 38:
    rows cut after 3 lines lost 8 of 15 added findings, a comment cut after 8 lines its end);
    what still does not fit ends in a note that the JSON and FHIR hold it whole."""
    bottom = NOTICE_TOP_MM - 3.0 if bottom is None else bottom
    review = content.review
    text_at(c, x, y, tr("report.review", lang), 10)
    y += 5.5
    if review is None or review.is_empty:
        text_at(c, x, y, tr("report.not_reviewed", lang), 8.5, Color(0.6, 0, 0))
        return y
    names = REFERRAL_JA if lang == "ja" else REFERRAL_EN
    final = names[review.final_level] if review.final_level else "—"
    suggested = names.get(review.suggested_level or content.analysis.referral.level, "—")
    k, sep = (0, "、") if lang == "ja" else (1, "; ")
    rows = [
        (tr("report.final_level", lang), final),
        (tr("report.suggested_level", lang), suggested),
        (tr("report.confirmed", lang), sep.join(content.label_text(i)[k]
                                                for i in review.confirmed) or "—"),
        (tr("report.rejected", lang), sep.join(content.label_text(i)[k]
                                               for i in review.rejected) or "—"),
        (tr("report.added", lang), sep.join(content.label_text(i)[k]
                                            for i in review.added_labels) or "—"),
        (tr("report.needs_exam", lang),
         (tr("report.yes", lang) + ((f"：{review.needs_exam_reason}" if lang == "ja"
                                     else f": {review.needs_exam_reason}")
                                    if review.needs_exam_reason else ""))
         if review.needs_exam else tr("report.no", lang)),
        (tr("report.reviewer", lang), f"{review.reviewer or '—'}　{local_time(review.updated_at)}"),
    ]
    # the heads' column as wide as the widest head needs, up to 40 mm; a longer head wraps (the
    # English "Physician's referral level" ran into its value in a 26-mm column)
    col = min(40.0, max(26.0, *(pdfmetrics.stringWidth(h, FONT, 7.5) / mm + 3.5
                                for h, _ in rows)))
    cells = [(wrap_text(head, col - 1.5, 7.5, 2), wrap_text(value, w - col, 8.5))
             for head, value in rows]
    comment = wrap_text(review.comment or "—", w - 2, 8.5)
    notes = _annotation_cells(review.annotations, w, lang)
    notes_h = len(notes[0]) if notes else 0  # lines
    room = int((bottom - y - 4.2 - 2.0 * bool(notes) - 4.0 * notes_h
                - 0.6 * len(rows) - sum(3.4 * (len(h) - 1) for h, _ in cells)) // REVIEW_LINE_MM)
    # the rows first (a finding list past 12 lines is cut there), then the comment
    rows_room = max(room - min(len(comment), 4), len(rows))
    cut = _fit_lines([len(v) for _, v in cells], rows_room, 12)
    for (heads, values), keep in zip(cells, cut, strict=True):
        for i, line in enumerate(heads):
            text_at(c, x, y + 3.4 * i, line, 7.5, Color(0.3, 0.3, 0.3))
        values = _cut_lines(values, keep, w - col, lang)
        for i, line in enumerate(values):
            text_at(c, x + col, y + REVIEW_LINE_MM * i, line, 8.5)
        y += max(REVIEW_LINE_MM * len(values), 3.4 * (len(heads) - 1) + REVIEW_LINE_MM) + 0.6
    text_at(c, x, y, tr("report.comment", lang), 7.5, Color(0.3, 0.3, 0.3))
    y += REVIEW_LINE_MM
    left = max(int((bottom - y - 2.0 * bool(notes) - 4.0 * notes_h) // REVIEW_LINE_MM), 2)
    for line in _cut_lines(comment, left, w - 2, lang):
        text_at(c, x + 2, y, line, 8.5)
        y += REVIEW_LINE_MM
    if notes:
        y += 2.0
        text_at(c, x, y, tr("report.annotations", lang), 7.5, Color(0.3, 0.3, 0.3))
        col_w = (w - 2) / len(notes)
        for k, column in enumerate(notes):
            for i, line in enumerate(column, start=1):
                text_at(c, x + 2 + k * col_w, y + 4.0 * i, fit_text(line, col_w - 1, 7.5), 7.5)
        y += 4.0 * notes_h
    return y


ANNOTATION_LINES = 8  # the review column's caliper list: at most this many lines
ANNOTATION_COLUMN_MM = 55.0  # a column of caliper entries ("[12] V5 6.90 s: 400 ms（150 /分）")


def _annotation_cells(annotations: tuple[Annotation, ...] | list[Annotation], w: float,
                      lang: str) -> list[list[str]]:
    """The calipers' entries ``[n] lead time: value`` in as many columns of
    ``ANNOTATION_COLUMN_MM`` as ``w`` holds, filled down first, at most ``ANNOTATION_LINES``
    lines; what does not fit ends in 「ほか n 件（JSON に全件）」, so no caliper the physician
    placed is left out without a word (QA 71: 12 placed, [1]-[8] listed, [9] and [12] on no
    page). The number is the caliper's own, as page 1 labels it."""
    if not annotations:
        return []
    cols = max(int((w - 2) // ANNOTATION_COLUMN_MM), 1)
    entries = [f"[{n}] {annotation_text(a, lang)}" for n, a in enumerate(annotations, start=1)]
    room = cols * ANNOTATION_LINES
    if len(entries) > room:
        entries = [*entries[: room - 1],
                   tr("report.annotations_more", lang, n=len(entries) - room + 1)]
    per = -(-len(entries) // cols)
    return [entries[i : i + per] for i in range(0, len(entries), per)]


def _fit_lines(lengths: list[int], room: int, cap: int) -> list[int]:
    """How many lines each row keeps: all of them where they fit in ``room``, otherwise the
    longest rows are cut first, none below 3 lines nor above ``cap``."""
    keep = [min(n, cap) for n in lengths]
    while sum(keep) > room and max(keep) > 3:
        i = keep.index(max(keep))
        keep[i] -= 1
    return keep


def _cut_lines(lines: list[str], keep: int, width_mm: float, lang: str) -> list[str]:
    """``lines`` cut to ``keep``, the last one saying the rest is in the JSON and FHIR."""
    if len(lines) <= keep:
        return lines
    more = tr("report.review_more", lang)
    last = fit_text(lines[keep - 1], width_mm - pdfmetrics.stringWidth(more, FONT, 8.5) / mm - 1,
                    8.5)
    return [*lines[: keep - 1], f"{last}{more}"]


def device_reading_block(c: Canvas, content: ReportContent, x: float, y: float, w: float,
                         bottom: float, lang: str) -> None:
    """The recording device's own interpretation statements, verbatim, under the review (a
    clinician compares them with the suggestions; the cart's ">>> Acute MI <<<" was kept in the
    file's metadata and shown nowhere), as many lines as fit above ``bottom``, the rest counted."""
    measured, statements = device_reading(content.record.meta, lang)
    if not (statements or measured) or y + 9.0 > bottom:
        return
    text_at(c, x, y, tr("report.device_reading", lang), 9)
    y += 4.4
    for line in wrap_text(measured, w - 4, 7.5, 2) if measured else ():
        text_at(c, x + 2, y, line, 7.5)
        y += 3.8
    lines = bullet_list(statements, w - 2, 7.5, lang, int((bottom - y) // 3.8) + 1,
                        lambda n: tr("report.device_reading_more", lang, n=n))
    for line in lines:
        text_at(c, x + 2, y, line, 7.5)
        y += 3.8


NOTICE_TOP_MM = SHEET_H_MM - 35.2  # the top of sheet 2's safety notice box


def provenance_block(c: Canvas, content: ReportContent, lang: str) -> None:
    y = NOTICE_TOP_MM + 5.2
    lines = wrap_text(tr("safety.notice", lang), SHEET_W_MM - 2 * MARGIN_MM - 4, 9, 2)
    c.setStrokeColor(Color(0.6, 0, 0))
    c.setLineWidth(0.8)
    box_h = 3.0 + 4.5 * len(lines)
    c.rect(MARGIN_MM * mm, y_pt(y - 5.2 + box_h), (SHEET_W_MM - 2 * MARGIN_MM) * mm, box_h * mm,
           stroke=1, fill=0)
    for i, line in enumerate(lines):
        text_at(c, MARGIN_MM + 2, y + 4.5 * i, line, 9, Color(0.6, 0, 0))
    y += box_h + 3.0
    rec = content.record
    # the length as sheet 1 and the window's header give it: h:mm:ss from an hour on (QA 44)
    if rec.duration_s >= CLOCK_FROM_S:
        key, length = "report.details.record_clock", {"clock": clock_text(rec.duration_s)}
    else:
        key, length = "report.details.record", {"seconds": f"{rec.duration_s:.1f}"}
    rows = [
        f"{tr('report.file', lang)}: {content.analysis.file}",
        tr(key, lang, sha256=content.analysis.sha256 or "—", format=format_name(rec.format, lang),
           fs=f"{rec.fs_hz:g}", leads=len(rec.lead_names), **length),
        tr("report.details.model", lang, version=content.app_version,
           weights=content.weights_sha256 or "—", catalog=content.catalog_version or "—",
           device=content.model.get("device") or "—"),
    ]
    for line in rows:
        text_at(c, MARGIN_MM, y, fit_text(line, SHEET_W_MM - 2 * MARGIN_MM, 7), 7, Color(0.25, 0.25, 0.25))
        y += 3.6
