"""A lead with a stretch the file holds no sample for (WFDB's invalid mark, NaN/inf in a CSV) is
read, drawn with a gap and reported by the quality gate; the rest of the ECG stays readable
(QA 61: one second of -32768 in lead II made the whole 12-lead record impossible to open)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import wfdb

from ecg_viewer.core.errors import InvalidSignalError
from ecg_viewer.io import read_ecg
from ecg_viewer.pipeline.analyze import prepare
from ecg_viewer.signal.page import PageSettings, finite_runs, layout_page
from ecg_viewer.signal.quality import assess_quality

SOURCE = "wfdb_ptbxl/00001_hr.hea"
GAP = (1000, 1500)  # samples of lead II at 500 Hz: 2.0-3.0 s


def _write_wfdb(rec, digital: np.ndarray, folder: Path, name: str) -> Path:
    wfdb.wrsamp(name, fs=rec.fs_hz, units=["mV"] * len(rec.lead_names), sig_name=list(rec.lead_names),
                d_signal=digital, fmt=["16"] * len(rec.lead_names), adc_gain=[1000.0] * len(rec.lead_names),
                baseline=[0] * len(rec.lead_names), write_dir=str(folder))
    return folder / f"{name}.hea"


@pytest.fixture
def source(samples):
    return read_ecg(samples / SOURCE)


@pytest.fixture
def gap_wfdb(source, tmp_path) -> Path:
    d = np.round(source.signal_mv.T * 1000).astype(np.int32)
    d[GAP[0]:GAP[1], source.lead_names.index("II")] = -32768  # WFDB format 16: no sample
    return _write_wfdb(source, d, tmp_path, "gapII")


def test_invalid_samples_in_one_lead_are_a_gap_not_a_refusal(source, gap_wfdb):
    rec = read_ecg(gap_wfdb)
    assert rec.gaps == {"II": (GAP,)}
    assert np.isfinite(rec.signal_mv).all()
    ii = rec.lead("II").astype(np.float64)
    # filled by a straight line between the samples either side
    a, b = GAP
    line = np.linspace(ii[a - 1], ii[b], b - a + 2)[1:-1]
    assert np.allclose(ii[a:b], line, atol=1e-6)
    # everything else is the file's own samples
    want = np.round(source.signal_mv * 1000) / 1000
    keep = np.ones(rec.n_samples, dtype=bool)
    keep[a:b] = False
    assert np.allclose(rec.signal_mv[:, keep], want[:, keep], atol=1e-6)
    assert sum(e - s for s, e in rec.gaps["II"]) == b - a and "V1" not in rec.gaps


def test_nan_and_inf_in_a_csv_are_gaps(source, tmp_path):
    x = source.signal_mv.astype(np.float64).copy()
    x[1, 1000:1500] = np.nan
    x[7, 0:50] = np.inf  # at the start: held level with the first sample there is
    path = tmp_path / "gaps.csv"
    with open(path, "w") as fh:
        fh.write("time_s," + ",".join(source.lead_names) + "\n")
        for i, row in enumerate(x.T):
            fh.write(f"{i / 500:.3f}," + ",".join(f"{v:.4f}" if np.isfinite(v) else str(v) for v in row) + "\n")
    rec = read_ecg(path)
    assert rec.gaps == {"II": ((1000, 1500),), "V2": ((0, 50),)}
    v2 = rec.lead("V2")
    assert np.all(v2[:50] == v2[50])
    info = rec.summary()
    assert info["gaps_s"] == {"II": [[2.0, 3.0]], "V2": [[0.0, 0.1]]}


def test_a_derived_limb_lead_inherits_the_gaps_of_i_and_ii(source, tmp_path):
    keep = ["I", "II", "V1", "V2", "V3", "V4", "V5", "V6"]
    sub = source.with_signal(source.signal_mv)
    rows = [source.lead_names.index(n) for n in keep]
    d = np.round(sub.signal_mv[rows].T * 1000).astype(np.int32)
    d[100:200, 0] = -32768  # I
    d[150:300, 1] = -32768  # II
    wfdb.wrsamp("eight", fs=500, units=["mV"] * 8, sig_name=keep, d_signal=d, fmt=["16"] * 8,
                adc_gain=[1000.0] * 8, baseline=[0] * 8, write_dir=str(tmp_path))
    rec = read_ecg(tmp_path / "eight.hea")
    assert rec.derived_leads == ("III", "aVR", "aVL", "aVF")
    assert rec.gaps["I"] == ((100, 200),) and rec.gaps["II"] == ((150, 300),)
    for lead in rec.derived_leads:
        assert rec.gaps[lead] == ((100, 300),)


@pytest.mark.parametrize("content", [b"I,II\nnan,nan\nnan,inf\n", b"I,II,fs_hz\nnan,nan,500\n-inf,nan,500\n"])
def test_a_file_without_one_valid_sample_is_refused(tmp_path, content):
    path = tmp_path / "empty_values.csv"
    path.write_bytes(content)
    with pytest.raises(InvalidSignalError) as info:
        read_ecg(path, fs_hz=500)
    assert "empty_values.csv" in info.value.message_ja and "無効" in info.value.message_ja


def test_the_quality_gate_withholds_the_analysis_and_greys_the_measurements(gap_wfdb):
    rec = read_ecg(gap_wfdb)
    q = assess_quality(rec)
    assert not q.ok
    gap = [p for p in q.problems if p.code == "gap"]
    assert len(gap) == 1 and gap[0].leads == ("II",)
    ja, en = gap[0].reason.text("ja"), gap[0].reason.text("en")
    assert "II" in ja and "1.0 秒" in ja and "欠けて" in ja
    assert "1.0 s" in en
    # the fill is not reported as a lead-off stretch as well
    assert not [p for p in q.problems if "II" in p.leads and p.code != "gap"]
    prepared, meas = prepare(rec)
    assert meas is not None and meas.hr_bpm is not None  # the physician still reads them
    assert meas.confidence["qrs_ms"] < 0.5  # greyed: they fire no rule
    assert meas.confidence_reasons["qrs_ms"] == "meas.conf_quality"
    assert not prepared.quality.ok


def test_a_gap_in_a_lead_the_analysis_does_not_need_is_reported_only(source, tmp_path):
    d = np.round(source.signal_mv.T * 1000).astype(np.int32)
    d[1000:1600, source.lead_names.index("aVR")] = -32768  # 1.2 s
    rec = read_ecg(_write_wfdb(source, d, tmp_path, "gapavr"))
    q = assess_quality(rec)
    assert [p.leads for p in q.problems if p.code == "gap"] == [("aVR",)]
    assert q.ok


@pytest.mark.parametrize(("leads", "stretch", "ms"), [
    (("V2",), (2000, 2001), 2),  # one sample (QA 68 F1: gated, 「最長 0.0 秒」)
    ("all", (2000, 2001), 2),  # the same sample in every lead: every measurement had gone
    ("all", (2000, 2010), 20),
    (("II",), (1000, 1450), 900),  # under the 1-s limit of a lead going flat part way
])
def test_a_brief_gap_is_bridged_reported_and_gates_nothing(source, tmp_path, leads, stretch, ms):
    d = np.round(source.signal_mv.T * 1000).astype(np.int32)
    names = source.lead_names if leads == "all" else leads
    for name in names:
        d[stretch[0]:stretch[1], source.lead_names.index(name)] = -32768
    rec = read_ecg(_write_wfdb(source, d, tmp_path, "brief"))
    assert set(rec.gaps) >= set(names)
    q = assess_quality(rec)
    assert q.ok, [p.code for p in q.problems]
    assert not [p for p in q.problems if p.code == "gap"]
    brief = [p for p in q.problems if p.code == "gap_brief"]
    assert len(brief) == 1 and set(brief[0].leads) == set(rec.gaps)
    assert f"最長 {ms} ms" in brief[0].reason.text("ja") and f"up to {ms} ms" in brief[0].reason.text("en")
    prepared, meas = prepare(rec)
    assert prepared.quality.ok
    assert meas.qrs_ms is not None and meas.confidence["qrs_ms"] >= 0.5
    assert abs(meas.hr_bpm - prepare(source)[1].hr_bpm) <= 1


def test_a_gap_outside_the_spans_a_long_record_is_analysed_on_does_not_gate(source, tmp_path):
    reps = 20  # 200 s: the gate reads the first minute and the central 10 s
    sig = np.tile(source.signal_mv, (1, reps))
    d = np.round(sig.T * 1000).astype(np.int32)
    ii = source.lead_names.index("II")
    d[int(75 * 500):int(76 * 500), ii] = -32768  # between the two spans
    rec = read_ecg(_write_wfdb(source, d, tmp_path, "longgap"))
    assert rec.gaps == {"II": ((37500, 38000),)}
    assert not [p for p in assess_quality(rec).problems if p.code == "gap"]
    d[int(30 * 500):int(31 * 500), ii] = -32768  # in the first minute
    rec = read_ecg(_write_wfdb(source, d, tmp_path, "longgap2"))
    assert not assess_quality(rec).ok
    # a segment carries its own gaps
    seg = rec.segment(int(29 * 500), int(80 * 500))
    assert seg.gaps == {"II": ((500, 1000), (23000, 23500))}
    assert rec.with_signal(rec.signal_mv[:, :int(31.5 * 500)]).gaps == {"II": ((15000, 15500),)}
    assert rec.with_signal(rec.signal_mv[:, ::2], fs_hz=250.0).gaps == {}


def test_the_page_leaves_the_gap_blank(gap_wfdb):
    rec = read_ecg(gap_wfdb)
    page = layout_page(rec, PageSettings(layout="3x4"))
    drawn = {(t.lead, t.rhythm): t.points(rec.signal_mv, rec.fs_hz) for t in page.traces}
    _, y = drawn[("II", True)]  # the rhythm strip: all 10 s
    assert np.isnan(y[GAP[0]:GAP[1]]).all() and np.isfinite(y[:GAP[0]]).all()
    assert np.isfinite(y[GAP[1]:]).all()
    assert [(r.start, r.stop) for r in finite_runs(y)] == [(0, GAP[0]), (GAP[1], rec.n_samples)]
    _, y1 = drawn[("I", False)]
    assert np.isfinite(y1).all()


def test_info_and_analyze_read_the_record(gap_wfdb):
    run = [sys.executable, "-m", "ecg_viewer"]
    out = subprocess.run([*run, "info", str(gap_wfdb), "--json"], capture_output=True, text=True,
                         check=True, timeout=120)
    assert json.loads(out.stdout)["gaps_s"] == {"II": [[2.0, 3.0]]}
    out = subprocess.run([*run, "analyze", str(gap_wfdb), "--no-model"], capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "判定不能" in out.stdout and "欠けている区間" in out.stdout


def test_the_window_draws_the_gap_and_says_why_nothing_is_suggested(make_window, qtbot, gap_wfdb):
    win = make_window((1366, 768), use_stored_language=False)
    with qtbot.waitSignal(win.flow.analysed, timeout=120000) as blocker:
        win.controller.open_file(str(gap_wfdb))
    analysis = blocker.args[0]
    assert analysis.referral.level == "unreadable" and analysis.prediction is None
    assert win.panel.banner.text() == "判定不能"
    assert "欠けている区間" in win.panel.message.text() and "II" in win.panel.message.text()
    page = win.view.page
    items = win.view.trace_items()
    strip = next(i for i, t in enumerate(page.traces) if t.lead == "II" and t.rhythm)
    x, y = items[strip].getData()  # as drawn (downsampled to the screen's resolution)
    t = page.traces[strip]
    gap_s = (x[np.isnan(y)] - t.x_mm) / t.speed_mm_s + t.t0_s
    assert gap_s.min() == pytest.approx(2.0, abs=0.02) and gap_s.max() == pytest.approx(3.0, abs=0.02)
    assert np.isfinite(y[(x - t.x_mm) / t.speed_mm_s + t.t0_s < 1.98]).all()
    other = next(i for i, t in enumerate(page.traces) if t.lead == "V1")
    assert np.isfinite(items[other].getData()[1]).all()


def test_the_pdf_leaves_the_gap_blank_and_says_why(gap_wfdb, tmp_path):
    from ecg_viewer.pipeline.factory import make_analyzer
    from ecg_viewer.pipeline.report_content import build_report_content
    from ecg_viewer.report.pdf import pdf_bytes

    rec = read_ecg(gap_wfdb)
    content = build_report_content(rec, make_analyzer(load_model=False).analyze(rec),
                                   settings=PageSettings())
    data = pdf_bytes(content, compress=False)
    # no NaN coordinate in a path (reportlab writes "nan 12.3 l"): the trace stops and starts
    assert not re.search(rb"(nan|inf) [-.0-9]+ [lm]\b|[-.0-9]+ (nan|inf) [lm]\b", data)
    pdf = tmp_path / "gap.pdf"
    pdf.write_bytes(data)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "欠けている区間のある誘導があります: II" in text and "判定不能" in text
