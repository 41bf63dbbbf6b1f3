"""P waves at fast rates: a sinus tachycardia keeps its P wave and a plausible PR; a fast atrial
fibrillation or flutter gets no P wave (a P there would make it look sinus, the opposite error).

Real CinC 2021 records of ../shared/data (SNOMED codes in their headers): HR06003 (sinus
rhythm + sinus tachycardia, 124/min), E07501 (sinus tachycardia, 123/min), A0003 (atrial
fibrillation, 146/min, irregular), JS00005 (atrial flutter, 162/min, regular conduction),
JS20000 and JS20018 (sinus tachycardia + premature atrial contractions, SNOMED 427084000 +
284470004, 117 and 113/min: called irregular, so the stricter P consistency applies).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ecg_viewer.io import read_ecg
from ecg_viewer.signal.measure import measure


@pytest.mark.parametrize("path", ["samples/wfdb_cinc2021/HR06003.hea",
                                  "samples/wfdb_cinc2021/E07501.hea"])
def test_sinus_tachycardia_keeps_its_p_wave(shared_data: Path, path: str) -> None:
    m = measure(read_ecg(shared_data / path))
    assert m.hr_bpm is not None and m.hr_bpm > 110
    assert m.rr_irregular is False
    assert m.p_ms is not None and 60 <= m.p_ms <= 140, m.reasons.get("p_ms")
    # a PR a sinus beat has at this rate (and not one stretched to the window's edge)
    assert m.pr_ms is not None and 100 <= m.pr_ms <= 200
    # a sinus P wave points down and to the left (frontal axis 0..+90 deg, some latitude)
    assert m.p_axis_deg is not None and -30 <= m.p_axis_deg <= 105
    assert m.confidence["pr_ms"] >= 0.5


@pytest.mark.parametrize("path", ["samples/wfdb_cinc2021/JS20000.hea",
                                  "samples/wfdb_cinc2021/JS20018.hea"])
def test_sinus_tachycardia_with_premature_atrial_beats_keeps_its_p_wave(
    shared_data: Path, path: str
) -> None:
    m = measure(read_ecg(shared_data / path))
    assert m.hr_bpm is not None and m.hr_bpm > 100
    # the premature beats make the RR irregular: the stricter consistency is asked
    assert m.rr_irregular is True
    rr = m.beat_detection.rr_s
    assert (rr < 0.8 * np.median(rr)).sum() >= 2  # premature beats are there ...
    assert m.median is not None and m.median.n_beats_used < m.beats  # ... and left out
    assert m.p_ms is not None and 60 <= m.p_ms <= 140, m.reasons.get("p_ms")
    assert m.pr_ms is not None and 100 <= m.pr_ms <= 200
    assert m.p_axis_deg is not None and -30 <= m.p_axis_deg <= 105


@pytest.mark.parametrize("path", ["cinc_extra/A0003.hea", "cinc_extra/JS00005.hea"])
def test_fast_atrial_fibrillation_or_flutter_has_no_p_wave(shared_data: Path, path: str) -> None:
    m = measure(read_ecg(shared_data / path))
    assert m.hr_bpm is not None and m.hr_bpm > 130
    assert m.p_ms is None and m.pr_ms is None and m.p_axis_deg is None
    assert m.reasons["pr_ms"] in ("meas.no_p_wave", "meas.no_p_wave_irregular")
    # the rest is still measured
    assert m.qrs_ms is not None


def test_fast_sinus_p_waves_found_by_the_beats_agreement(shared_data: Path, monkeypatch) -> None:
    """PTB-XL sinus tachycardias at 110/min or more (folds 1-8, mV subset): the P wave stands out
    of the median beat's own noise (the beats' spread about it) where the search window's 10-ms
    change, mostly the P wave and the previous T's tail at these rates, hides it."""
    import ecg_viewer.signal.pwave as pwave
    from tests.ptbxl_records import ptbxl_records

    fast = [rec for fold in range(1, 9)
            for _, rec, _ in ptbxl_records(shared_data, codes={"STACH"}, fold=fold)]
    fast = [(rec, m) for rec in fast for m in [measure(rec)] if m.hr_bpm and m.hr_bpm >= 110]
    assert len(fast) >= 10
    found = sum(m.pr_ms is not None for _, m in fast)
    assert found >= 0.8 * len(fast)
    monkeypatch.setattr(pwave, "P_MIN_SNR", float("inf"))  # the window's rule alone
    alone = sum(measure(rec).pr_ms is not None for rec, _ in fast)
    assert alone < found
