"""What a file says about itself that the measured heart contradicts (QA 45): a sampling rate
written as 250 Hz in a 500-Hz GE MUSE export halved the heart rate and doubled the intervals,
raising 要至急/要精査 on a normal ECG while the cart's own rate stood on the next line; a gain ten
times too large read 異常なし with the reason only in the criteria tab. Real GE MUSE exports,
changed in tmp_path as the fault would change them."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecg_viewer.io import read_ecg
from ecg_viewer.pipeline.analyze import Analyzer
from ecg_viewer.signal.quality_measured import hr_disagrees


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(load_model=False)


def _muse(samples: Path, tmp_path: Path, name: str, old: str, new: str) -> Path:
    src = samples / "ge_muse" / name
    if not src.exists():
        pytest.skip(f"{name} is not in ../shared/data/samples/ge_muse")
    text = src.read_text(encoding="utf-8", errors="surrogateescape")
    assert old in text
    out = tmp_path / f"changed_{name}"
    out.write_text(text.replace(old, new), encoding="utf-8", errors="surrogateescape")
    return out


@pytest.mark.parametrize("name", ["guangxi_teaching_sinus_rhythm.xml", "synthetic_muse.xml"])
def test_a_rate_written_wrong_is_not_judged(samples: Path, tmp_path: Path, analyzer: Analyzer,
                                            name: str) -> None:
    good = analyzer.analyze(read_ecg(samples / "ge_muse" / name))
    assert good.quality.ok and not any(p.code == "device_rate_disagrees"
                                       for p in good.quality.problems)
    rec = read_ecg(_muse(samples, tmp_path, name, "<SampleBase>500</SampleBase>",
                         "<SampleBase>250</SampleBase>"))
    a = analyzer.analyze(rec)
    assert not a.quality.ok and a.referral.level == "unreadable"
    problem = next(p for p in a.quality.problems if p.code == "device_rate_disagrees")
    assert "記録装置の" in problem.text("ja") and "250 Hz" in problem.text("ja")
    assert "sampling rate" in problem.text("en")
    assert "hr_bpm" in a.measurements["low_confidence"]  # greyed: no rule fires on them


def test_a_gain_ten_times_too_large_is_said(samples: Path, tmp_path: Path,
                                            analyzer: Analyzer) -> None:
    rec = read_ecg(_muse(samples, tmp_path, "synthetic_muse.xml",
                         "<LeadAmplitudeUnitsPerBit>4.88</LeadAmplitudeUnitsPerBit>",
                         "<LeadAmplitudeUnitsPerBit>48.8</LeadAmplitudeUnitsPerBit>"))
    a = analyzer.analyze(rec)
    assert a.quality.ok  # a warning: rhythm and intervals do not depend on the gain
    problem = next(p for p in a.quality.problems if p.code == "gain_implausible")
    assert "ゲイン" in problem.text("ja") and "gain" in problem.text("en")
    assert "12 誘導" not in problem.text("ja")  # QA 49 F4: said on a 2-lead record too
    plain = analyzer.analyze(read_ecg(samples / "ge_muse" / "synthetic_muse.xml"))
    assert not any(p.code == "gain_implausible" for p in plain.quality.problems)


def test_a_rate_written_wrong_is_found_from_the_carts_rr_or_qrs(samples: Path, tmp_path: Path,
                                                               analyzer: Analyzer) -> None:
    """QA 51: files with the cart's RR, QRS and QT but no heart rate, their rate written wrong,
    read 完全左脚ブロック at QRS 220 ms (DICOM, 250 Hz for 1000) or four kinds of infarction at
    QRS 382 ms beside the cart's 120 ms (HL7, 128 Hz for 500), 要精査."""
    import pydicom

    src = samples / "dicom" / "marcodebe_anonymous_ecg.dcm"
    hl7 = samples / "hl7aecg" / "fda_ectd_subject1_0.xml"
    if not src.exists() or not hl7.exists():
        pytest.skip("the DICOM or HL7 sample is not in ../shared/data/samples")
    ds = pydicom.dcmread(src)
    ds.WaveformSequence[0].SamplingFrequency = "250"
    ds.save_as(tmp_path / "fs250.dcm")
    text = hl7.read_text(encoding="utf-8")
    assert '<increment value="0.002" unit="s"/>' in text
    (tmp_path / "fs128.xml").write_text(text.replace(
        '<increment value="0.002" unit="s"/>', '<increment value="0.0078125" unit="s"/>'),
        encoding="utf-8")
    for name, said in (("fs250.dcm", "記録装置の 61 /分"), ("fs128.xml", "記録装置の 120 ms")):
        a = analyzer.analyze(read_ecg(tmp_path / name))
        assert a.referral.level == "unreadable", name
        problem = next(p for p in a.quality.problems if p.code == "device_rate_disagrees")
        assert said in problem.text("ja") and "sampling rate" in problem.text("en"), name
        assert {"qrs_ms", "hr_bpm"} <= set(a.measurements["low_confidence"])
    for good in (src, hl7):  # the files as written: judged
        assert analyzer.analyze(read_ecg(good)).quality.ok


def test_an_interval_apart_from_the_carts_is_no_wrong_rate_when_the_rates_agree(
        samples: Path, tmp_path: Path, analyzer: Analyzer) -> None:
    """QA 53: the cart's QRS (200 ms in a crafted copy of Philips 129DYPRG, heart rates 41 and
    41/min) gated the record as a wrong sampling rate, and its STEMI 要至急 read 判定不能."""
    src = samples / "philips_xml" / "129DYPRG.xml"
    if not src.exists():
        pytest.skip("129DYPRG.xml is not in ../shared/data/samples/philips_xml")
    text = src.read_text(encoding="utf-8", errors="surrogateescape")
    assert "<meanqrsdur>135</meanqrsdur>" in text
    out = tmp_path / "qrs200.xml"
    out.write_text(text.replace("<meanqrsdur>135</meanqrsdur>", "<meanqrsdur>200</meanqrsdur>"),
                   encoding="utf-8", errors="surrogateescape")
    rec = read_ecg(out)
    assert rec.meta.extra["device_measurements"]["qrs_ms"] == 200
    a = analyzer.analyze(rec)
    assert a.quality.ok and a.referral.level == "urgent"


def test_the_rate_check_tolerates_ordinary_differences() -> None:
    assert not hr_disagrees(82.0, 84.0) and not hr_disagrees(45.0, 62.0)
    assert hr_disagrees(49.0, 97.0) and hr_disagrees(150.0, 75.0)
    assert not hr_disagrees(None, 80.0) and not hr_disagrees(80.0, None)
    from ecg_viewer.signal.quality_measured import qrs_disagrees, qt_disagrees

    assert not qrs_disagrees(102.0, 135.0) and qrs_disagrees(382.0, 120.0)  # 129DYPRG / 128 Hz
    assert not qt_disagrees(330.0, 402.0) and qt_disagrees(800.0, 400.0)


def test_the_window_greys_the_figures_of_a_rate_written_wrong(samples: Path, tmp_path: Path,
                                                              make_window, qtbot) -> None:
    """QA 48: the PDF and FHIR greyed them, the window's header kept HR 36, QRS 138 and QT 596
    in black (it showed the measurements made before the analysis greyed them)."""
    f = _muse(samples, tmp_path, "synthetic_muse.xml", "<SampleBase>500</SampleBase>",
              "<SampleBase>250</SampleBase>")
    win = make_window((1400, 900), use_stored_language=False,
                      analyzer_factory=lambda: Analyzer(load_model=False))
    with qtbot.waitSignal(win.flow.analysed, timeout=120000):
        win.controller.open_file(str(f))
    low = win.state.measurements.to_dict()["low_confidence"]
    assert {"hr_bpm", "qrs_ms", "qt_ms"} <= set(low)
    assert win.state.measurements.confidence_text("hr_bpm", "ja").startswith("記録装置")
    _assert_header_greyed(win)


def _assert_header_greyed(win) -> None:
    """QA 49 F2: the heart rate the reason calls wrong stayed black, without （参考値）."""
    from ecg_viewer.core.messages import tr

    labels = win.header.meas_labels
    for key in ("hr", "qrs", "qt", "axis"):
        assert tr("meas.conf_low_mark") in labels[key].text(), (key, labels[key].text())
        assert "color" in labels[key].styleSheet(), key
    assert "記録装置" in labels["hr"].toolTip()
    assert labels["axis"].text().count(tr("meas.conf_low_mark")) == 1  # one mark for the line


def test_a_case_from_the_worklist_is_greyed_too(samples: Path, tmp_path: Path, make_window,
                                               qtbot, analyzer: Analyzer) -> None:
    """QA 49 F1: opened from the worklist (its analysis reused, no second model run), the
    header kept QRS 138 and QT 596 in black under the 判定不能 banner."""
    f = _muse(samples, tmp_path, "synthetic_muse.xml", "<SampleBase>500</SampleBase>",
              "<SampleBase>250</SampleBase>")
    cached = analyzer.analyze(read_ecg(f))
    win = make_window((1400, 900), use_stored_language=False,
                      analyzer_factory=lambda: Analyzer(load_model=False))
    win.flow.analysis_cache = lambda sha: cached if sha == cached.sha256 else None
    with qtbot.waitSignal(win.flow.measured, timeout=120000):
        win.controller.open_file(str(f))
    assert win.state.analysis is cached
    assert {"hr_bpm", "qrs_ms", "qt_ms"} <= set(win.state.measurements.low_confidence)
    _assert_header_greyed(win)


def test_one_greyed_axis_is_marked_where_it_stands(make_window) -> None:
    from ecg_viewer.core.messages import tr
    from ecg_viewer.signal.measure import measure
    from ecg_viewer.signal.synthetic import synthetic

    win = make_window((1400, 900), use_stored_language=False)
    m = measure(synthetic()).to_dict()
    m["low_confidence"] = ["p_axis_deg"]
    m["confidence_reasons"] = {"p_axis_deg": "meas.conf_quality"}
    win.header.set_measurements(m)
    axis = win.header.meas_labels["axis"]
    mark = tr("meas.conf_low_mark")
    assert axis.text().count(mark) == 1 and axis.text().index(mark) < axis.text().index("QRS")
    assert "color" not in axis.styleSheet()  # QRS and T axes are firm
    assert tr("meas.conf_quality") in axis.toolTip()


def test_quality_problems_read_as_sentences() -> None:
    """QA 48: 「…誘導があります: V4、QRS の振幅が…」 read as if QRS were another lead."""
    from ecg_viewer.core.messages import sentences

    assert sentences(["雑音の強い誘導: V4", "QRS が大きすぎます。"], "ja") == \
        "雑音の強い誘導: V4。QRS が大きすぎます。"
    assert sentences(["Noisy lead(s): V4", "The QRS is too large"], "en") == \
        "Noisy lead(s): V4. The QRS is too large"
    assert sentences(["only one"], "en") == "only one" and sentences([], "ja") == ""
