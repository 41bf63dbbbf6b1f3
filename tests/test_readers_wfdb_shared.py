"""The WFDB reader on every shared WFDB sample, and PTB-XL read from WFDB against the npz subset.

``ptbxl100_subset.npz`` holds PTB-XL at 100 Hz as int16 microvolts. The ``_lr`` records are
PTB-XL's own 100 Hz files: they must agree to the microvolt. The ``_hr`` records (500 Hz) are
decimated here to 100 Hz (scipy ``decimate``: order-8 Chebyshev I, zero phase) and compared
lead by lead; PTB-XL made its 100 Hz version with its own filter, so they agree closely but not
exactly. Measured on the four records (ecg_id 1, 2, 9, 17), with 0.2 s cut from each end where
the two filters' edge effects differ: per-lead correlation >= 0.992, median absolute difference
<= 5.5 uV, robust peak amplitude within 8 %. The asserted bounds leave a small margin.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ecg_viewer.core.leads import CANONICAL_LEADS
from ecg_viewer.io import read_ecg

pytestmark = pytest.mark.shared_data

PTBXL_IDS = (1, 2, 9, 17)
N_CINC = 50
# CinC 2021 Ningbo records whose V2, V4 and V6 are all zeros in the source files
CINC_ZERO_LEADS = {"JS20004": ("V2", "V4", "V6"), "JS20008": ("V2", "V4", "V6")}


def _peak_mv(x: np.ndarray) -> float:
    return float(np.percentile(np.abs(x - np.median(x)), 99.9))


def _records(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.hea"))


def _check_12_lead(path: Path, fs: float, seconds: float) -> None:
    rec = read_ecg(path)
    assert rec.format == "wfdb"
    assert rec.lead_names == CANONICAL_LEADS and rec.derived_leads == ()
    assert rec.fs_hz == fs and rec.n_samples == int(fs * seconds)
    assert rec.duration_s == pytest.approx(seconds)
    assert np.isfinite(rec.signal_mv).all()
    peaks = [_peak_mv(rec.lead(n)) for n in rec.lead_names]
    # in mV: the typical lead's QRS is 0.3-5 mV (a uV or V mix-up would be off by 1000);
    # single leads of large-voltage Ningbo records reach ~11 mV
    assert 0.3 <= float(np.median(peaks)) <= 5.0, peaks
    assert max(peaks) <= 15.0, peaks
    flat = tuple(n for n, p in zip(rec.lead_names, peaks, strict=True) if p < 0.05)
    assert flat == CINC_ZERO_LEADS.get(path.stem, ()), flat


def test_sample_folders_hold_what_the_tests_describe(samples: Path):
    assert [p.stem for p in _records(samples / "wfdb_ptbxl")] == [
        f"{i:05d}_{r}" for i in PTBXL_IDS for r in ("hr", "lr")]
    assert len(_records(samples / "wfdb_cinc2021")) == N_CINC
    assert [p.stem for p in _records(samples / "wfdb")] == ["100", "s0010_re"]


@pytest.mark.parametrize("ecg_id", PTBXL_IDS)
@pytest.mark.parametrize("rate", ["lr", "hr"])
def test_ptbxl_records_open(samples: Path, ecg_id: int, rate: str):
    _check_12_lead(samples / "wfdb_ptbxl" / f"{ecg_id:05d}_{rate}.hea",
                   100.0 if rate == "lr" else 500.0, 10.0)


def test_cinc2021_records_open(samples: Path):
    folder = samples / "wfdb_cinc2021"
    for hea in _records(folder):
        _check_12_lead(hea, 500.0, 10.0)
        meta = read_ecg(hea).meta
        assert meta.extra["snomed_dx"], hea.name  # the # Dx: line
        assert all(code.isdigit() for code in meta.extra["snomed_dx"])
        assert meta.sex in ("M", "F"), hea.name
    # opening the .mat signal file finds the same record as its header
    assert read_ecg(folder / "E07500.mat").sha256 == read_ecg(folder / "E07500.hea").sha256


def test_ptb_diagnostic_15_leads(samples: Path):
    rec = read_ecg(samples / "wfdb" / "s0010_re.hea")
    assert rec.lead_names == CANONICAL_LEADS + ("vx", "vy", "vz")
    assert rec.extra_leads == ("vx", "vy", "vz") and rec.derived_leads == ()
    assert rec.fs_hz == 1000.0 and rec.n_samples == 38400
    assert rec.duration_s == pytest.approx(38.4)
    assert rec.original_names["aVR"] == "avr" and rec.original_units["I"] == "mV"
    peaks = [_peak_mv(rec.lead(n)) for n in CANONICAL_LEADS]
    assert 0.3 <= max(peaks) <= 5.0 and min(peaks) > 0.05, peaks
    # header comments: "# age: 81", "# sex: female", "# Reason for admission: Myocardial infarction"
    assert rec.meta.sex == "F" and rec.meta.age_years == 81
    assert rec.meta.extra["reason for admission"] == "Myocardial infarction"


def test_mitbih_two_leads_say_what_is_missing(samples: Path):
    rec = read_ecg(samples / "wfdb" / "100.hea")
    assert rec.lead_names == ("V5", "MLII")  # canonical leads first, then others
    assert rec.extra_leads == ("MLII",) and rec.derived_leads == ()
    assert rec.missing_leads == tuple(n for n in CANONICAL_LEADS if n != "V5")
    assert not rec.has_12_leads
    assert rec.fs_hz == 360.0 and rec.n_samples == 650000
    assert rec.duration_s == pytest.approx(650000 / 360)
    assert 0.3 <= _peak_mv(rec.lead("MLII")) <= 5.0
    assert 0.3 <= _peak_mv(rec.lead("V5")) <= 5.0


# --- PTB-XL: WFDB against the 100 Hz npz subset --------------------------------------------------

@pytest.fixture(scope="module")
def ptbxl_npz(shared_data: Path) -> dict[int, np.ndarray]:
    with np.load(shared_data / "ptbxl" / "ptbxl100_subset.npz") as npz:
        assert list(npz["leads"]) == list(CANONICAL_LEADS) and int(npz["fs"]) == 100
        ids = npz["ecg_id"]
        return {i: npz["X"][int(np.flatnonzero(ids == i)[0])].T.astype(np.float64) for i in PTBXL_IDS}


@pytest.mark.parametrize("ecg_id", PTBXL_IDS)
def test_ptbxl_lr_equals_npz(samples: Path, ptbxl_npz: dict[int, np.ndarray], ecg_id: int):
    rec = read_ecg(samples / "wfdb_ptbxl" / f"{ecg_id:05d}_lr.hea")
    ref_uv = ptbxl_npz[ecg_id]
    assert rec.standard_12().shape == ref_uv.shape
    # same samples to the microvolt (the npz is int16 uV; float32 mV rounds below 0.001 uV)
    np.testing.assert_allclose(rec.standard_12() * 1000.0, ref_uv, atol=0.01)


@pytest.mark.parametrize("ecg_id", PTBXL_IDS)
def test_ptbxl_hr_decimated_agrees_with_npz(samples: Path, ptbxl_npz: dict[int, np.ndarray],
                                            ecg_id: int):
    from scipy.signal import decimate

    rec = read_ecg(samples / "wfdb_ptbxl" / f"{ecg_id:05d}_hr.hea")
    assert rec.fs_hz == 500.0
    ours = decimate(rec.standard_12().astype(np.float64) * 1000.0, 5, axis=1, zero_phase=True)
    ref = ptbxl_npz[ecg_id]
    edge = 20  # 0.2 s at 100 Hz
    ours, ref = ours[:, edge:-edge], ref[:, edge:-edge]
    for i, lead in enumerate(CANONICAL_LEADS):
        corr = np.corrcoef(ours[i], ref[i])[0, 1]
        assert corr > 0.99, (lead, corr)
        ratio = _peak_mv(ours[i]) / _peak_mv(ref[i])
        assert 0.9 <= ratio <= 1.1, (lead, ratio)
    assert float(np.median(np.abs(ours - ref))) < 8.0  # uV
