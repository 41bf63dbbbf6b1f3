"""What a measurement may be trusted for: global intervals from too few leads, a rate from one RR
interval, a P axis from an uncertain P window, beats counted on a file's non-ECG channels
(QA 35 and 36, real records)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from ecg_viewer.io import read_ecg
from ecg_viewer.pipeline.analyze import measure_readable
from ecg_viewer.signal.beats import ecg_channels
from ecg_viewer.signal.measure import measure


def _only(record, leads: tuple[str, ...]):
    rows = [record.lead_names.index(n) for n in leads]
    return replace(record, signal_mv=record.signal_mv[rows], lead_names=leads, derived_leads=())


def test_global_intervals_from_few_leads_are_of_low_confidence(bundled_samples: Path):
    """Lead II alone of PTB-XL 00009 read QRS 78 ms, trusted; its 12 leads read 104 ms."""
    rec = read_ecg(bundled_samples / "00009_hr.hea")
    full = measure(rec)
    assert "qrs_ms" not in full.low_confidence
    for leads in (("II",), ("II", "V5"), ("I", "II", "V1", "V2", "V3")):
        m = measure(_only(rec, leads))
        assert m.qrs_ms is not None and m.qrs_ms <= full.qrs_ms
        assert m.qrs_ms < full.qrs_ms - 10 or len(leads) > 1
        for k in ("qrs_ms", "qt_ms", "qtc_bazett_ms"):
            assert k in m.low_confidence, (leads, k)
            assert m.confidence_reasons[k] in ("meas.conf_few_leads", "meas.conf_beats",
                                               "meas.conf_missing")
        assert m.confidence_reasons["qrs_ms"] == "meas.conf_few_leads"
        assert "hr_bpm" not in m.low_confidence  # the rate is counted on any lead
    six = measure(_only(rec, ("I", "II", "V1", "V2", "V4", "V6")))
    assert six.confidence_reasons.get("qrs_ms") != "meas.conf_few_leads"


def test_a_rate_from_one_rr_interval_is_of_low_confidence(bundled_samples: Path):
    rec = read_ecg(bundled_samples / "00009_hr.hea")
    fs = int(rec.fs_hz)
    strip = replace(rec, signal_mv=rec.signal_mv[:, : 2 * fs])
    m = measure(strip)
    assert m.beats == 2 and m.hr_bpm is not None
    assert set(m.low_confidence) >= {"hr_bpm", "rr_ms"}
    assert m.confidence_text("hr_bpm", "ja") == "RR 間隔が 1 つしかなく、信頼度が低い値です"
    assert "hr_bpm" not in measure(rec).low_confidence


def test_the_p_axis_shares_the_p_waves_confidence(shared_data: Path):
    """mferorg_ECG04: a P onset at its search window's edge gave P 260 ms (greyed) and a P axis
    of -173° shown plain beside 洞調律."""
    m = measure(read_ecg(shared_data / "samples" / "mfer" / "mferorg_ECG04.mwf"))
    assert m.p_axis_deg is not None
    assert ("p_axis_deg" in m.low_confidence) == ("p_ms" in m.low_confidence)
    assert "p_ms" in m.low_confidence


def test_beats_are_counted_on_the_ecg_channels_only(shared_data: Path):
    """An EDF test file: a square wave, a ramp, a pulse, noise, sines and one "ECG" channel
    beating at 60/min read 190/min from all of them together."""
    edf = shared_data / "samples" / "edf" / "test_generator_2.edf"
    rec = read_ecg(edf)
    assert "ECG" in rec.lead_names
    m = measure_readable(rec)
    assert m.hr_bpm == pytest.approx(60.0, abs=2.0)
    assert m.qrs_ms is None or "qrs_ms" in m.low_confidence  # one ECG channel
    assert ecg_channels(["squarewave", "ramp", "pulse", "ECG", "noise", "sine 1 Hz"]) == [3]
    # standard leads always count; odd lead names of ECG databases are ECG leads
    assert ecg_channels(["I", "II", "Resp", "Pleth", "ABP"]) == [0, 1]
    assert ecg_channels(["MLII", "ML5", "D3", "mod.V1", "V1-V2", "CM5"]) == list(range(6))
    assert ecg_channels(["EEG Fpz", "Temp"]) == [0, 1]  # nothing ECG-like: all of them


def test_the_batch_csv_names_the_greyed_columns(bundled_samples: Path, tmp_path: Path, capsys):
    """The window and the report grey a low-confidence value; the batch CSV printed it as a plain
    number beside the trusted ones (QA 35)."""
    import csv

    import numpy as np

    from ecg_viewer.cli import main

    rec = read_ecg(bundled_samples / "00009_hr.hea")
    folder = tmp_path / "in"
    folder.mkdir()
    ii = rec.signal_mv[rec.lead_names.index("II")]
    t = np.arange(ii.size) / rec.fs_hz
    np.savetxt(folder / "lead_ii.csv", np.column_stack([t, ii]), delimiter=",",
               header="time,II", comments="", fmt="%.5f")
    out = tmp_path / "r.csv"
    assert main(["batch", str(folder), "--out", str(out), "--no-model"]) == 0
    capsys.readouterr()
    with open(out, encoding="utf-8-sig", newline="") as fh:
        row = next(csv.DictReader(fh))
    low = row["low_confidence"].split()
    assert {"qrs_ms", "qt_ms"} <= set(low)
    assert all(row[k] != "" for k in low) and "hr_bpm" not in low


def test_a_lead_stored_twice_with_other_samples_gates_the_record(bundled_samples: Path,
                                                                  tmp_path: Path):
    """A CSV with two columns named V1 was read as 異常なし, the first taken without a word (QA 35);
    the same samples twice (a rhythm strip repeating II) are no problem."""
    import numpy as np

    from ecg_viewer.pipeline.analyze import quality_of

    rec = read_ecg(bundled_samples / "00009_hr.hea")
    n = 2500
    sig = rec.signal_mv[:, :n]
    cols = list(rec.lead_names)
    for name, extra, want in (("dup.csv", -sig[cols.index("V1")], ("V1",)),
                              ("same.csv", sig[cols.index("II")], ())):
        lead = "V1" if want else "II"
        t = np.arange(n) / rec.fs_hz
        data = np.column_stack([t, *sig, extra])
        path = tmp_path / name
        np.savetxt(path, data, delimiter=",", header=",".join(["time", *cols, lead]),
                   comments="", fmt="%.4f")
        q = quality_of(read_ecg(path))
        dup = [p for p in q.problems if p.code == "duplicate_leads"]
        assert tuple(p for d in dup for p in d.leads) == want
        if want:
            assert not q.ok
            assert dup[0].reason.text("ja").startswith("同じ誘導名のチャネルが複数あり")


def test_a_p_wave_before_every_beat_holds_af_back_on_a_real_record(shared_data: Path):
    """CinC JS20000 (sinus tachycardia 117/min with PACs and PVCs; no AF code): the P wave is in
    the median and in every group of its beats, though the groups place its onset apart (PR
    greyed). It was shown 心房細動 above its threshold and raised 要至急 for it."""
    from ecg_viewer.core.paths import model_weights_dir
    from ecg_viewer.pipeline.analyze import Analyzer

    rec = read_ecg(shared_data / "samples" / "wfdb_cinc2021" / "JS20000.hea")
    m = measure(rec)
    assert m.pr_ms is not None and "pr_ms" in m.low_confidence
    assert "p_present" not in m.low_confidence and m.confidence["p_present"] == 1.0
    if not (model_weights_dir() / "manifest.json").is_file():
        pytest.skip("no shipped weights in model_weights/")
    a = Analyzer(device="cpu").analyze(rec)
    af = next(s for s in a.prediction.labels if s.id == "atrial_fibrillation")
    assert not af.above_threshold
    assert not any(b.startswith("atrial_f") for b in a.referral.because)


def test_a_greyed_qrs_whose_beat_groups_all_read_narrow_holds_rbbb_back(shared_data: Path):
    """mferorg_ECG01: QRS 110 ms greyed (beat groups 88/110/108 ms) let 完全右脚ブロック stand
    and, with 左脚後枝ブロック, raise 二枝ブロック 要精査."""
    from ecg_viewer.core.paths import model_weights_dir
    from ecg_viewer.pipeline.analyze import Analyzer

    rec = read_ecg(shared_data / "samples" / "mfer" / "mferorg_ECG01.mwf")
    d = measure(rec).to_dict()
    assert "qrs_ms" in d["low_confidence"]
    lo, hi = d["range"]["qrs_ms"]
    assert lo <= d["qrs_ms"] <= hi < 120.0
    assert set(d["range"]) <= set(d["low_confidence"])
    if not (model_weights_dir() / "manifest.json").is_file():
        pytest.skip("no shipped weights in model_weights/")
    a = Analyzer(device="cpu").analyze(rec)
    shown = {s.id for s in a.prediction.labels if s.above_threshold}
    assert not {"crbbb", "bifascicular_block"} & shown
    assert a.referral.level not in ("D", "urgent")
