"""No measurement from a record with no readable lead: white noise on all 12 leads gave
"HR 226 bpm", a QRS of 314 ms and a QRS axis of -39° in the header of a record the banner
called 判定不能 (the beat detector finds "beats" in noise). Where the quality gate finds every
lead flat, off, saturated or noisy, nothing is measured and each value says why; one noisy lead
among readable ones changes nothing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ecg_viewer.core.record import EcgRecord

LEADS = ("I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6")


def _noise_record() -> EcgRecord:
    rng = np.random.default_rng(7)
    return EcgRecord(signal_mv=rng.normal(0.0, 2.0, (12, 5000)).astype(np.float32), fs_hz=500.0,
                     lead_names=LEADS)


def test_white_noise_is_not_measured():
    from ecg_viewer.app.analysis_flow import measure_record
    from ecg_viewer.pipeline.analyze import measure_readable
    from ecg_viewer.signal.measure import INTERVAL_KEYS, measure

    rec = _noise_record()
    assert measure(rec).hr_bpm is not None  # what the header showed: a rate from noise
    for m in (measure_readable(rec), measure_record(rec)):  # the pipeline's, the window's
        assert all(getattr(m, k) is None for k in INTERVAL_KEYS)
        assert m.reasons == dict.fromkeys(INTERVAL_KEYS, "meas.no_readable_lead")
        assert m.median is None and m.beats == 0
        assert "判読できる誘導がない" in m.reason_text("hr_bpm", "ja")
        assert m.reason_text("qrs_axis_deg", "en").startswith("Not measured: no lead is readable")


def test_the_analysis_of_noise_is_unreadable_without_numbers():
    from ecg_viewer.pipeline.analyze import Analyzer

    a = Analyzer(load_model=False).analyze(_noise_record())
    assert a.referral.level == "unreadable"
    assert a.measurements["hr_bpm"] is None and a.measurements["qrs_axis_deg"] is None
    assert a.measurements["reasons"]["hr_bpm"] == "meas.no_readable_lead"


def test_one_noisy_lead_among_readable_ones_is_still_measured(shared_data: Path):
    from ecg_viewer.io import read_ecg
    from ecg_viewer.pipeline.analyze import measure_readable, measurement_span
    from ecg_viewer.signal.measure import measure
    from ecg_viewer.signal.quality import assess_quality

    rec = read_ecg(shared_data / "samples" / "wfdb_cinc2021" / "E07509.hea")
    sig = rec.signal_mv.copy()
    sig[rec.lead_names.index("V2")] = np.random.default_rng(3).normal(0.0, 2.0, sig.shape[1])
    noisy = rec.with_signal(sig)
    assert any(p.code == "noisy" and "V2" in p.leads for p in assess_quality(noisy).problems)
    m = measure_readable(noisy)
    assert m.hr_bpm == pytest.approx(measure(measurement_span(noisy)).hr_bpm)
    assert 40 <= m.hr_bpm <= 60 and m.qrs_ms is not None


def test_the_median_beat_dock_says_why_there_is_none(qtbot):
    from ecg_viewer.core.messages import set_language
    from ecg_viewer.gui.median_beat import MedianBeatPanel
    from ecg_viewer.pipeline.analyze import measure_readable

    set_language("ja")
    panel = MedianBeatPanel()
    qtbot.addWidget(panel)
    panel.set_measurements(measure_readable(_noise_record()))
    assert panel.title.text() == "代表心拍はありません: 判読できる誘導がないため計測していません（信号品質不良）"
    assert panel.title.wordWrap() and not panel.plots.isVisible()
    panel.set_measurements(None)  # nothing measured yet
    assert panel.title.text().startswith("代表心拍はありません（測定待ち")


def test_the_gate_runs_once_per_record_for_measurements_and_analysis(monkeypatch, shared_data: Path):
    """The window measures a record on one lane and analyses it on another; both read the quality
    gate's report, which is made once for that record object (a new record gets its own)."""
    import ecg_viewer.signal.quality as quality
    from ecg_viewer.io import read_ecg
    from ecg_viewer.pipeline.analyze import measure_readable, prepare

    calls = []
    real = quality.assess_quality
    monkeypatch.setattr(quality, "assess_quality", lambda r, *a, **k: calls.append(r) or real(r))
    rec = read_ecg(shared_data / "samples" / "wfdb_cinc2021" / "E07509.hea")
    meas = measure_readable(rec)
    prepared, _ = prepare(rec, measurements=meas)
    prepare(rec)
    assert calls == [rec] and prepared.quality.ok
    other = _noise_record()
    assert not prepare(other)[0].quality.ok and calls == [rec, other]
