"""Sheet 2's suggestions table of the PDF report: which labels get a row (:func:`table_rows`),
each finding's name whole where it can be (:func:`_finding_cell`), its score bar with the
label's threshold, similarity, category, the physician's decision and a line of its evidence;
as many rows as the room above the parts below it allows, the rest counted."""

from __future__ import annotations

from collections.abc import Callable

from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from ecg_viewer.core.messages import tr
from ecg_viewer.core.prediction import LabelScore, category_text
from ecg_viewer.labels.evidence import evidence_line, measurement_evidence, score_text
from ecg_viewer.labels.referral import shown_level
from ecg_viewer.report.content import ReportContent
from ecg_viewer.report.pdf_text import (
    MARGIN_MM,
    fit_size,
    fits,
    text_at,
    wrap_text,
    y_pt,
)

DECISION_KEYS = {"confirmed": "report.confirmed", "rejected": "report.rejected"}


def unvalidated_mark(s: LabelScore, lang: str) -> str:
    """The mark of a label without a validated threshold (ranked only, never flagged)."""
    return tr("suggest.unvalidated_mark", lang) if s.unvalidated else ""


MAX_TABLE_ROWS = 12  # rows of the suggestions table that fit on sheet 2


def table_rows(content: ReportContent, max_rows: int) -> tuple[list, int]:
    """The suggestions table: the top labels (top 10 and those above threshold), always
    including every label the physician decided on, at most ``max_rows``; and how many labels
    above threshold did not fit (they are all in the JSON report). When not all fit, the rows go
    first to the labels the banner rests on (those that raised it, those its combination names),
    then to the other labels above their thresholds, then to the top 10 below them; shown in
    score order."""
    analysis = content.analysis
    pred = analysis.prediction
    if pred is None:
        return [], 0
    decided = set(content.review.decisions) if content.review else set()
    candidates = list(content.suggestions(10))
    # every label above its threshold is a candidate too (the top 10 may hold only some of
    # them: CinC Q0033 left 左室高電位 0.55 out while a row below cited it as evidence)
    candidates += [s for s in pred.labels
                   if (s.id in decided or s.above_threshold) and s not in candidates]
    banner = set(analysis.referral.because) | set(analysis.referral.named)

    def priority(s: LabelScore) -> int:
        return 0 if s.id in decided else 1 if s.id in banner else 2 if s.above_threshold else 3

    n_decided = sum(s.id in decided for s in candidates)
    budget = max(0, max_rows - n_decided)
    rows = []
    for s in sorted(candidates, key=priority):  # stable: score order within a priority
        if s.id in decided:
            rows.append(s)
        elif budget > 0:
            rows.append(s)
            budget -= 1
    rows.sort(key=lambda s: pred.labels.index(s))
    hidden = sum(1 for s in pred.present() if s not in rows)
    return rows, hidden


ROW_MM = 4.6
EVIDENCE_ROW_MM = 3.3
EVIDENCE_PT = 6.3
EVIDENCE_LINES = 2  # an evidence line too long for the row goes on in a second (QA 46: cut "…")


def _evidence_row(s: LabelScore, lang: str) -> str:
    """The measurement evidence of a suggestion above threshold (○ for, × against), "" if none."""
    if not s.above_threshold:
        return ""
    items = measurement_evidence(s)
    if not items:
        return tr("evid.none", lang)
    return evidence_line(items, lang)


def _finding_cell(c: Canvas, s: LabelScore, y: float, lang: str, colour: Color,
                  with_english: bool = False) -> None:
    """A finding's name in the table (54 mm), never cut where it can be read whole:
    English: set a little smaller (to 6.5 pt), else on two lines at 6 pt in the row's height
    (its "(not validated)" is kept); Japanese: the Japanese name, 「名称（English）」 (8 or 7 pt)
    where ``with_english`` (every row's fits: :func:`_english_fits`)."""
    unvalidated = unvalidated_mark(s, lang)
    if lang == "ja":
        name = f"{s.ja}（{s.en}）{unvalidated}" if with_english else f"{s.ja}{unvalidated}"
        text_at(c, MARGIN_MM + 6, y, *fit_size(name, 54, 8, 7), colour)
        return
    text = f"{s.en}{unvalidated}"
    shown, size = fit_size(text, 54, 8, 6.5)
    if fits(text, 54, size):
        text_at(c, MARGIN_MM + 6, y, shown, size, colour)
        return
    for dy, line in zip((-2.0, 0.3), wrap_text(text, 54, 6, 2), strict=False):
        text_at(c, MARGIN_MM + 6, y + dy, line, 6, colour)


def _english_fits(rows: list[LabelScore]) -> bool:
    """Whether every row of the Japanese table has room for its English name after the Japanese
    one (at 7 pt or more): all rows give it or none (a cut English name, 「完全右脚ブロック（complete
    right bun…」, was most rows'; the English is in the JSON, the FHIR bundle and the window)."""
    return all(fits(f"{s.ja}（{s.en}）{unvalidated_mark(s, 'ja')}", 54, 7) for s in rows)


def _table_height(rows: list[LabelScore], hidden: int,
                  evidence: Callable[[LabelScore], list[str]]) -> float:
    """The suggestions table's height below its header line (mm), its legend included."""
    h = sum(ROW_MM + EVIDENCE_ROW_MM * len(evidence(s)) for s in rows)
    return (h or 4.5) + (4.6 if hidden else 0.0) + 5.0


def suggestions_table(c: Canvas, content: ReportContent, y: float, width: float, bottom: float,
                      lang: str) -> float:
    """The table from its header row at ``y``, ``width`` mm wide, its rows, the count of
    those left out and its legend ending above ``bottom`` (with one row at least); returns the
    legend's y."""
    review = content.review
    # each row's evidence, on its lines (none, one or two), made once for the fitting and drawing
    lines: dict[str, list[str]] = {}

    def evidence(s: LabelScore) -> list[str]:
        if s.id not in lines:
            ev = _evidence_row(s, lang)
            lines[s.id] = wrap_text(ev, width - 8, EVIDENCE_PT,
                                    EVIDENCE_LINES) if ev else []
        return lines[s.id]

    cols = ((MARGIN_MM, "#"), (MARGIN_MM + 6, tr("report.col.finding", lang)),
            (MARGIN_MM + 62, tr("report.col.score", lang)),
            (MARGIN_MM + 98, tr("report.col.similarity", lang)),
            (MARGIN_MM + 112, tr("report.col.category", lang)),
            (MARGIN_MM + 136, tr("report.col.decision", lang)))
    for x, head in cols:
        text_at(c, x, y, head, 7.5, Color(0.3, 0.3, 0.3))
    y += 1.2
    c.setStrokeColor(Color(0.6, 0.6, 0.6))
    c.setLineWidth(0.4)
    c.line(MARGIN_MM * mm, y_pt(y), (MARGIN_MM + width) * mm, y_pt(y))
    room = bottom - y
    for max_rows in range(MAX_TABLE_ROWS, 0, -1):  # at least one row, whatever the room
        suggestions, hidden = table_rows(content, max_rows)
        if _table_height(suggestions, hidden, evidence) <= room:
            break
    with_english = lang == "ja" and _english_fits(suggestions)
    if not suggestions:
        y += 4.5
        text_at(c, MARGIN_MM + 6, y, tr("report.no_suggestions", lang), 8)
    for rank, s in enumerate(suggestions, start=1):
        y += ROW_MM
        mark = (Color(0.75, 0, 0) if s.above_threshold
                else Color(0.5, 0.5, 0.5) if unvalidated_mark(s, lang) else Color(0, 0, 0))
        text_at(c, MARGIN_MM, y, str(rank), 8)
        _finding_cell(c, s, y, lang, mark, with_english)
        c.setFillColor(Color(0.85, 0.85, 0.85))
        c.rect((MARGIN_MM + 62) * mm, y_pt(y), 24 * mm, 2.6 * mm, stroke=0, fill=1)
        c.setFillColor(mark)
        # a finding shown from its measurements: the bar is the model's own score (QA 63)
        bar = s.measured_score if s.measured_score is not None else s.score
        c.rect((MARGIN_MM + 62) * mm, y_pt(y), 24 * max(0.0, min(1.0, bar)) * mm, 2.6 * mm,
               stroke=0, fill=1)
        c.setStrokeColor(Color(0, 0, 0))
        tx = (MARGIN_MM + 62 + 24 * s.threshold) * mm
        c.line(tx, y_pt(y + 0.5), tx, y_pt(y - 3.1))
        # "*" beside the score, as the legend and sheet 1 say: red alone is lost in a
        # black-and-white print (QA 38)
        text_at(c, MARGIN_MM + 87, y,
                f"{score_text(s, lang, short=True)}{'*' if s.above_threshold else ''}", 7.5,
                mark if s.above_threshold else None)
        text_at(c, MARGIN_MM + 98, y, f"{s.similarity:.3f}", 7.5)
        text_at(c, MARGIN_MM + 112, y,
                *fit_size("—" if s.unvalidated else  # never raises a level (QA 43)
                          category_text(shown_level(s, content.analysis), lang, short=True), 23.5,
                          7.5, 6.0))
        decision = review.decisions.get(s.id) if review else None
        text_at(c, MARGIN_MM + 136, y, tr(DECISION_KEYS[decision], lang) if decision else "—", 8)
        for line in evidence(s):
            y += EVIDENCE_ROW_MM
            text_at(c, MARGIN_MM + 8, y, line, EVIDENCE_PT, Color(0.25, 0.25, 0.25))
    if hidden:
        y += 4.6
        text_at(c, MARGIN_MM + 6, y, tr("report.more_present", lang, n=hidden), 7.5,
                Color(0.75, 0, 0))
    y += 5.0
    text_at(c, MARGIN_MM, y, tr("report.table_legend", lang), 6.5, Color(0.3, 0.3, 0.3))
    return y
