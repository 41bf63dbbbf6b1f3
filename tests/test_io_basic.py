"""Readers that the suite can exercise on files it writes itself (meaningful on a fresh clone)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import wfdb

from ecg_viewer.core import CANONICAL_LEADS
from ecg_viewer.core.errors import (
    CorruptFileError,
    EcgReadError,
    EmptyFileError,
    FileTooLargeError,
    InvalidSignalError,
    NotAFileError,
    NoWaveformError,
    SamplingRateRequiredError,
    UnsupportedFormatError,
)
from ecg_viewer.io import read_ecg


def _synthetic_12(fs=500, seconds=4, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(int(fs * seconds)) / fs
    beats = np.exp(-(((t % 0.8) - 0.4) ** 2) / (2 * 0.01**2))  # 75 bpm spikes
    sig = np.stack([beats * (0.5 + 0.1 * i) + 0.01 * rng.standard_normal(t.size) for i in range(12)])
    # make the limb leads consistent with I and II
    i, ii = sig[0], sig[1]
    sig[2], sig[3], sig[4], sig[5] = ii - i, -(i + ii) / 2, i - ii / 2, ii - i / 2
    return sig.round(3)


def test_wfdb_round_trip(tmp_path: Path):
    sig = _synthetic_12()
    wfdb.wrsamp("rt", fs=500, units=["mV"] * 12, sig_name=list(CANONICAL_LEADS), p_signal=sig.T,
                fmt=["16"] * 12, adc_gain=[1000.0] * 12, baseline=[0] * 12, write_dir=str(tmp_path),
                comments=["Age: 63", "Sex: Female", "Dx: 164889003"])
    rec = read_ecg(tmp_path / "rt.hea")
    assert rec.format == "wfdb"
    assert rec.lead_names == CANONICAL_LEADS and rec.fs_hz == 500 and rec.n_samples == sig.shape[1]
    np.testing.assert_allclose(rec.signal_mv, sig, atol=1e-3)
    assert rec.meta.sex == "F" and rec.meta.age_years == 63
    assert rec.meta.extra["snomed_dx"] == ["164889003"]
    assert rec.derived_leads == ()
    # opening the signal file finds the same record
    assert read_ecg(tmp_path / "rt.dat").sha256 == rec.sha256


def test_wfdb_two_leads_derives_the_rest(tmp_path: Path):
    sig = _synthetic_12()[:2]
    wfdb.wrsamp("two", fs=250, units=["uV", "uV"], sig_name=["Lead I", "DII"], p_signal=sig.T * 1000,
                fmt=["16", "16"], adc_gain=[1.0, 1.0], baseline=[0, 0], write_dir=str(tmp_path))
    rec = read_ecg(tmp_path / "two.hea")
    assert rec.lead_names == CANONICAL_LEADS[:6]
    assert rec.derived_leads == ("III", "aVR", "aVL", "aVF")
    assert rec.original_names["I"] == "Lead I" and rec.original_units["II"] == "uV"
    np.testing.assert_allclose(rec.lead("III"), sig[1] - sig[0], atol=2e-3)
    assert rec.missing_leads == CANONICAL_LEADS[6:]


def test_wfdb_truncated_data_names_the_numbers(tmp_path: Path):
    sig = _synthetic_12()
    wfdb.wrsamp("tr", fs=500, units=["mV"] * 12, sig_name=list(CANONICAL_LEADS), p_signal=sig.T,
                fmt=["16"] * 12, adc_gain=[1000.0] * 12, baseline=[0] * 12, write_dir=str(tmp_path))
    dat = tmp_path / "tr.dat"
    dat.write_bytes(dat.read_bytes()[: 12 * 2 * 700])
    with pytest.raises(InvalidSignalError, match="700 samples") as info:
        read_ecg(tmp_path / "tr.hea")
    assert "tr.hea" in info.value.message_ja and "想定" in info.value.message_ja


def test_csv_round_trip_with_rate_column_and_units(tmp_path: Path):
    sig = _synthetic_12(fs=250)
    header = ["fs_hz"] + [f"{n} (uV)" for n in CANONICAL_LEADS]
    rows = np.column_stack([np.full(sig.shape[1], 250.0), sig.T * 1000])
    path = tmp_path / "ecg.csv"
    np.savetxt(path, rows, delimiter=",", header=",".join(header), comments="", fmt="%.3f")
    rec = read_ecg(path)
    assert rec.format == "csv" and rec.fs_hz == 250 and rec.lead_names == CANONICAL_LEADS
    np.testing.assert_allclose(rec.signal_mv, sig, atol=1e-5)


def test_csv_rate_from_time_column_or_option(tmp_path: Path):
    sig = _synthetic_12(fs=200, seconds=2)[:2]
    t_ms = np.arange(sig.shape[1]) * 5.0
    path = tmp_path / "t.csv"
    np.savetxt(path, np.column_stack([t_ms, sig.T]), delimiter=";", header="time_ms;I;II", comments="")
    rec = read_ecg(path)
    assert rec.fs_hz == pytest.approx(200) and rec.derived_leads == ("III", "aVR", "aVL", "aVF")
    bare = tmp_path / "bare.csv"
    np.savetxt(bare, sig.T, delimiter=",", header="I,II", comments="")
    with pytest.raises(SamplingRateRequiredError) as info:
        read_ecg(bare)
    assert "サンプリング周波数" in info.value.message_ja
    assert read_ecg(bare, fs_hz=200).fs_hz == 200


@pytest.mark.parametrize(
    ("content", "name", "error"),
    [
        (b"", "empty.hea", EmptyFileError),
        (b"\x00\x01\x02garbage", "x.unknown", UnsupportedFormatError),
        # one NaN/inf is a gap in its lead (test_io_gaps.py); none valid at all is refused
        (b"I,II\nnan,nan\nnan,nan\n", "nan.csv", InvalidSignalError),
        (b"I,II,fs_hz\ninf,nan,500\n-inf,inf,500\n", "inf.csv", InvalidSignalError),
        (b"I,II,fs_hz\n1,2,500\n3,x,500\n", "text.csv", CorruptFileError),
        (b"name,age\n", "nowave.csv", NoWaveformError),
        (b"temperature,pressure,fs_hz\n1,2,500\n3,4,500\n", "notecg.csv", NoWaveformError),
        (b"rec 12 500 5000\nbroken line\n", "bad.hea", CorruptFileError),
    ],
)
def test_bad_files_raise_the_domain_error(tmp_path: Path, content, name, error):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(error) as info:
        read_ecg(path, fs_hz=500) if name.startswith("nan") else read_ecg(path)
    assert isinstance(info.value, ValueError)
    assert name in str(info.value) and name in info.value.message_ja


def test_directory_missing_and_huge_files(tmp_path: Path):
    with pytest.raises(NotAFileError):
        read_ecg(tmp_path)
    with pytest.raises(EcgReadError, match="not found|No such|no such"):
        read_ecg(tmp_path / "absent.hea")
    huge = tmp_path / "huge.edf"
    with open(huge, "wb") as fh:  # a sparse 2 GB file: refused before anything is read
        fh.truncate(2 * 1024**3)
    with pytest.raises(FileTooLargeError) as info:
        read_ecg(huge)
    assert "2048 MB" in info.value.message_ja


def test_source_files_are_never_written(tmp_path: Path, bundled_samples: Path):
    for f in ("00009_hr.hea", "00009_hr.dat"):
        shutil.copy(bundled_samples / f, tmp_path / f)
        os.chmod(tmp_path / f, 0o444)
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in tmp_path.iterdir()}
    read_ecg(tmp_path / "00009_hr.hea")
    after = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in tmp_path.iterdir()}
    assert before == after
