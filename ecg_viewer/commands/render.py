"""``ecg-viewer render FILE --layout 3x4 --speed 25 --gain 10 [--filter ...] --out page.png|.svg``:
the viewer's page drawn to an image without opening a window."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from ecg_viewer.core.errors import EcgReadError
from ecg_viewer.core.messages import tr
from ecg_viewer.core.record import EcgRecord
from ecg_viewer.io import read_ecg
from ecg_viewer.signal.filters import FilterSettings, apply_filters
from ecg_viewer.signal.page import (
    GAINS_MM_MV,
    LAYOUTS,
    SPEEDS_MM_S,
    Page,
    PageSettings,
    layout_page,
    page_description,
)

HELP = "help.render"  # the message key of its one-line description

# --filter words: hp0.05 hp0.5 notch50 notch60 lp40 lp100 lp150, or "diagnostic" / "none"
_FILTER_WORDS = {
    **{f"hp{v:g}": ("highpass", v) for v in (0.05, 0.5)},
    **{f"notch{v:g}": ("notch", v) for v in (50.0, 60.0)},
    **{f"lp{v:g}": ("lowpass", v) for v in (40.0, 100.0, 150.0)},
}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help=tr("help.file"))
    p.add_argument("--out", required=True, help=tr("help.render.out"))
    p.add_argument("--layout", choices=LAYOUTS, default="3x4", help=tr("help.layout"))
    p.add_argument("--speed", type=float, choices=SPEEDS_MM_S, default=25.0, help=tr("help.speed"))
    p.add_argument("--gain", type=float, choices=GAINS_MM_MV, default=10.0, help=tr("help.gain"))
    p.add_argument("--chest-gain", type=float, choices=GAINS_MM_MV, default=None,
                   help=tr("help.render.chest_gain"))
    p.add_argument("--filter", action="append", default=[], metavar="F",
                   help=tr("help.render.filter"))
    p.add_argument("--lead", default="II", help=tr("help.render.lead"))
    p.add_argument("--start", type=float, default=0.0, help=tr("help.start"))
    p.add_argument("--dpi", type=float, default=200.0, help=tr("help.render.dpi"))
    p.add_argument("--fs-hz", type=float, default=None, metavar="HZ",
                   help=tr("help.fs_hz"))


def parse_filters(words: list[str]) -> FilterSettings:
    d: dict[str, float | None] = {"highpass_hz": None, "notch_hz": None, "lowpass_hz": None}
    for word in (w.strip().lower() for chunk in words for w in chunk.split(",") if w.strip()):
        if word == "none":
            d = dict.fromkeys(d)
        elif word == "diagnostic":
            d.update(highpass_hz=0.05, notch_hz=50.0, lowpass_hz=150.0)
        elif word in _FILTER_WORDS:
            kind, v = _FILTER_WORDS[word]
            d[f"{kind}_hz"] = v
        else:
            raise ValueError(tr("cli.opt.filter", word=word,
                                choices=", ".join([*_FILTER_WORDS, "diagnostic", "none"])))
    return FilterSettings(**d)


def page_signal(rec: EcgRecord, page: Page, filters: FilterSettings) -> Any:
    """The signal the page draws, filtered as the window filters it: the whole record when it
    is short, else only the span on the page plus the window's settling pad on each side (a
    24-h Holter filtered whole in float64 would take gigabytes)."""
    if not filters.any_on:
        return rec.signal_mv
    from ecg_viewer.app.state import LONG_RECORD_S, SEGMENT_PAD_S, FilteredSegment

    if rec.duration_s <= LONG_RECORD_S:
        return apply_filters(rec.signal_mv, rec.fs_hz, filters)
    fs = rec.fs_hz
    i0 = max(0, int((page.start_s - SEGMENT_PAD_S) * fs))
    i1 = min(rec.n_samples, int((page.start_s + page.window_s + SEGMENT_PAD_S) * fs) + 1)
    return FilteredSegment(apply_filters(rec.signal_mv[:, i0:i1], fs, filters), i0)


MIN_DPI, MAX_DPI = 10, 1200


def _record_option_problem(rec: EcgRecord, args: argparse.Namespace) -> str | None:
    """What is wrong with --lead or --start for this record (None: nothing), rather than a page
    of another lead or another span drawn without a word."""
    if args.layout == "1" and not rec.has_lead(args.lead):
        return tr("cli.opt.no_lead", lead=args.lead, leads=", ".join(rec.lead_names))
    if not 0 <= args.start < rec.duration_s:
        return tr("cli.opt.start", start=args.start, seconds=rec.duration_s)
    return None


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.suffix.lower() not in (".png", ".svg"):
        print(tr("ui.render.bad_out", out=args.out), file=sys.stderr)
        return 2
    try:
        filters = parse_filters(args.filter)
        if not MIN_DPI <= args.dpi <= MAX_DPI:
            raise ValueError(tr("cli.opt.dpi", dpi=args.dpi, lo=MIN_DPI, hi=MAX_DPI))
    except ValueError as exc:  # an option out of range, said in the chosen language
        print(tr("cli.bad_option", detail=exc), file=sys.stderr)
        return 2
    options = {"fs_hz": args.fs_hz} if args.fs_hz is not None else {}
    try:
        rec = read_ecg(args.file, **options)
    except EcgReadError as exc:
        print(exc.message(), file=sys.stderr)
        return 1
    problem = _record_option_problem(rec, args)
    if problem:
        print(tr("cli.bad_option", detail=problem), file=sys.stderr)
        return 2
    settings = PageSettings(
        layout=args.layout, speed_mm_s=args.speed, gain_limb_mm_mv=args.gain,
        gain_chest_mm_mv=args.chest_gain or args.gain, filters=filters, start_s=args.start,
        single_lead=args.lead,
    )
    page = layout_page(rec, settings)
    # draw with Qt without a screen (the offscreen platform exists on every OS)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    signal = page_signal(rec, page, filters)
    from ecg_viewer.gui.launch import ensure_app

    ensure_app()
    from ecg_viewer.gui.export import export_page
    from ecg_viewer.report.atomic import ExportError

    try:
        export_page(page, signal, rec.fs_hz, out, dpi=args.dpi)
    except ExportError as exc:  # full disk, read-only folder ...: no file is left behind
        print(exc.message(), file=sys.stderr)
        return 1
    print(tr("ui.render.written", out=out, page=page_description(settings, page.window_s)))
    return 0
