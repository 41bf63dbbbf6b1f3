"""What the paper shows (QA 39): every lead on its own row whatever its electrode offset, a
stepped calibration pulse where the chest leads have a gain of their own, and a report whose ECG
sheet says when it could not be printed as asked (A4 landscape at true scale)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from ecg_viewer.cli import main
from ecg_viewer.io import read_ecg
from ecg_viewer.report.pdf import printed_settings
from ecg_viewer.signal.page import PageSettings, layout_page
from ecg_viewer.signal.synthetic import synthetic


@pytest.fixture(scope="module")
def rec():
    return synthetic(hr=75.0, noise_mv=0.0)


def _with_offset(record, lead: str, offset_mv: float):
    sig = record.signal_mv.copy()
    sig[record.lead_names.index(lead)] += offset_mv
    return replace(record, signal_mv=sig)


def test_a_lead_with_an_electrode_offset_is_drawn_on_its_own_row(rec) -> None:
    # Philips ad4d3d80's V3 sat at -9 mV: raw, it was drawn 90 mm below its row, off the page
    off = _with_offset(rec, "V3", -9.0)
    page = layout_page(off, PageSettings())
    for t in page.traces:
        x, y = t.points(off.signal_mv, off.fs_hz)
        assert abs(np.median(y) - t.y_mm) < 0.5, t.lead  # on its baseline
        assert t.band_top_mm - 15 < y.min() and y.max() < t.band_bottom_mm + 15, t.lead
        # the waves keep their size: the same peak-to-peak as the signal, in mm
        v = off.signal_mv[t.row_index, t.i0:t.i1]
        assert np.ptp(y) == pytest.approx(np.ptp(v) * t.gain_mm_mv)
    v3 = next(t for t in page.traces if t.lead == "V3")
    clean = layout_page(rec, PageSettings())
    same = next(t for t in clean.traces if t.lead == "V3")
    np.testing.assert_allclose(v3.points(off.signal_mv, off.fs_hz)[1],
                               same.points(rec.signal_mv, rec.fs_hz)[1], atol=1e-9)


def test_a_real_record_with_an_offset_lead_stays_on_the_paper(samples: Path) -> None:
    f = samples / "philips_xml" / "ad4d3d80-d165_1-04_orig.xml"
    if not f.exists():
        pytest.skip("sample not present")
    r = read_ecg(f)
    page = layout_page(r, PageSettings())
    v3 = next(t for t in page.traces if t.lead == "V3")
    _, y = v3.points(r.signal_mv, r.fs_hz)
    assert abs(np.median(y) - v3.y_mm) < 1.0
    assert np.mean((y > 0) & (y < page.height_mm)) > 0.9  # most of it on the page


def test_split_gains_get_a_stepped_pulse_at_both_gains(rec) -> None:
    for layout in ("3x4", "6x2"):
        page = layout_page(rec, PageSettings(layout=layout, gain_limb_mm_mv=10.0,
                                             gain_chest_mm_mv=5.0))
        rhythm = page.pulses[-1]  # the rhythm strip (II) has one gain
        assert not rhythm.stepped
        for pulse in page.pulses[:-1]:
            assert pulse.stepped and pulse.gain_mm_mv == 10.0 and pulse.second_gain_mm_mv == 5.0
            xs, ys = pulse.polyline()
            heights = sorted({round(pulse.y_mm - y, 6) for y in ys})
            assert heights == [0.0, 5.0, 10.0], heights  # 1 mV at 10 mm/mV, then at 5 mm/mV
    page = layout_page(rec, PageSettings(layout="12x1", gain_limb_mm_mv=10.0, gain_chest_mm_mv=5.0))
    assert not any(p.stepped for p in page.pulses)
    assert {p.gain_mm_mv for p in page.pulses} == {10.0, 5.0}  # one pulse per row, its gain
    page = layout_page(rec, PageSettings())
    assert not any(p.stepped for p in page.pulses)
    assert len(page.pulses[0].polyline()[0]) == 6


@pytest.mark.parametrize("asked, printed", [
    (PageSettings(), PageSettings()),
    (PageSettings(gain_limb_mm_mv=5.0, gain_chest_mm_mv=5.0),
     PageSettings(gain_limb_mm_mv=5.0, gain_chest_mm_mv=5.0)),
    (PageSettings(speed_mm_s=50.0), PageSettings(speed_mm_s=50.0, window_s=5.0)),
    (PageSettings(gain_limb_mm_mv=20.0, gain_chest_mm_mv=20.0), PageSettings()),
    (PageSettings(layout="12x1"), PageSettings()),
    (PageSettings(layout="6x2", speed_mm_s=12.5), PageSettings(speed_mm_s=12.5)),
    (PageSettings(layout="1", single_lead="V1"), PageSettings(layout="1", single_lead="V1")),
])
def test_the_report_prints_the_nearest_settings_that_fit_a4(rec, asked, printed) -> None:
    assert printed_settings(rec, asked) == replace(printed, single_lead=asked.single_lead)


def test_report_says_when_its_ecg_sheet_is_printed_otherwise(bundled_samples, tmp_path, capsys,
                                                             monkeypatch) -> None:
    monkeypatch.setenv("ECG_VIEWER_DATA_DIR", str(tmp_path / "db"))
    out, js = tmp_path / "r.pdf", tmp_path / "r.json"
    argv = ["report", str(bundled_samples / "E07505.hea"), "--out", str(out), "--json", str(js),
            "--no-model", "--no-review", "--prior", "none"]
    assert main([*argv, "--layout", "12x1", "--speed", "50"]) == 0
    err = capsys.readouterr().err
    assert "A4 横 1 枚に実寸で収まらないため、心電図は 3x4、50 mm/s、10 mm/mV、5 秒 で印刷しました" in err
    assert "（指定: 12x1、50 mm/s、10 mm/mV、10 秒）" in err
    page = json.loads(js.read_text(encoding="utf-8"))["report"]
    assert (page["page"]["layout"], page["page"]["speed_mm_s"], page["page"]["window_s"]) == \
        ("3x4", 50.0, 5.0)  # what is on the sheet, not what was asked
    assert page["page_requested"]["layout"] == "12x1"
    assert main([*argv, "--lang", "en"]) == 0
    err = capsys.readouterr().err
    assert "did not fit" not in err
    assert "page_requested" not in json.loads(js.read_text(encoding="utf-8"))["report"]


def test_the_window_says_so_in_its_notices(qtbot, bundled_samples, tmp_path) -> None:
    from ecg_viewer.gui.launch import ensure_app
    from ecg_viewer.gui.main_window import MainWindow
    from ecg_viewer.pipeline.factory import make_analyzer

    ensure_app()
    win = MainWindow(use_stored_language=False,
                     analyzer_factory=lambda: make_analyzer(load_model=False))
    qtbot.addWidget(win)
    try:
        record = read_ecg(bundled_samples / "E07505.hea")
        win.controller.open_record(record, record.source_path)
        win.state.update_settings(layout="12x1")
        qtbot.waitUntil(lambda: win.state.analysis is not None, timeout=60000)
        with qtbot.waitSignal(win.report_jobs.exported, timeout=60000):
            win.report_menu.export(tmp_path / "r.pdf")
        assert any("3x4、25 mm/s" in m and "指定: 12x1" in m for m in win.notices.messages()), \
            win.notices.messages()
    finally:
        win.close()


def test_render_names_both_gains(bundled_samples, tmp_path, capsys) -> None:
    out = tmp_path / "p.png"
    assert main(["render", str(bundled_samples / "E07505.hea"), "--out", str(out), "--dpi", "20",
                 "--gain", "10", "--chest-gain", "5"]) == 0
    assert "肢誘導 10 mm/mV・胸部誘導 5 mm/mV" in capsys.readouterr().out


def test_a_wave_cut_at_the_paper_edge_is_marked(rec) -> None:
    from ecg_viewer.signal.page import clip_marks, clip_triangle

    page = layout_page(rec, PageSettings())
    assert clip_marks(page, rec.signal_mv, rec.fs_hz) == []  # nothing reaches the edges
    sig = rec.signal_mv.copy()
    v4 = rec.lead_names.index("V4")
    sig[v4] *= 2.5  # R 4 mV: 1 mV beyond the 3 mV of room above the top row (QA 39)
    big = replace(rec, signal_mv=sig)
    marks = clip_marks(page, big.signal_mv, big.fs_hz)
    t = next(t for t in page.traces if t.lead == "V4")
    beats_shown = sum(1 for _ in range(int((t.t1_s - t.t0_s) * 75 / 60)))
    assert marks and all(edge == 0.0 and t.x_mm <= x <= t.x_mm + t.width_mm for x, edge in marks)
    assert abs(len(marks) - beats_shown) <= 1  # one per R wave cut
    xs, ys = clip_triangle(*marks[0])
    assert min(ys) == 0.0 and max(ys) > 0.0  # its tip on the edge, inside the paper


def test_the_pdf_draws_the_clip_marks(rec) -> None:
    from ecg_viewer.pipeline.factory import make_analyzer
    from ecg_viewer.pipeline.report_content import build_report_content
    from ecg_viewer.report.pdf import pdf_bytes

    sig = rec.signal_mv.copy()
    sig[rec.lead_names.index("V4")] *= 2.5
    big = replace(rec, signal_mv=sig)
    mark = b".78 .12 .12 rg"  # the clip marks' fill colour
    for record, marked in ((rec, False), (big, True)):
        content = build_report_content(record, make_analyzer(load_model=False).analyze(record),
                                       settings=PageSettings())
        assert (mark in pdf_bytes(content, compress=False)) is marked


def test_a_dropout_over_most_of_a_segment_keeps_the_live_part_on_its_row(rec) -> None:
    """QA 42: V2 at -3 mV (an electrode off) for 1.5 s of its 2.5-s column sent the live part
    32 mm up into V1's row: the level is the one keeping most moving samples on the row."""
    from ecg_viewer.signal.page import with_levels

    page = layout_page(rec, PageSettings())
    t = next(t for t in page.traces if t.lead == "V2" and not t.rhythm)
    sig = rec.signal_mv.copy()
    row = rec.lead_names.index("V2")
    cut = t.i0 + int(1.5 * rec.fs_hz)
    sig[row, t.i0:cut] = -3.0
    off = replace(rec, signal_mv=sig)
    leveled = with_levels(page, off.signal_mv)
    t2 = next(x for x in leveled.traces if x.lead == "V2" and not x.rhythm)
    _, y = t2.points(off.signal_mv, off.fs_hz)
    live = y[cut - t.i0:]
    assert t2.band_top_mm <= live.min() and live.max() <= t2.band_bottom_mm
    assert abs(np.median(live) - t2.y_mm) < 2.0


def test_a_caliper_stays_on_the_waveform_in_another_layout(samples: Path) -> None:
    """QA 42: an amplitude caliper placed on 12x1 was drawn 14.7 mm off the trace on 3x4
    (its values were relative to the first page's centring); they are the signal's own mV."""
    from ecg_viewer.signal.calipers import Caliper, caliper_marks
    from ecg_viewer.signal.page import with_levels

    f = samples / "philips_xml" / "ad4d3d80-d165_1-04_orig.xml"
    if not f.exists():
        pytest.skip("sample not present")
    r = read_ecg(f)
    pages = {lay: with_levels(layout_page(r, PageSettings(layout=lay)), r.signal_mv)
             for lay in ("12x1", "3x4")}
    t_s = 6.0
    a = pages["12x1"].find_trace("V3", t_s)
    xs, ys = a.points(r.signal_mv, r.fs_hz)
    k = int(np.argmin(np.abs(xs - a.x_of(t_s))))
    v0 = a.v_of(float(ys[k]))  # a click on the trace
    assert v0 == pytest.approx(float(r.lead("V3")[a.i0 + k]), abs=1e-6)  # the signal's mV
    cal = Caliper("amplitude", "V3", t_s, t_s, v0, v0 + 1.0)
    b = pages["3x4"].find_trace("V3", t_s)
    marks = caliper_marks(pages["3x4"], cal)
    xb, yb = b.points(r.signal_mv, r.fs_hz)
    kb = int(np.argmin(np.abs(xb - b.x_of(t_s))))
    assert marks.lines[0][1] == pytest.approx(float(yb[kb]), abs=0.2)  # its base on the trace
    assert "1.00 mV" in marks.text or "+1.00" in marks.text


def test_a_record_of_many_channels_is_printed_whole_on_one_sheet(samples: Path) -> None:
    """QA 42: an EDF of 9 channels (one a row) was laid out 375 mm tall on a 175-mm sheet: 4
    channels and the settings line were lost, with no notice (or one claiming a fit)."""
    from ecg_viewer.report.pdf import _fits

    f = samples / "edf" / "test_generator_2.edf"
    if not f.exists():
        pytest.skip("sample not present")
    r = read_ecg(f)
    for asked in (PageSettings(), PageSettings(speed_mm_s=12.5), PageSettings(layout="12x1")):
        s = printed_settings(r, asked)
        page = layout_page(r, s)
        assert _fits(page) and len(page.pulses) == len(r.lead_names), s
        assert s.speed_mm_s == min(asked.speed_mm_s, 25.0)  # 12.5 mm/s is kept
        assert s.row_pitch_mm and s.gain_limb_mm_mv <= s.row_pitch_mm / 3.0
    from ecg_viewer.report.content import refit_notice

    notice = refit_notice(printed_settings(r, PageSettings()), PageSettings(), "ja")
    assert notice and "行の間隔" in notice and "5 mm/mV" in notice


def test_many_channels_at_50_mm_s_keep_the_speed_with_5_s(samples: Path) -> None:
    """QA 44 #7: the 9-channel EDF asked at 50 mm/s had been printed at 25 mm/s although
    50 mm/s with 5 s and the compact row pitch fits A4 (the order is: shorter window first,
    then the speed)."""
    from ecg_viewer.report.content import refit_notice
    from ecg_viewer.report.pdf import _fits

    f = samples / "edf" / "test_generator_2.edf"
    if not f.exists():
        pytest.skip("sample not present")
    r = read_ecg(f)
    for asked in (PageSettings(speed_mm_s=50.0), PageSettings(speed_mm_s=50.0, layout="12x1")):
        s = printed_settings(r, asked)
        page = layout_page(r, s)
        assert (s.speed_mm_s, s.window_s) == (50.0, 5.0), s
        assert _fits(page) and len(page.pulses) == len(r.lead_names), s
        assert s.row_pitch_mm and s.gain_limb_mm_mv <= s.row_pitch_mm / 3.0
    notice = refit_notice(printed_settings(r, PageSettings(speed_mm_s=50.0)),
                          PageSettings(speed_mm_s=50.0), "en")
    assert notice and "50 mm/s, 5 mm/mV, 5 s" in notice, notice
    # at 25 mm/s or slower the 10 s fit and are kept (QA 47: they had become 5 s)
    for speed in (25.0, 12.5):
        s = printed_settings(r, PageSettings(speed_mm_s=speed))
        assert (s.speed_mm_s, s.window_s) == (speed, 10.0), s


def test_a_long_record_reads_its_times_as_hours_minutes_seconds() -> None:
    """QA 43: a 6-h record read 「0.0–10.0 秒 / 全 21666.0 秒」."""
    from ecg_viewer.core.record import EcgRecord
    from ecg_viewer.signal.page import clock_text, window_text

    assert clock_text(21666.0) == "6:01:06" and clock_text(3600.4) == "1:00:00"
    fs = 50.0
    n = int(21666 * fs)
    sig = np.zeros((2, n), dtype=np.float32)
    rec = EcgRecord(signal_mv=sig, fs_hz=fs, lead_names=("MLII", "V5"))
    page = layout_page(rec, PageSettings(start_s=3600.0))
    assert window_text(page, "ja") == "1:00:00–1:00:10 / 全 6:01:06（時:分:秒）"
    assert window_text(page, "en") == "1:00:00–1:00:10 of 6:01:06 (h:mm:ss)"
    short = layout_page(replace(rec, signal_mv=sig[:, :int(600 * fs)]), PageSettings(start_s=60.0))
    assert window_text(short, "ja") == "60.0–70.0 秒 / 全 600.0 秒"



def test_the_window_page_notice_renders_in_either_language(samples: Path, bundled_samples: Path,
                                                           qtbot, monkeypatch) -> None:
    """The report's page notice goes to the notice strip as a function of the language, so it
    reads in English after a switch (QA 50); the refit behind it is worked out once, not once per
    language. A page that fits A4 as asked gives none."""
    from ecg_viewer.app.report_jobs import ReportJobs
    from ecg_viewer.app.state import ViewerState
    from ecg_viewer.report import pdf

    f = samples / "edf" / "test_generator_2.edf"
    if not f.exists():
        pytest.skip("sample not present")
    state = ViewerState(PageSettings(speed_mm_s=50.0))
    state.record = read_ecg(f)
    jobs = ReportJobs(state, review_of=lambda _sha: None, comparison_of=lambda: None)
    calls = []

    def counted(*args, **kwargs):
        calls.append(1)
        return printed_settings(*args, **kwargs)

    monkeypatch.setattr(pdf, "printed_settings", counted)
    notice = jobs.page_notice()
    assert notice is not None and len(calls) == 1
    assert "50 mm/s, 5 mm/mV, 5 s" in notice("en") and "印刷" in notice("ja")
    assert len(calls) == 1
    state.settings = PageSettings()
    state.record = read_ecg(bundled_samples / "E07509.hea")
    assert jobs.page_notice() is None
