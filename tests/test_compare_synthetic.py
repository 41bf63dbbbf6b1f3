"""Synthetic changes that must be detected, through files, the prior search and the real
measurements: a real PTB-XL ECG is the prior; the "current" ECG is the same signal with the QT
lengthened (the ST-T stretched by 80 ms per beat, the T-P shortened) or the QRS widened
(the QRS stretched by 40 ms per beat, a new bundle-branch-block-like conduction delay). The
patient's real next ECG is the control: no false mark."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from compare_fixtures import Ptbxl, warp_beats
from scipy.signal import resample_poly

from ecg_viewer.compare.pair import build_comparison
from ecg_viewer.compare.prior import find_prior
from ecg_viewer.compare.referral import with_comparison
from ecg_viewer.io import read_ecg
from ecg_viewer.pipeline.analyze import Analyzer
from ecg_viewer.signal.measure import measure

NORMAL_PAIRS = ((202, 227), (82, 229))  # PTB-XL: same patient, NORM both times, 60-72 bpm
FS_HZ = 500.0


@pytest.fixture(scope="module")
def ptbxl(shared_data: Path) -> Ptbxl:
    return Ptbxl(shared_data)


def _changed(x_uv: np.ndarray, kind: str) -> np.ndarray:
    from ecg_viewer.core.record import EcgRecord

    rec = EcgRecord((x_uv / 1000.0).astype(np.float32), FS_HZ, (
        "I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"))
    m = measure(rec)
    rr_ms = 60000.0 / m.hr_bpm
    r = m.beat_detection.r_peaks
    if kind == "qt":  # the point 300 ms after QRS end moves 80 ms later; the T-P takes it back
        knots = [(40.0, 40.0), (420.0, 340.0), (rr_ms - 250.0, rr_ms - 250.0)]
    else:  # R +- 60 ms is stretched by 40 ms into the ST segment
        knots = [(-60.0, -60.0), (100.0, 60.0), (360.0, 360.0)]
    return warp_beats(x_uv, FS_HZ, r, knots)


@pytest.mark.parametrize(("prior_id", "next_id"), NORMAL_PAIRS)
def test_lengthened_qt_and_widened_qrs_are_detected(ptbxl: Ptbxl, tmp_path: Path,
                                                    prior_id: int, next_id: int):
    analyzer = Analyzer(load_model=False)
    x = resample_poly(ptbxl.signal_uv(prior_id), 5, 1, axis=1)
    when = ptbxl.when(prior_id)
    prior_file = ptbxl.write(tmp_path, prior_id, signal_uv=x, name="prior.xml", fs_hz=FS_HZ)
    cases = {}
    for kind in ("qt", "qrs"):
        (tmp_path / kind).mkdir()
        cases[kind] = ptbxl.write(tmp_path / kind, prior_id, signal_uv=_changed(x, kind),
                                  name="current.xml", fs_hz=FS_HZ,
                                  recorded_at=when + timedelta(days=7))
    control = read_ecg(ptbxl.write(tmp_path, next_id))  # the real next ECG, 100 Hz
    prior = read_ecg(prior_file)
    prior_analysis = analyzer.analyze(prior)
    expected = {"qt": {"qtc_bazett_change", "qtc_fridericia_change", "qt_change"},
                "qrs": {"qrs_wide_change"}}
    for kind, path in cases.items():
        current = read_ecg(path)
        assert find_prior(current, extra_files=[prior_file]) is not None
        cur_analysis = analyzer.analyze(current)
        cmp = build_comparison(current, cur_analysis, prior, prior_analysis, match="manual",
                               with_medians=False)
        marked = {c.rule_id for c in cmp.marked_changes()}
        assert expected[kind] <= marked, (kind, [c.to_dict() for c in cmp.changes])
        assert not (marked - expected[kind] - {"qt_change"}), kind
        raised = with_comparison(cur_analysis, cmp).referral
        assert raised.level in ("D", "urgent"), kind
        if raised.level == "D":
            assert any(b.startswith("change:") for b in raised.because)
    # the real next ECG of the same patient: found as the later one, nothing marked
    assert find_prior(control) is not None and find_prior(control).path == prior_file.resolve()
    cmp = build_comparison(control, analyzer.analyze(control), prior, prior_analysis,
                           match="folder", with_medians=False)
    assert not {c.rule_id for c in cmp.marked_changes() if c.level}, \
        [c.to_dict() for c in cmp.marked_changes()]
