"""Page geometry, display filters and calipers (Qt-free), on the bundled PTB-XL sample."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from ecg_viewer.core.leads import CANONICAL_LEADS
from ecg_viewer.io import read_ecg
from ecg_viewer.signal.calipers import Caliper, caliper_marks
from ecg_viewer.signal.filters import FilterSettings, apply_filters
from ecg_viewer.signal.page import MAJOR_MM, PageSettings, drawn_level, layout_page


@pytest.fixture(scope="module")
def rec(bundled_samples):
    return read_ecg(bundled_samples / "00017_hr.hea")


def test_3x4_places_columns_consecutive_in_time_and_a_rhythm_strip(rec):
    page = layout_page(rec, PageSettings(layout="3x4"))
    leads = [t.lead for t in page.traces]
    assert leads == ["I", "aVR", "V1", "V4", "II", "aVL", "V2", "V5", "III", "aVF", "V3", "V6", "II"]
    first_row = page.traces[:4]
    assert [t.t0_s for t in first_row] == [0.0, 2.5, 5.0, 7.5]
    # each column 2.5 s = 62.5 mm at 25 mm/s, meeting edge to edge
    for a, b in zip(first_row, first_row[1:], strict=False):
        assert a.width_mm == pytest.approx(62.5)
        assert a.x_mm + a.width_mm == pytest.approx(b.x_mm)
        assert a.i1 == b.i0
    rhythm = page.traces[-1]
    assert rhythm.rhythm and rhythm.lead == "II" and rhythm.t1_s - rhythm.t0_s == pytest.approx(10.0)
    assert rhythm.width_mm == pytest.approx(250.0)
    # baselines and left edges on major grid lines; one pulse per row
    for t in page.traces:
        assert t.y_mm % MAJOR_MM == 0 and (t.x_mm - page.traces[0].x_mm) % 2.5 == 0
    assert len(page.pulses) == 4


def test_calibration_pulse_is_1_mv_at_the_row_gain(rec):
    page = layout_page(rec, PageSettings(gain_limb_mm_mv=10, gain_chest_mm_mv=20))
    assert page.pulses[0].height_mm == 10.0  # 1 mV at 10 mm/mV = two 5 mm squares
    xs, ys = page.pulses[0].polyline()
    # the row's chest leads are at 20 mm/mV: the pulse steps to 1 mV at that gain (QA 39)
    assert sorted({page.pulses[0].y_mm - y for y in ys}) == pytest.approx([0, 2 * MAJOR_MM,
                                                                           4 * MAJOR_MM])
    # the width is 0.2 s of paper
    assert page.pulses[0].width_mm == pytest.approx(5.0)
    v1 = next(t for t in page.traces if t.lead == "V1")
    assert v1.gain_mm_mv == 20.0 and v1.y_of(1.0) == v1.y_mm - 20.0


@pytest.mark.parametrize("layout,rows,cols", [("3x4", 4, 4), ("6x2", 7, 2), ("12x1", 12, 1), ("1", 1, 1)])
def test_layouts(rec, layout, rows, cols):
    page = layout_page(rec, PageSettings(layout=layout))
    assert len(page.pulses) == rows
    assert max(sum(1 for t in page.traces if t.y_mm == p.y_mm) for p in page.pulses) == cols
    assert page.width_mm % MAJOR_MM == 0 and page.height_mm % MAJOR_MM == 0
    for t in page.traces:
        x, y = t.points(rec.signal_mv, rec.fs_hz)
        assert len(x) == t.i1 - t.i0 > 0
        assert x[0] == pytest.approx(t.x_mm)
        # the drawn y is the signal at the trace's gain around its baseline (the level drawn there)
        v = rec.lead(t.lead)[t.i0:t.i1].astype(np.float64)
        level = drawn_level(t, rec.signal_mv, rec.fs_hz)
        np.testing.assert_allclose(y, t.y_mm - (v - level) * t.gain_mm_mv, rtol=1e-6)


def test_speed_changes_width_not_time(rec):
    for speed, width in ((12.5, 125.0), (25.0, 250.0), (50.0, 500.0)):
        page = layout_page(rec, PageSettings(layout="12x1", speed_mm_s=speed))
        assert page.traces[0].width_mm == pytest.approx(width)
        assert page.traces[0].t1_s - page.traces[0].t0_s == pytest.approx(10.0)


def test_scrolling_window_is_clamped_to_the_record(rec):
    page = layout_page(rec, PageSettings(layout="12x1", window_s=4.0, start_s=8.0))
    assert page.start_s == pytest.approx(6.0) and page.window_s == 4.0 and page.can_scroll
    assert page.traces[0].i1 == rec.n_samples


def test_missing_leads_are_marked_and_non_standard_records_show_their_channels(rec):
    eight = dataclasses.replace(rec, signal_mv=rec.signal_mv[[0, 1, 6, 7, 8, 9, 10, 11]].copy(),
                                lead_names=("I", "II", "V1", "V2", "V3", "V4", "V5", "V6"), derived_leads=())
    page = layout_page(eight, PageSettings(layout="3x4"))
    missing = {t.lead for t in page.traces if not t.available}
    assert missing == {"III", "aVR", "aVL", "aVF"} and len(page.traces) == 13
    # a Holter-like record (MLII + V5) is drawn as its own two channels in every grid layout
    two = dataclasses.replace(rec, signal_mv=rec.signal_mv[:2].copy(), lead_names=("MLII", "V5"),
                              derived_leads=())
    for layout in ("3x4", "6x2", "12x1"):
        page = layout_page(two, PageSettings(layout=layout))
        assert [t.lead for t in page.traces] == ["MLII", "V5"] and all(t.available for t in page.traces)
    odd = dataclasses.replace(rec, signal_mv=rec.signal_mv[:2].copy(), lead_names=("MLII", "V5x"),
                              derived_leads=())
    page = layout_page(odd, PageSettings(layout="3x4"))
    assert [t.lead for t in page.traces] == ["MLII", "V5x"] and all(t.available for t in page.traces)


def test_a_very_short_record_gets_a_page_wide_enough_for_its_settings_line(rec):
    short = dataclasses.replace(rec, signal_mv=rec.signal_mv[:, :13].copy())
    page = layout_page(short, PageSettings())
    assert page.window_s == pytest.approx(13 / 500) and page.width_mm == 150.0
    assert page.traces[0].i1 - page.traces[0].i0 >= 3


def test_settings_text_names_speed_gain_and_filters(rec):
    s = PageSettings(filters=FilterSettings(0.05, 50.0, 150.0))
    text = layout_page(rec, s).settings_text("ja")
    assert "25 mm/s" in text and "10 mm/mV" in text and "0.05 Hz" in text and "50 Hz" in text
    assert "150 Hz" in text
    # QA 39: the filters change the drawing, not the measurements, and the line says so
    assert "（表示のみ。計測値はフィルタ前の信号から）" in text
    assert "measured on the unfiltered signal" in layout_page(rec, s).settings_text("en")
    raw = layout_page(rec, PageSettings()).settings_text("ja")
    assert "生波形" in raw and "表示のみ" not in raw


def test_notch_removes_added_mains_and_keeps_the_clean_trace(rec):
    """The filtered trace of a record with a 50 Hz sine added matches the clean one."""
    t = np.arange(rec.n_samples) / rec.fs_hz
    hum = (0.3 * np.sin(2 * np.pi * 50.0 * t)).astype(np.float32)
    noisy = rec.signal_mv + hum
    f = FilterSettings(notch_hz=50.0)
    clean_f = apply_filters(rec.signal_mv, rec.fs_hz, f)
    noisy_f = apply_filters(noisy, rec.fs_hz, f)
    assert np.abs(noisy - rec.signal_mv).max() > 0.28
    # an IIR notch needs a few hundred ms to settle: the first and last 0.5 s are left out
    edge = int(0.5 * rec.fs_hz)
    assert np.abs(noisy_f - clean_f)[:, edge:-edge].max() < 0.02  # 0.2 mm at 10 mm/mV
    # and the notch alone barely changes the clean ECG (QRS kept)
    assert np.abs(clean_f - rec.signal_mv).max() < 0.15


def test_filters_are_zero_phase_and_never_alter_the_raw_signal(rec):
    before = rec.signal_mv.copy()
    out = apply_filters(rec.signal_mv, rec.fs_hz, FilterSettings(0.5, 60.0, 40.0))
    np.testing.assert_array_equal(rec.signal_mv, before)
    assert out.dtype == np.float32 and out.shape == rec.signal_mv.shape
    # zero phase: the R peak of lead II stays on the same sample
    ii = CANONICAL_LEADS.index("II")
    raw_peak = int(np.argmax(rec.signal_mv[ii, 1000:2000]))
    assert abs(int(np.argmax(out[ii, 1000:2000])) - raw_peak) <= 1
    # high-pass removes a baseline offset and drift
    drift = rec.signal_mv + np.linspace(0, 2, rec.n_samples, dtype=np.float32) + 1.0
    hp = apply_filters(drift, rec.fs_hz, FilterSettings(highpass_hz=0.5))
    assert abs(float(np.median(hp[ii]))) < 0.1


def test_filter_choices_are_checked():
    with pytest.raises(ValueError, match="notch_hz"):
        FilterSettings(notch_hz=55.0)
    with pytest.raises(ValueError, match="layout"):
        PageSettings(layout="4x3")


def test_time_caliper_reads_ms_and_bpm_and_is_placed_on_its_lead(rec):
    c = Caliper("time", "II", 1.0, 1.2)
    assert c.interval_ms == pytest.approx(200.0) and c.rate_bpm == pytest.approx(300.0)
    assert c.text("ja") == "200 ms（300 /分）" and c.text("en") == "200 ms (300 bpm)"
    page = layout_page(rec, PageSettings())
    marks = caliper_marks(page, c)
    assert marks is not None
    (xa, _, _, _), (xb, _, _, _), _ = marks.lines
    assert xb - xa == pytest.approx(5.0)  # 0.2 s at 25 mm/s: one big square
    assert Caliper.from_dict(c.to_dict()) == c
    a = Caliper("amplitude", "V2", 6.0, 6.0, -0.5, 0.5)
    assert a.amplitude_mv == pytest.approx(1.0) and a.text("en") == "+1.00 mV"
    assert caliper_marks(page, a) is not None
    # a caliper on a lead/time not on the page is not drawn
    assert caliper_marks(page, Caliper("time", "V2", 1.0, 1.2)) is None
    # 3×4: a span past the II row's 2.5 s is drawn on the rhythm strip that shows it whole; a
    # caliper placed on the strip stays there even where the row shows it too
    grid = layout_page(rec, PageSettings(layout="3x4"))
    strip = next(t for t in grid.traces if t.rhythm)
    row = next(t for t in grid.traces if t.lead == "II" and not t.rhythm)
    for cal, trace in ((Caliper("time", "II", 2.0, 3.0), strip),
                       (Caliper("time", "II", 0.5, 1.5), row),
                       (Caliper("time", "II", 0.5, 1.5, rhythm_strip=True), strip)):
        m = caliper_marks(grid, cal)
        assert m is not None and m.lines[0][1] == pytest.approx(trace.band_top_mm + 2.0), cal
    assert Caliper.from_dict(Caliper("time", "II", 0.5, 1.5, rhythm_strip=True).to_dict()).rhythm_strip


def test_calipers_side_by_side_keep_their_labels_apart(rec):
    """QA 50: an RR caliper and a PR caliper next to it on the II strip printed
    「1232 ms（49 /分171 ms（350 /分）」, on screen and in the PDF, both bars at one height."""
    from ecg_viewer.signal.calipers import all_caliper_marks, label_width_mm

    page = layout_page(rec, PageSettings())
    rr, pr, far = (Caliper("time", "II", 1.0, 2.232), Caliper("time", "II", 2.1, 2.271),
                   Caliper("time", "II", 6.0, 6.8))
    a, b, c = all_caliper_marks(page, [rr, pr, far])
    assert a == caliper_marks(page, rr) and c == caliper_marks(page, far)  # room: stay put
    assert b.label_xy[1] > a.label_xy[1] + 3.5  # a row down ...
    assert b.lines[2][1] > a.lines[2][1] + 3.5  # ... with its bar
    ax = a.label_xy[0] + label_width_mm(a.text)
    assert b.label_xy[0] < ax  # (they would have met on one row)
    assert all_caliper_marks(page, [Caliper("amplitude", "V2", 6.0, 6.0, -0.5, 0.5)])[0] is not None


def test_baseline_highpass_keeps_a_flat_baseline_when_the_record_starts_off_it():
    """A cart's start-up step (first samples off the baseline) must not tilt the whole page."""
    fs = 500.0
    t = np.arange(5000) / fs
    x = np.zeros((1, 5000))
    for beat in np.arange(0.5, 10, 1.0):
        x[0] += 1.2 * np.exp(-0.5 * ((t - beat) / 0.012) ** 2) + 0.3 * np.exp(-0.5 * ((t - beat - 0.3) / 0.05) ** 2)
    x[0, :10] += np.linspace(0.7, 0.0, 10)
    out = apply_filters(x.astype(np.float32), fs, FilterSettings(highpass_hz=0.05))
    phase = (t - 0.5) % 1.0  # seconds after each beat
    baseline = out[0, (phase > 0.55) & (phase < 0.9) & (t > 0.5) & (t < 9.5)]
    assert np.ptp(baseline) < 0.15  # mV over 9 s (scipy's default odd padding gives 0.5)
