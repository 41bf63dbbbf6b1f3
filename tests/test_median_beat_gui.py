"""The median-beat panel (offscreen Qt): one plot per lead with the fiducial points marked, and
the dock in the real main window following the open record; the header shows the figures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ecg_viewer.core.messages import tr
from ecg_viewer.io import read_ecg
from ecg_viewer.signal.measure import measure

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def test_panel_draws_every_lead_with_fiducials(qtbot, bundled_samples: Path) -> None:
    from ecg_viewer.gui.median_beat import MARKS, MedianBeatPanel

    panel = MedianBeatPanel()
    qtbot.addWidget(panel)
    assert panel.title.text() == tr("meas.median_none")
    m = measure(read_ecg(bundled_samples / "HR06000.hea"))
    panel.set_measurements(m)
    assert len(panel.plot_items) == 12
    fid = m.fiducials_ms()
    for name, lines in panel.mark_lines.items():
        assert [ln.value() for ln in lines] == [fid[k] for k in MARKS], name
    # the drawn trace is the lead's median beat
    x, y = panel.plot_items["II"].listDataItems()[0].getData()
    assert x[0] >= -400 and x[-1] <= 700 and len(x) == len(y) > 400
    bar = next(iter(panel.plot_items.values())).scale_mv
    assert tr("meas.median_title", n=m.median.n_beats_used, mv=f"{bar:g}") == panel.title.text()
    panel.set_measurements(None)
    assert panel.plot_items == {}


def test_plots_per_row_follow_the_panels_width(qtbot, bundled_samples: Path) -> None:
    """In the strip under the page (wide): 6 per row, limb leads over chest leads. Tabbed in the
    right-hand dock area of a 1366-px screen (~260 px): 2 per row, so each beat is not squeezed
    to ~40 px; every lead is still drawn with its marks."""
    from PySide6.QtWidgets import QWidget

    from ecg_viewer.gui.median_beat import MedianBeatPanel, plots_per_row

    assert [plots_per_row(w) for w in (260, 400, 900)] == [2, 3, 6]
    # a child widget, sized as a dock's content is (a top-level window may be held to a minimum
    # width by the platform)
    host = QWidget()
    qtbot.addWidget(host)
    host.resize(1000, 700)
    panel = MedianBeatPanel(host)
    panel.resize(900, 260)
    host.show()
    qtbot.waitExposed(host)
    panel.set_measurements(measure(read_ecg(bundled_samples / "HR06000.hea")))

    def grid() -> dict[str, tuple[int, int]]:  # lead -> (row, column) of its plot
        cells = panel.plots.ci.items
        return {name: cells[p][0] for name, p in panel.plot_items.items()}

    def rows() -> int:
        return len({row for row, _ in grid().values()})

    assert panel.per_row == 6 and rows() == 2
    assert grid()["I"][0] == grid()["aVF"][0] != grid()["V1"][0]
    panel.resize(260, 600)
    qtbot.waitUntil(lambda: panel.per_row == 2 and len(panel.plot_items) == 12)
    assert rows() == 6 and grid()["I"] == (0, 0) and grid()["II"] == (0, 1)
    assert all(len(lines) >= 3 for lines in panel.mark_lines.values())
    # the time axis of each narrow plot: its labels never run into each other ("200400"), and
    # 0 and "400 ms" (the unit) are always there
    from PySide6.QtGui import QImage, QPainter

    qtbot.wait(50)
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    for name, plot in panel.plot_items.items():
        painter = QPainter(image)
        try:
            _, _, texts = plot.getAxis("bottom").generateDrawSpecs(painter)
        finally:
            painter.end()
        rects = sorted((r.left(), r.right(), t) for r, _, t in texts)
        assert {"0", "400 ms"} <= {t for *_, t in rects}, (name, rects)
        assert all(a[1] <= b[0] for a, b in zip(rects, rects[1:], strict=False)), (name, rects)


def test_af_record_has_no_p_marks(qtbot, bundled_samples: Path) -> None:
    from ecg_viewer.gui.median_beat import MedianBeatPanel

    panel = MedianBeatPanel()
    qtbot.addWidget(panel)
    panel.set_measurements(measure(read_ecg(bundled_samples / "00017_hr.hea")))
    # QRS on/off and T end only: no P wave in atrial flutter/fibrillation
    assert {len(v) for v in panel.mark_lines.values()} == {3}


def test_window_dock_and_header_follow_the_open_record(qtbot, bundled_samples: Path) -> None:
    from ecg_viewer.gui.launch import ensure_app
    from ecg_viewer.gui.main_window import MainWindow

    ensure_app()
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    assert w.median_beat_dock.windowTitle() == tr("meas.median_dock")
    with qtbot.waitSignal(w.controller.loadFinished, timeout=30000):
        w.controller.open_file(str(bundled_samples / "E07509.hea"))
    qtbot.waitUntil(lambda: bool(w.median_beat_panel.plot_items), timeout=30000)
    assert len(w.median_beat_panel.plot_items) == 12
    assert w.state.measurements is not None  # one Measurements object in the state
    meas = w.state.measurements.to_dict()
    assert meas["qrs_ms"] is not None
    # the header shows the same figures
    assert f"{meas['qrs_ms']:.0f} ms" in w.header.meas_labels["qrs"].text()
    assert f"{meas['hr_bpm']:.0f} /分" in w.header.meas_labels["hr"].text()


def test_header_shows_the_reason_of_a_missing_value(qtbot, bundled_samples: Path) -> None:
    from ecg_viewer.gui.header import HeaderWidget

    header = HeaderWidget()
    qtbot.addWidget(header)
    rec = read_ecg(bundled_samples / "00017_hr.hea")
    header.set_record(rec)
    m = measure(rec)
    header.set_measurements(m.to_dict())
    assert tr("ui.meas.na") in header.meas_labels["pr"].text()
    # what PR is, then why it is not given
    assert header.meas_labels["pr"].toolTip().endswith("\n" + m.reason_text("pr_ms"))
    assert f"{m.hr_bpm:.0f} /分" in header.meas_labels["hr"].text()


def test_the_beats_are_drawn_against_the_pr_level_with_an_amplitude_scale(
        qtbot, bundled_samples: Path) -> None:
    """QA 39: each beat was shifted by its window's median and the dock had no amplitude
    reference, so ST could not be read from it. Now 0 mV is the PR-segment level the lead
    measurements take (a dotted line), and a 1-mV (0.5-mV) bar gives the scale: the ST at J+60
    read off the plot is the lead's measured ST."""
    from ecg_viewer.gui.median_beat import MedianBeatPanel
    from ecg_viewer.signal.leadwise import measure_leads

    panel = MedianBeatPanel()
    qtbot.addWidget(panel)
    m = measure(read_ecg(bundled_samples / "E07505.hea"))
    panel.set_measurements(m)
    fid = m.fiducials_ms()
    leads = measure_leads(m.median, m.fiducials)
    checked = 0
    for name, p in panel.plot_items.items():
        x, y = p.listDataItems()[0].getData()
        st = leads[name].st_j60_mv
        if st is None:
            continue
        j60 = fid["qrs_off"] + 60.0
        assert abs(float(np.interp(j60, x, y)) - st) < 0.02, name
        before = (x >= fid["qrs_on"] - 20) & (x <= fid["qrs_on"])
        assert abs(float(np.mean(y[before]))) < 1e-6, name  # the PR level is 0 mV
        checked += 1
    assert checked >= 10
    first = next(iter(panel.plot_items.values()))
    assert first.scale_mv in (0.5, 1.0)
    # the bar's height is named in the title; in the plot only the lead's name is written (QA 69:
    # 「0.5 mV」 beside the bar covered lead I's T wave in a ~270-px dock)
    assert f"= {first.scale_mv:g} mV" in panel.title.text().splitlines()[-1]
    texts = [i.textItem.toPlainText() for i in first.items if hasattr(i, "textItem")]
    assert texts == [next(iter(panel.plot_items))], texts
    # clear of the lead's name (top left) and of the beat: after its T wave (QA 50)
    (lo, hi), _ = first.viewRange()
    assert first.scale_x_ms > max(fid["t_end"], lo + 0.5 * (hi - lo))


@pytest.mark.parametrize("scale", [0.3, 0.4, 1.0])
def test_scale_bar_stands_whole_in_the_plot(qtbot, samples: Path, scale: float) -> None:
    """QA 44 #6: on a low-voltage ECG (PTB-XL 00001 scaled so every lead stays under ~0.35 mV)
    the plots' top had been 0.45 mV and the bar labelled 0.5 mV was cut at 0.45 mV. The plots
    now hold the whole bar with a margin, whatever the voltage."""
    from dataclasses import replace

    from ecg_viewer.gui.median_beat import MedianBeatPanel

    rec = read_ecg(samples / "wfdb_ptbxl" / "00001_hr.hea")
    rec = replace(rec, signal_mv=(rec.signal_mv * scale).astype(np.float32))
    panel = MedianBeatPanel()
    qtbot.addWidget(panel)
    panel.set_measurements(measure(rec))
    first = next(iter(panel.plot_items.values()))
    bar_mv = first.scale_mv
    for name, plot in panel.plot_items.items():
        (_, _), (_, top) = plot.viewRange()
        assert top >= bar_mv + 0.05, (name, bar_mv, top)  # some room above the bar
