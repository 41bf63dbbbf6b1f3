"""Calipers placed by the clinician, as data (Qt-free) so that the screen and the report share them.

A caliper is stored in record terms — lead, seconds, millivolts — not in page millimetres, so it
stays right when the layout, speed or gain changes. :func:`caliper_marks` places it on a
:class:`~ecg_viewer.signal.page.Page` for drawing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ecg_viewer.core.messages import tr
from ecg_viewer.signal.page import Page

CALIPER_KINDS = ("time", "amplitude")


@dataclass(frozen=True)
class Caliper:
    """A time caliper (``t0_s``..``t1_s``) or an amplitude caliper (``v0_mv``..``v1_mv`` at
    ``t0_s``) on ``lead``."""

    kind: str
    lead: str
    t0_s: float
    t1_s: float
    v0_mv: float = 0.0
    v1_mv: float = 0.0
    rhythm_strip: bool = False  # placed on the rhythm strip (drawn there while a layout has one)

    def __post_init__(self) -> None:
        if self.kind not in CALIPER_KINDS:
            raise ValueError(f"kind must be one of {CALIPER_KINDS}, got {self.kind!r}")

    @property
    def interval_ms(self) -> float:
        return abs(self.t1_s - self.t0_s) * 1000.0

    @property
    def rate_bpm(self) -> float | None:
        """The heart rate whose RR interval this time span would be (None for a zero span)."""
        dt = abs(self.t1_s - self.t0_s)
        return 60.0 / dt if dt > 0 else None

    @property
    def amplitude_mv(self) -> float:
        return self.v1_mv - self.v0_mv

    def text(self, lang: str | None = None) -> str:
        """What is printed beside the caliper, e.g. ``200 ms (300 bpm)`` or ``1.00 mV``."""
        if self.kind == "time":
            bpm = self.rate_bpm
            if bpm is None:
                return tr("ui.caliper.time_zero", lang)
            return tr("ui.caliper.time", lang, ms=self.interval_ms, bpm=bpm)
        return tr("ui.caliper.amplitude", lang, mv=self.amplitude_mv)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"kind": self.kind, "lead": self.lead, "t0_s": round(self.t0_s, 5),
                             "t1_s": round(self.t1_s, 5)}
        if self.kind == "time":
            d["interval_ms"] = round(self.interval_ms, 2)
            d["rate_bpm"] = None if self.rate_bpm is None else round(self.rate_bpm, 2)
        else:
            d.update(v0_mv=round(self.v0_mv, 5), v1_mv=round(self.v1_mv, 5),
                     amplitude_mv=round(self.amplitude_mv, 5))
        if self.rhythm_strip:
            d["rhythm_strip"] = True
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Caliper:
        return cls(kind=d["kind"], lead=d["lead"], t0_s=float(d["t0_s"]), t1_s=float(d["t1_s"]),
                   v0_mv=float(d.get("v0_mv", 0.0)), v1_mv=float(d.get("v1_mv", 0.0)),
                   rhythm_strip=bool(d.get("rhythm_strip", False)))


@dataclass(frozen=True)
class CaliperMarks:
    """Where a caliper is drawn on a page: line segments (x0, y0, x1, y1) in mm and its label."""

    lines: tuple[tuple[float, float, float, float], ...]
    label_xy: tuple[float, float]
    text: str


#: how far a time caliper's label and bar move down per row when earlier ones take its place
ROW_MM = 4.0


def label_width_mm(text: str) -> float:
    """About how wide a caliper's label is drawn (3.5 mm high; a wide character twice a narrow
    one), to keep two labels apart."""
    return sum(3.3 if ord(ch) > 0x2000 else 1.8 for ch in text) + 5.0


def caliper_marks(page: Page, c: Caliper, lang: str | None = None) -> CaliperMarks | None:
    """The caliper's marks on ``page``, or None when its lead/time is not on this page."""
    trace = page.find_trace(c.lead, c.t0_s, c.t1_s, rhythm=c.rhythm_strip)
    if trace is None:
        return None
    top, bottom = trace.band_top_mm + 2.0, trace.band_bottom_mm - 2.0
    if c.kind == "time":
        xa, xb = sorted((trace.x_of(c.t0_s), trace.x_of(c.t1_s)))
        xb = min(xb, trace.x_mm + trace.width_mm)
        ybar = top + 4.0
        lines = ((xa, top, xa, bottom), (xb, top, xb, bottom), (xa, ybar, xb, ybar))
        return CaliperMarks(lines, (xa, top - 0.5), c.text(lang))
    x = trace.x_of(c.t0_s)
    ya, yb = trace.y_of(c.v0_mv), trace.y_of(c.v1_mv)
    w = 2.0
    lines = ((x - w, ya, x + w, ya), (x - w, yb, x + w, yb), (x, ya, x, yb))
    return CaliperMarks(lines, (x + w + 0.5, min(ya, yb)), c.text(lang))


def all_caliper_marks(page: Page, calipers: list[Caliper], lang: str | None = None,
                      prefixes: list[str] | None = None) -> list[CaliperMarks | None]:
    """The marks of every caliper on ``page`` (None for one not on it): a time caliper whose
    label or bar would run into an earlier one's in the same row of traces goes a row down, its
    label and bar both (QA 50: an RR and a PR caliper side by side printed
    「1232 ms（49 /分171 ms（350 /分）」, on screen and in the PDF). ``prefixes``: what is drawn
    before each label (the PDF's "[2] ")."""
    taken: dict[float, list[tuple[int, float, float]]] = {}  # band top -> (row, left, right)
    out: list[CaliperMarks | None] = []
    for i, c in enumerate(calipers):
        marks = caliper_marks(page, c, lang)
        if marks is None or c.kind != "time":
            out.append(marks)
            continue
        (xa, top, _, _), _, (_, ybar, xb, _) = marks.lines
        right = max(xb, xa + label_width_mm((prefixes[i] if prefixes else "") + marks.text))
        rows = taken.setdefault(top, [])
        row = 0
        while any(r == row and a < right and xa < b for r, a, b in rows):
            row += 1
        rows.append((row, xa, right))
        if row:
            shift = ROW_MM * row
            lx, ly = marks.label_xy
            marks = replace(marks, lines=(*marks.lines[:2], (xa, ybar + shift, xb, ybar + shift)),
                            label_xy=(lx, ly + shift))
        out.append(marks)
    return out
