"""QA report 22, item 4: where a file stores I, II and III, III must equal II - I (Einthoven);
stored leads that break it are labelled wrongly (I and II exchanged in a CSV header) and the
quality report warns 「誘導の付け違いの疑い（III ≠ II − I）」 (a warning, not a gate). No real
sample file that stores the three leads is flagged."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from ecg_viewer.core.errors import EcgReadError
from ecg_viewer.core.messages import MESSAGES
from ecg_viewer.io import read_ecg
from ecg_viewer.pipeline.files import find_ecg_files
from ecg_viewer.signal.quality import DEFAULT_THRESHOLDS, assess_quality, limb_mismatch

CODE = "limb_leads_inconsistent"


def _csv(signal: np.ndarray, fs_hz: float, path: Path, names: list[str]) -> Path:
    t = np.arange(signal.shape[1]) / fs_hz
    data = np.column_stack([t, signal.T.astype(np.float64)])
    np.savetxt(path, data, delimiter=",", header=",".join(["time_s", *names]), comments="",
               fmt="%.5f")
    return path


@pytest.fixture(scope="module")
def ptbxl(samples: Path):
    return read_ecg(samples / "wfdb_ptbxl" / "00001_hr.hea")


def test_swapped_i_and_ii_labels_are_flagged_not_gated(ptbxl, tmp_path: Path) -> None:
    names = list(ptbxl.lead_names)
    good = read_ecg(_csv(ptbxl.signal_mv, ptbxl.fs_hz, tmp_path / "good.csv", names))
    i, ii = names.index("I"), names.index("II")
    names[i], names[ii] = names[ii], names[i]
    swapped = read_ecg(_csv(ptbxl.signal_mv, ptbxl.fs_hz, tmp_path / "swapped.csv", names))

    assert limb_mismatch(good) < 0.01
    assert limb_mismatch(swapped) > 0.5
    q_good, q_swapped = assess_quality(good), assess_quality(swapped)
    assert CODE not in [p.code for p in q_good.problems]
    problem = next(p for p in q_swapped.problems if p.code == CODE)
    assert problem.text("ja") == "誘導の付け違いの疑い（III ≠ II − I）"
    assert problem.text("ja") == MESSAGES[f"quality.{CODE}"][0]
    assert "III" in problem.text("en")
    assert q_swapped.ok  # a warning only: the analysis goes on


def test_derived_iii_is_not_checked(ptbxl, tmp_path: Path) -> None:
    """A file with only the 8 independent leads: III is computed here, so it fits by
    construction and says nothing."""
    keep = [n for n in ptbxl.lead_names if n not in ("III", "aVR", "aVL", "aVF")]
    rows = ptbxl.signal_mv[[ptbxl.lead_names.index(n) for n in keep]]
    rec = read_ecg(_csv(rows, ptbxl.fs_hz, tmp_path / "eight.csv", keep))
    assert "III" in rec.derived_leads
    assert limb_mismatch(rec) is None


def test_no_real_sample_is_flagged(samples: Path) -> None:
    """Every sample file that stores I, II and III keeps Einthoven's law well inside the limit
    (the largest, 0.025, is a Philips file: the limit 0.2 leaves 8x margin)."""
    logging.disable(logging.WARNING)
    try:
        checked = []
        for path in find_ecg_files(samples, recursive=True):
            try:
                rec = read_ecg(path)
            except EcgReadError:
                continue
            ratio = limb_mismatch(rec)
            if ratio is not None:
                checked.append((ratio, path.name))
    finally:
        logging.disable(logging.NOTSET)
    assert checked, "no sample stores I, II and III"
    worst = max(checked)
    assert worst[0] < DEFAULT_THRESHOLDS.limb_mismatch_ratio / 4, worst
