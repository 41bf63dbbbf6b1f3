"""Labels that name a measurement (ST低下, 異常Q波) are held back where the trusted measurement
says otherwise (QA 57), on real records with the shipped model."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecg_viewer.core.paths import model_weights_dir
from ecg_viewer.io import read_ecg

pytestmark = pytest.mark.shared_data


def _analyze(path: Path):
    if not (model_weights_dir() / "manifest.json").is_file():
        pytest.skip("no shipped weights in model_weights/")
    from ecg_viewer.pipeline.analyze import Analyzer

    return Analyzer(device="cpu").analyze(read_ecg(path))


def test_st_depression_is_held_back_by_a_shallower_measured_st(shared_data: Path) -> None:
    """CinC JS20015: the deepest ST at J+60 ms is -0.045 mV, short of the -0.05 mV criterion, yet
    ST低下 stood above its threshold (0.28) and was named in 要精査 (QA 57). It is now held back
    (the banner keeps 虚血性ST-T変化, the model's own finding)."""
    a = _analyze(shared_data / "samples" / "wfdb_cinc2021" / "JS20015.hea")
    label = next(s for s in a.prediction.labels if s.id == "st_depression")
    assert not label.above_threshold
    st = next(e for e in label.evidence if e.key == "st_j60_min_mv")
    assert -0.05 < float(st.value) < 0 and st.supports is False
    assert "st_depression" not in a.referral.because


def test_abnormal_q_is_held_back_where_no_group_has_pathological_q_waves(shared_data: Path) -> None:
    """CinC E07518 (sinus rhythm by its reference labels): 異常Q波 stood above its threshold and was
    named in 要精査 while each of its four criteria read 「なし」 (QA 57). It is now held back,
    each group's failing Q-wave criterion in its evidence."""
    a = _analyze(shared_data / "samples" / "wfdb_cinc2021" / "E07518.hea")
    label = next(s for s in a.prediction.labels if s.id == "abnormal_q")
    assert not label.above_threshold
    groups = {e.key: e for e in label.evidence if e.key.startswith("q_waves_")}
    assert len(groups) == 4 and all(e.value is False and e.supports is False
                                    for e in groups.values())
    assert "abnormal_q" not in a.referral.because
