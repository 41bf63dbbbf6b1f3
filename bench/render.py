"""Time to draw and redraw the ECG page: the viewer (pyqtgraph) against matplotlib.

    .venv/bin/python bench/render.py [--runs N] [--size 1400x900]

Page: 3x4 + rhythm strip, 12 leads x 10 s x 500 Hz (the bundled PTB-XL record 00017_hr), at
25 mm/s and 10 mm/mV, filters off. Each figure is the median of N runs, offscreen, and includes
painting the pixels (the view is grabbed into an image, the matplotlib canvas is drawn):
- first draw: page laid out, items filled, painted (the viewer's grid cache cold);
- redraw, gain change: 10 -> 20 -> 10 mm/mV (new page geometry, setData on the same items);
- redraw, filter toggle: 0.05-150 Hz + 50 Hz notch on (filtering the record included) and off.
matplotlib draws the same page: the 1 mm/5 mm grid as two LineCollections, 13 traces,
pulses and labels, on an Agg canvas of the same pixel size.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ecg_viewer.core.paths import samples_dir
from ecg_viewer.io import read_ecg
from ecg_viewer.signal.filters import FilterSettings, apply_filters
from ecg_viewer.signal.page import PageSettings, layout_page


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def bench_viewer(rec, size, runs):
    from ecg_viewer.gui.launch import ensure_app
    from ecg_viewer.gui.page_view import EcgPageView

    app = ensure_app()
    diag = FilterSettings.diagnostic()
    state = {"view": None}

    def paint(view):
        app.processEvents()
        view.grab()  # paints every visible item into a pixmap

    def first_draw():
        if state["view"] is not None:
            state["view"].close()
            state["view"].deleteLater()
            app.processEvents()
        view = EcgPageView(px_per_mm=size[0] / 275.0)
        view.resize(*size)
        view.show()
        page = layout_page(rec, PageSettings())
        view.set_page(page, rec.signal_mv, rec.fs_hz)
        view.fit_page()
        paint(view)
        state["view"] = view

    def draw(settings, signal):
        view = state["view"]
        view.set_page(layout_page(rec, settings), signal, rec.fs_hz, keep_view=True)
        paint(view)

    def gain_change():
        draw(PageSettings(gain_limb_mm_mv=20.0, gain_chest_mm_mv=20.0), rec.signal_mv)
        draw(PageSettings(), rec.signal_mv)

    def filter_toggle():
        draw(PageSettings(filters=diag), apply_filters(rec.signal_mv, rec.fs_hz, diag))
        draw(PageSettings(), rec.signal_mv)

    out = {"first draw": median_ms(first_draw, runs)}
    out["redraw: gain change"] = median_ms(gain_change, runs) / 2
    out["redraw: filter toggle"] = median_ms(filter_toggle, runs) / 2
    state["view"].close()
    return out


def bench_matplotlib(rec, size, runs):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure

    diag = FilterSettings.diagnostic()
    st = {}

    def build(settings, signal):
        page = layout_page(rec, settings)
        fig = Figure(figsize=(size[0] / 100, size[1] / 100), dpi=100)
        canvas = FigureCanvasAgg(fig)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, page.width_mm)
        ax.set_ylim(page.height_mm, 0)
        ax.set_aspect("equal")
        ax.axis("off")
        w, h = int(page.width_mm), int(page.height_mm)
        for step, color, lw in ((1, "#f8c4cc", 0.4), (5, "#e87888", 0.8)):
            segs = [[(x, 0), (x, h)] for x in range(0, w + 1, step)]
            segs += [[(0, y), (w, y)] for y in range(0, h + 1, step)]
            ax.add_collection(LineCollection(segs, colors=color, linewidths=lw))
        lines = []
        for tp in page.traces:
            x, y = tp.points(signal, rec.fs_hz)
            (ln,) = ax.plot(x, y, color="k", linewidth=0.8)
            lines.append(ln)
            ax.text(*tp.label_xy, tp.lead, va="top", fontsize=8)
        for p in page.pulses:
            ax.plot(*p.polyline(), color="k", linewidth=0.8)
        ax.text(*page.settings_xy, page.settings_text("en"), va="top", fontsize=7)
        canvas.draw()
        st.update(fig=fig, canvas=canvas, lines=lines)

    def redraw(settings, signal):
        page = layout_page(rec, settings)
        for ln, tp in zip(st["lines"], page.traces, strict=True):
            ln.set_data(*tp.points(signal, rec.fs_hz))
        st["canvas"].draw()

    def first_draw():
        build(PageSettings(), rec.signal_mv)

    def gain_change():
        redraw(PageSettings(gain_limb_mm_mv=20.0, gain_chest_mm_mv=20.0), rec.signal_mv)
        redraw(PageSettings(), rec.signal_mv)

    def filter_toggle():
        redraw(PageSettings(filters=diag), apply_filters(rec.signal_mv, rec.fs_hz, diag))
        redraw(PageSettings(), rec.signal_mv)

    out = {"first draw": median_ms(first_draw, runs)}
    out["redraw: gain change"] = median_ms(gain_change, runs) / 2
    out["redraw: filter toggle"] = median_ms(filter_toggle, runs) / 2
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--size", default="1400x900", help="pixels of the drawing (default 1400x900)")
    args = ap.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    rec = read_ecg(samples_dir() / "00017_hr.hea")
    assert rec.signal_mv.shape == (12, 5000) and rec.fs_hz == 500
    t0 = time.perf_counter()
    filt_ms = median_ms(lambda: apply_filters(rec.signal_mv, rec.fs_hz, FilterSettings.diagnostic()), args.runs)
    viewer = bench_viewer(rec, size, args.runs)
    mpl = bench_matplotlib(rec, size, args.runs)
    print(f"3x4 page, 12 leads x 10 s x 500 Hz, {size[0]}x{size[1]} px, median of {args.runs} runs (ms)")
    print(f"{'':24}{'viewer (pyqtgraph)':>20}{'matplotlib (Agg)':>20}{'ratio':>8}")
    for key in viewer:
        print(f"{key:24}{viewer[key]:>20.1f}{mpl[key]:>20.1f}{mpl[key] / viewer[key]:>7.1f}x")
    print(f"(of which filtering 12 x 5000 samples, 0.05-150 Hz + 50 Hz notch: {filt_ms:.1f} ms)")
    print(f"total bench time {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
