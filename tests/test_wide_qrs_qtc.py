"""A wide QRS (bundle branch block, ventricular pacing) lengthens the QT without a longer
repolarisation: the long-QT rules use the QTc modified for the QRS width (Bogossian 2014), and the
header and the report show it. Real records: the paced GE MUSE export (cart: QRS 128 ms) and a
sinus record with a narrow QRS."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ecg_viewer.core.messages import tr
from ecg_viewer.io import read_ecg
from ecg_viewer.pipeline.factory import make_analyzer
from ecg_viewer.pipeline.report_content import build_report_content


@pytest.fixture(scope="module")
def paced(shared_data: Path):
    record = read_ecg(shared_data / "cart_reference" / "braveheart_example4.xml")
    return record, make_analyzer(load_model=False).analyze(record)


def test_paced_record_gets_the_modified_qtc_and_no_plain_qtc_rule(paced) -> None:
    _record, analysis = paced
    m = analysis.measurements
    assert m["paced"] and m["qrs_ms"] >= 120
    expected = (m["qt_ms"] - 0.485 * m["qrs_ms"]) / (m["rr_ms"] / 1000.0) ** (1 / 3)
    assert m["qtc_modified_ms"] == pytest.approx(expected, abs=6)  # RR: the mean of the beats
    assert m["qtc_modified_ms"] < m["qtc_fridericia_ms"] - 40
    assert not {"qtc_fridericia_very_long", "qtc_long_fridericia", "qtc_bazett_very_long",
                "qtc_long_bazett"} & set(analysis.referral.because)


def test_narrow_qrs_has_no_modified_qtc(samples: Path) -> None:
    analysis = make_analyzer(load_model=False).analyze(
        read_ecg(samples / "ge_muse" / "synthetic_muse.xml"))
    assert analysis.measurements["qrs_ms"] < 120
    assert analysis.measurements["qtc_modified_ms"] is None


def test_header_and_pdf_show_the_modified_qtc(paced, qtbot, tmp_path: Path) -> None:
    from ecg_viewer.gui.header import HeaderWidget
    from ecg_viewer.report.pdf import pdf_bytes

    record, analysis = paced
    header = HeaderWidget()
    qtbot.addWidget(header)
    header.set_measurements(analysis.measurements)
    value = analysis.measurements["qtc_modified_ms"]
    if "qtc_modified_ms" in analysis.measurements["low_confidence"]:  # a greyed figure of its own
        assert tr("ui.meas.qtc_modified_label", value=value) in header.meas_labels["qtm"].text()
    else:
        assert tr("ui.meas.qtc_modified", value=value) in header.meas_labels["qt"].text()
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(pdf_bytes(build_report_content(record, analysis), lang="ja"))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert f"{tr('meas.qtc_modified_short', 'ja')} {value:.0f} ms" in text


def test_q_waves_are_not_judged_in_a_paced_qrs(paced) -> None:
    _record, analysis = paced
    values, reasons = analysis.criteria["values"], analysis.criteria["reasons"]
    for group in ("inferior", "lateral", "anterior", "septal"):
        assert values[f"q_waves_{group}"] is None
        assert reasons[f"q_waves_{group}"] == "crit.q_paced"


def test_q_waves_are_not_judged_in_an_lbbb_like_qrs() -> None:
    from ecg_viewer.signal.criteria import _q_waves_not_assessable
    from ecg_viewer.signal.measure import Measurements

    wide = Measurements(qrs_ms=150.0)
    assert _q_waves_not_assessable(wide, {"q_i_ms": 0.0, "q_v6_ms": 0.0}) == "crit.q_lbbb_like"
    # RBBB keeps its septal q: Q waves stay judged
    assert _q_waves_not_assessable(wide, {"q_i_ms": 0.0, "q_v6_ms": 18.0}) == ""
    assert _q_waves_not_assessable(Measurements(qrs_ms=100.0), {"q_i_ms": 0.0, "q_v6_ms": 0.0}) == ""
    assert _q_waves_not_assessable(Measurements(qrs_ms=90.0, paced=True), {}) == "crit.q_paced"
    # RBBB signs (R' in V1-V2, broad S in I and V6) without a measurable septal q: still judged
    no_q = {"q_i_ms": 0.0, "q_v6_ms": 0.0}
    assert _q_waves_not_assessable(wide, {**no_q, "rprime_v1v2": True}) == ""
    assert _q_waves_not_assessable(wide, {**no_q, "broad_s_i_v6": True}) == ""
    assert _q_waves_not_assessable(wide, {**no_q, "rprime_v1v2": False,
                                          "broad_s_i_v6": None}) == "crit.q_lbbb_like"


def test_q_waves_are_judged_in_a_real_rbbb_without_septal_q(bundled_samples) -> None:
    """E07509 (complete RBBB, QRS ~150 ms; its I and V6 show no measurable q): the RBBB signs
    are present, so its Q-wave groups are judged (no Q waves there), not hidden as LBBB-like."""
    from ecg_viewer.io import read_ecg
    from ecg_viewer.signal.criteria import criteria_features
    from ecg_viewer.signal.measure import measure

    rec = read_ecg(bundled_samples / "E07509.hea")
    f = criteria_features(rec, measure(rec))
    assert f.values["qrs_ms"] >= 120 and f.values["q_i_ms"] == 0 and f.values["q_v6_ms"] == 0
    assert f.values["rprime_v1v2"] is True
    for group in ("inferior", "lateral", "anterior", "septal"):
        assert f.reasons.get(f"q_waves_{group}") != "crit.q_lbbb_like"
        assert f.values[f"q_waves_{group}"] is False
