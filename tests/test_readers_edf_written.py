"""The EDF reader on files the test writes itself with ``edfio`` (runs on a fresh clone too).

Covers what the shared EDF samples do not: standard leads under EDF's usual "ECG I" labels
(canonical mapping, derived limb leads), channels at another rate or in another unit next to
the ECG (left out and listed), and files with nothing to show.
"""

from __future__ import annotations

from pathlib import Path

import edfio
import numpy as np
import pytest

from ecg_viewer.core.errors import EcgReadError, NoWaveformError
from ecg_viewer.io import read_ecg

FS = 500
T = np.arange(FS * 10) / FS
LEAD_I_MV = 0.8 * np.sin(2 * np.pi * 1.2 * T) + 0.3 * np.sin(2 * np.pi * 7 * T)
LEAD_II_MV = 1.1 * np.cos(2 * np.pi * 1.2 * T)
V1_MV = -0.6 * np.sin(2 * np.pi * 1.2 * T + 0.5)


def _uv(x: np.ndarray, label: str) -> edfio.EdfSignal:
    return edfio.EdfSignal(x * 1000.0, FS, label=label, physical_dimension="uV",
                           physical_range=(-5000, 5000))


def _holter_like(path: Path) -> Path:
    t_eeg = np.arange(100 * 10) / 100
    edf = edfio.Edf(
        [
            _uv(LEAD_I_MV, "ECG I"),
            _uv(LEAD_II_MV, "ECG II"),
            edfio.EdfSignal(V1_MV, FS, label="V1", physical_dimension="mV", physical_range=(-5, 5)),
            edfio.EdfSignal(np.sin(T), FS, label="Resp", physical_dimension="Ohm", physical_range=(-2, 2)),
            edfio.EdfSignal(np.full(10, 36.5), 1, label="Temp", physical_dimension="degC",
                            physical_range=(30, 45)),
            edfio.EdfSignal(50 * np.sin(t_eeg), 100, label="EEG Fz", physical_dimension="uV",
                            physical_range=(-100, 100)),
        ],
        annotations=[edfio.EdfAnnotation(1.0, None, "button pressed")],
    )
    edf.write(path)
    return path


def test_ecg_leads_open_in_mv_with_their_edf_names(tmp_path: Path):
    rec = read_ecg(_holter_like(tmp_path / "holter.edf"))
    assert rec.format == "edf" and rec.fs_hz == FS and rec.n_samples == T.size
    assert rec.lead_names == ("I", "II", "III", "aVR", "aVL", "aVF", "V1")
    assert rec.derived_leads == ("III", "aVR", "aVL", "aVF")
    assert rec.original_names == {"I": "ECG I", "II": "ECG II", "V1": "V1"}
    assert rec.original_units == {"I": "uV", "II": "uV", "V1": "mV"}
    # within the EDF quantisation (16 bits over +-5 mV: 0.15 uV)
    np.testing.assert_allclose(rec.lead("I"), LEAD_I_MV, atol=2e-4)
    np.testing.assert_allclose(rec.lead("II"), LEAD_II_MV, atol=2e-4)
    np.testing.assert_allclose(rec.lead("V1"), V1_MV, atol=2e-4)
    np.testing.assert_allclose(rec.lead("III"), LEAD_II_MV - LEAD_I_MV, atol=4e-4)


def test_other_units_and_rates_are_left_out_and_listed(tmp_path: Path):
    rec = read_ecg(_holter_like(tmp_path / "holter.edf"))
    assert rec.meta.extra["dropped_channels"] == ["Resp (Ohm)", "Temp (degC)", "EEG Fz (100 Hz)"]
    assert rec.meta.extra["edf_annotations"] == [
        {"onset_s": 1.0, "duration_s": None, "text": "button pressed"}]


def test_non_ecg_voltage_channels_keep_their_names(tmp_path: Path):
    path = tmp_path / "eeg.edf"
    edfio.Edf([_uv(LEAD_I_MV / 10, "EEG Fpz-Cz"), _uv(LEAD_II_MV / 10, "EOG horizontal")]).write(path)
    rec = read_ecg(path)
    assert rec.lead_names == ("EEG Fpz-Cz", "EOG horizontal")
    assert rec.missing_leads == ("I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4",
                                 "V5", "V6")


def test_only_non_voltage_channels_is_no_waveform(tmp_path: Path):
    path = tmp_path / "spo2.edf"
    edfio.Edf([edfio.EdfSignal(np.full(10, 97.0), 1, label="SpO2", physical_dimension="%",
                               physical_range=(0, 100))]).write(path)
    with pytest.raises(NoWaveformError, match="spo2.edf"):
        read_ecg(path)


def test_only_annotations_is_no_waveform(tmp_path: Path):
    path = tmp_path / "notes.edf"
    edfio.Edf([], annotations=[edfio.EdfAnnotation(0.0, None, "start")]).write(path)
    with pytest.raises(NoWaveformError, match="Annotations"):
        read_ecg(path)


def test_written_file_cut_short_is_a_domain_error(tmp_path: Path):
    path = _holter_like(tmp_path / "cut.edf")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 1000])
    with pytest.raises(EcgReadError, match="cut.edf"):
        read_ecg(path)
