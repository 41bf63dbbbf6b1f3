"""Draw a :class:`~ecg_viewer.signal.page.Page` on a reportlab canvas, true to scale and vector:
the 1 mm / 5 mm grid, the traces, calibration pulses, lead names, settings line, and the
clinician's calipers and notes. The page geometry is the one the screen draws from.

``origin_mm`` is where the page's top-left corner goes on the PDF page (mm from the top-left of
the sheet); reportlab's y axis points up, the page's down.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from reportlab.lib.colors import Color, white
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from ecg_viewer.core.messages import tr
from ecg_viewer.core.record import EcgRecord
from ecg_viewer.review.model import Annotation
from ecg_viewer.signal.calipers import Caliper, all_caliper_marks
from ecg_viewer.signal.page import (
    MAJOR_MM,
    MINOR_MM,
    Page,
    clip_marks,
    clip_triangle,
    finite_runs,
    window_text,
)

GRID_MINOR = Color(0.98, 0.80, 0.80)
GRID_MAJOR = Color(0.91, 0.52, 0.52)
TRACE = Color(0, 0, 0)
CALIPER = Color(0.0, 0.30, 0.85)
CLIP_MARK = Color(0.78, 0.12, 0.12)  # a wave cut at the paper's edge
NOTE = Color(0.55, 0.0, 0.55)


@dataclass(frozen=True)
class Placement:
    """Maps page millimetres (y down) to PDF points (y up)."""

    origin_x_mm: float
    origin_y_mm: float
    sheet_height_pt: float

    def x(self, x_mm: float) -> float:
        return (self.origin_x_mm + x_mm) * mm

    def y(self, y_mm: float) -> float:
        return self.sheet_height_pt - (self.origin_y_mm + y_mm) * mm


def draw_grid(c: Canvas, page: Page, at: Placement) -> None:
    """1 mm minor and 5 mm major lines over the whole page (major lines drawn last, on top)."""
    n_x = int(round(page.width_mm / MINOR_MM))
    n_y = int(round(page.height_mm / MINOR_MM))
    per_major = int(round(MAJOR_MM / MINOR_MM))
    x0, x1 = at.x(0), at.x(page.width_mm)
    y0, y1 = at.y(0), at.y(page.height_mm)
    for major in (False, True):
        c.setStrokeColor(GRID_MAJOR if major else GRID_MINOR)
        c.setLineWidth(0.5 if major else 0.2)
        path = c.beginPath()
        for i in range(n_x + 1):
            if (i % per_major == 0) == major:
                x = at.x(i * MINOR_MM)
                path.moveTo(x, y0)
                path.lineTo(x, y1)
        for j in range(n_y + 1):
            if (j % per_major == 0) == major:
                y = at.y(j * MINOR_MM)
                path.moveTo(x0, y)
                path.lineTo(x1, y)
        c.drawPath(path, stroke=1, fill=0)


def draw_traces(c: Canvas, page: Page, record: EcgRecord, at: Placement, *, signal: Any,
                font: str, lang: str | None = None) -> None:
    """Traces, pulses, separators, lead names, settings. ``signal``: what is drawn, filtered as
    the page's settings say (``report.pdf.report_page`` made it, with the page's levels)."""
    c.saveState()
    clip = c.beginPath()
    clip.rect(at.x(0), at.y(page.height_mm), page.width_mm * mm, page.height_mm * mm)
    c.clipPath(clip, stroke=0, fill=0)
    c.setStrokeColor(TRACE)
    c.setLineJoin(1)
    c.setLineCap(1)
    c.setLineWidth(0.6)
    drawn = [trace.points(signal, record.fs_hz) for trace in page.traces]
    for xs, ys in drawn:
        px = (at.origin_x_mm + xs) * mm
        py = at.sheet_height_pt - (at.origin_y_mm + ys) * mm
        for run in finite_runs(py):  # a gap in the lead (EcgRecord.gaps) is left blank
            path = c.beginPath()
            path.moveTo(float(px[run.start]), float(py[run.start]))
            for x, y in zip(px[run.start + 1:run.stop].tolist(), py[run.start + 1:run.stop].tolist(),
                            strict=True):
                path.lineTo(x, y)
            c.drawPath(path, stroke=1, fill=0)
    for x_mm, edge in clip_marks(page, signal, record.fs_hz, drawn):  # a wave cut at the paper's edge
        c.setFillColor(CLIP_MARK)
        xs_mm, ys_mm = clip_triangle(x_mm, edge)
        path = c.beginPath()
        path.moveTo(at.x(xs_mm[0]), at.y(ys_mm[0]))
        for x, y in zip(xs_mm[1:], ys_mm[1:], strict=True):
            path.lineTo(at.x(x), at.y(y))
        path.close()
        c.drawPath(path, stroke=0, fill=1)
    for pulse in page.pulses:
        xs_mm, ys_mm = pulse.polyline()
        path = c.beginPath()
        path.moveTo(at.x(xs_mm[0]), at.y(ys_mm[0]))
        for x, y in zip(xs_mm[1:], ys_mm[1:], strict=True):
            path.lineTo(at.x(x), at.y(y))
        c.drawPath(path, stroke=1, fill=0)
    c.setLineWidth(0.8)
    for x0, y0, x1, y1 in page.separators:
        c.line(at.x(x0), at.y(y0), at.x(x1), at.y(y1))
    c.setFillColor(TRACE)
    for trace in page.traces:
        lx, ly = trace.label_xy
        text = trace.lead if trace.available else tr("ui.page.missing_lead", lang, lead=trace.lead)
        c.setFont(font, 9)
        c.drawString(at.x(lx), at.y(ly) - 9 * 0.8, text)
    sx, sy = page.settings_xy
    c.setFont(font, 8)
    window = window_text(page, lang)
    c.drawString(at.x(sx), at.y(sy) - 8 * 0.8, f"{page.settings_text(lang)}   {window}")
    c.restoreState()


def to_caliper(a: Annotation) -> Caliper | None:
    """The viewer's caliper for a stored time/amplitude annotation (None for notes)."""
    if a.kind not in ("time", "amplitude") or not a.lead:
        return None
    return Caliper(kind=a.kind, lead=a.lead, t0_s=a.t0_s,
                   t1_s=a.t1_s if a.t1_s is not None else a.t0_s,
                   v0_mv=a.v0_mv or 0.0, v1_mv=a.v1_mv or 0.0, rhythm_strip=a.rhythm_strip)


def draw_annotations(c: Canvas, page: Page, annotations: Iterable[Annotation], at: Placement, *,
                     font: str, lang: str | None = None) -> int:
    """Calipers and notes on the page; returns how many could be placed on it."""
    placed = 0
    c.saveState()
    c.setLineWidth(0.7)
    annotations = list(annotations)
    numbered = [(n, cal) for n, a in enumerate(annotations, start=1)
                if (cal := to_caliper(a)) is not None]
    # two calipers side by side on one trace: the later one's label a row down
    stacked = dict(zip((n for n, _ in numbered), all_caliper_marks(
        page, [cal for _, cal in numbered], lang, [f"[{n}] " for n, _ in numbered]), strict=True))
    # every caliper's lines first, then the labels on a white ground over them: a stacked label
    # lies among the calipers' lines (QA 54: a PR of 159 ms read 「[2] ‖59 ms」 in the sheet)
    c.setStrokeColor(CALIPER)
    for marks in stacked.values():
        for x0, y0, x1, y1 in (marks.lines if marks is not None else ()):
            c.line(at.x(x0), at.y(y0), at.x(x1), at.y(y1))
    for number, a in enumerate(annotations, start=1):
        cal = to_caliper(a)
        if cal is not None:
            marks = stacked[number]
            if marks is None:
                continue
            c.setFont(font, 7.5)
            lx, ly = marks.label_xy
            label = f"[{number}] {marks.text}"
            c.setFillColor(white)
            c.rect(at.x(lx) - 0.5, at.y(ly) - 0.8, stringWidth(label, font, 7.5) + 1.0, 8.2,
                   fill=1, stroke=0)
            c.setFillColor(CALIPER)
            c.drawString(at.x(lx), at.y(ly) + 1, label)
            placed += 1
            continue
        trace = page.find_trace(a.lead, a.t0_s) if a.lead else None
        if trace is None:
            continue
        x = trace.x_of(a.t0_s)
        y = trace.y_of(a.v0_mv) if a.v0_mv is not None else trace.band_top_mm + 7.0
        c.setStrokeColor(NOTE)
        c.setFillColor(NOTE)
        c.circle(at.x(x), at.y(y), 0.8 * mm, stroke=1, fill=0)
        c.setFont(font, 7.5)
        c.drawString(at.x(x) + 1.2 * mm, at.y(y) + 1.2 * mm, f"[{number}] {a.text}")
        placed += 1
    c.restoreState()
    return placed

