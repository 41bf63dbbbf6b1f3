"""Issue 16, groups 1, 2 and 7 (FIFO, warnings): header numbers are parsed and validated, never
replaced by a default; low rates are refused, never a traceback. Real sample files are copied
into tmp_path and mutated there."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from ecg_viewer.core.errors import (
    EcgReadError,
    FileTooLargeError,
    HeaderValueError,
    ImplausibleAmplitudeError,
    NotARegularFileError,
)
from ecg_viewer.core.record import EcgRecord
from ecg_viewer.io import read_ecg
from ecg_viewer.signal.filters import FilterSettings, apply_filters
from ecg_viewer.signal.quality import assess_quality

ROOT = Path(__file__).resolve().parents[1]


def _wfdb(samples: Path, tmp: Path, name: str = "00001_lr", folder: str = "wfdb_ptbxl") -> Path:
    for f in (samples / folder).glob(f"{name}.*"):
        shutil.copy(f, tmp / f.name)
    return tmp / f"{name}.hea"


def _set_rate(hea: Path, token: str) -> None:
    lines = hea.read_text().splitlines()
    i = next(k for k, ln in enumerate(lines) if ln.strip() and not ln.startswith("#"))
    parts = lines[i].split()
    parts[2] = token
    lines[i] = " ".join(parts)
    hea.write_text("\n".join(lines) + "\n")


def _set_gain(hea: Path, signal: int, gain: str) -> None:
    lines = hea.read_text().splitlines()
    sig = [k for k, ln in enumerate(lines) if ln.strip() and not ln.startswith("#")][1:]
    parts = lines[sig[signal]].split()
    parts[2] = re.sub(r"^[^(/]*", gain, parts[2])
    lines[sig[signal]] = " ".join(parts)
    hea.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("token", ["nan", "-500", "inf", "x", "+5", "1e3", "0", ""])
def test_wfdb_rate_that_does_not_parse_is_refused_not_250(samples, tmp_path, token):
    hea = _wfdb(samples, tmp_path)
    if token:
        _set_rate(hea, token)
    else:  # no rate at all: WFDB would assume 250 Hz
        lines = hea.read_text().splitlines()
        lines[0] = " ".join(lines[0].split()[:2])
        hea.write_text("\n".join(lines) + "\n")
    with pytest.raises(HeaderValueError) as err:
        read_ecg(hea)
    assert "sampling" in err.value.field
    assert str(hea) in err.value.message_en and str(hea) in err.value.message_ja
    assert "推測" in err.value.message_ja


def test_wfdb_gain_zero_is_uncalibrated_not_200(samples, tmp_path):
    hea = _wfdb(samples, tmp_path)
    _set_gain(hea, 0, "0")
    with pytest.raises(HeaderValueError) as err:
        read_ecg(hea)
    assert err.value.field == "signal 1 ADC gain" and err.value.value == "0"


def test_wfdb_tiny_gain_on_one_lead_is_an_implausible_amplitude(samples, tmp_path):
    hea = _wfdb(samples, tmp_path)
    _set_gain(hea, 6, "1e-7")  # V1
    with pytest.raises(ImplausibleAmplitudeError) as err:
        read_ecg(hea)
    assert err.value.lead == "V1" and err.value.peak_mv > 1e6


def test_wfdb_untouched_sample_still_reads_the_same(samples, tmp_path):
    rec = read_ecg(_wfdb(samples, tmp_path, "100", "wfdb"))  # MIT-BIH: 360 Hz, comment line first
    assert rec.fs_hz == 360 and rec.n_samples == 650000 and rec.lead_names == ("V5", "MLII")


def test_hl7_scale_nan_is_refused_not_1uv(samples, tmp_path):
    p = tmp_path / "a.xml"
    text = (samples / "hl7aecg" / "fda_Example_aECG.xml").read_text(encoding="utf-8")
    p.write_text(text.replace('<scale value="2.5"', '<scale value="nan"', 1), encoding="utf-8")
    with pytest.raises(HeaderValueError) as err:
        read_ecg(p)
    assert err.value.field.endswith("scale") and err.value.value == "nan"


def test_hl7_minimal_13_sample_file_still_opens_and_is_gated(samples):
    rec = read_ecg(samples / "hl7aecg" / "fda_minimum_aecg.xml")
    assert rec.n_samples == 13 and rec.fs_hz == 500
    assert not assess_quality(rec).ok


def test_values_of_1e300_are_refused_and_info_json_is_strict_json(samples, tmp_path):
    p = tmp_path / "a.xml"
    text = (samples / "hl7aecg" / "fda_Example_aECG.xml").read_text(encoding="utf-8")
    p.write_text(re.sub(r"(<digits>\s*)(\S+)", r"\g<1>1e300", text, count=1), encoding="utf-8")
    with pytest.raises(ImplausibleAmplitudeError):
        read_ecg(p)
    # the JSON a record prints never holds NaN/Infinity (strict JSON)
    rec = read_ecg(samples / "wfdb_ptbxl" / "00001_lr.hea")
    rec.meta.extra["probe"] = float("inf")
    json.dumps(rec.summary(), allow_nan=False)


@pytest.mark.parametrize("tag", ["SampleBase"])
def test_muse_sample_base_plus_5_is_refused(samples, tmp_path, tag):
    p = tmp_path / "m.xml"
    text = (samples / "ge_muse" / "guangxi_teaching_sinus_rhythm.xml").read_text(encoding="utf-8")
    p.write_text(text.replace(f"<{tag}>500</{tag}>", f"<{tag}>+5</{tag}>"), encoding="utf-8")
    with pytest.raises(HeaderValueError):
        read_ecg(p)


def test_philips_samplingrate_plus_5_is_refused(samples, tmp_path):
    p = tmp_path / "p.xml"
    raw = (samples / "philips_xml" / "129DYPRG.xml").read_bytes()
    p.write_bytes(raw.replace(b"<samplingrate>500</samplingrate>", b"<samplingrate>+5</samplingrate>"))
    with pytest.raises(HeaderValueError) as err:
        read_ecg(p)
    assert err.value.field == "samplingrate" and err.value.value == "+5"


def test_csv_rate_10_hz_is_refused(tmp_path):
    p = tmp_path / "e.csv"
    t = np.arange(200) / 10.0
    rows = "\n".join(f"10,{np.sin(x):.4f},{np.cos(x):.4f}" for x in t)
    p.write_text("fs_hz,I,II\n" + rows + "\n")
    with pytest.raises(HeaderValueError) as err:
        read_ecg(p)
    assert err.value.field == "fs_hz column"


def test_low_rate_record_built_in_code_is_gated_and_filters_do_not_raise():
    sig = np.random.default_rng(0).normal(0, 0.1, (12, 100)).astype(np.float32)
    from ecg_viewer.core.leads import CANONICAL_LEADS

    for fs in (1.0, 5.0, 10.0):
        rec = EcgRecord(signal_mv=sig, fs_hz=fs, lead_names=CANONICAL_LEADS)
        q = assess_quality(rec)
        assert not q.ok and q.problems[0].code == "rate_out_of_range"
        out = apply_filters(sig, fs, FilterSettings.diagnostic())
        assert out.shape == sig.shape and np.isfinite(out).all()


def test_fifo_is_not_called_a_folder(tmp_path):
    fifo = tmp_path / "pipe.hea"
    os.mkfifo(fifo)
    with pytest.raises(NotARegularFileError) as err:
        read_ecg(fifo)
    assert "フォルダ" not in err.value.message_ja and "FIFO" in err.value.message_en


def test_header_naming_a_huge_signal_file_is_refused_before_reading(samples, tmp_path):
    hea = _wfdb(samples, tmp_path)
    dat = tmp_path / "00001_lr.dat"
    with open(dat, "r+b") as fh:
        fh.truncate(int(1.8e9))  # sparse: costs no disk
    with pytest.raises(FileTooLargeError) as err:
        read_ecg(hea)
    assert "00001_lr.dat" in err.value.message_en


def test_big_random_header_is_refused_cheaply(tmp_path):
    hea = tmp_path / "r.hea"
    hea.write_bytes(os.urandom(2 << 20))
    with pytest.raises(FileTooLargeError):
        read_ecg(hea)


@pytest.mark.parametrize("case", ["gain0", "gain_tiny", "rate_1e3", "values_1e300", "csv_rate_nan"])
def test_refusals_print_no_python_warnings(samples, tmp_path, case):
    """The refusals of the issue leave no RuntimeWarning (with source paths) on the terminal
    (a CSV whose rate column is all NaN printed "RuntimeWarning: All-NaN slice encountered")."""
    if case == "csv_rate_nan":
        p = tmp_path / "n.csv"
        p.write_text("fs_hz,I,II\n" + "nan,0.1,0.2\n" * 50)
    elif case == "values_1e300":
        p = tmp_path / "a.xml"
        text = (samples / "hl7aecg" / "fda_Example_aECG.xml").read_text(encoding="utf-8")
        p.write_text(re.sub(r"(<digits>\s*)(\S+)", r"\g<1>1e300", text, count=1), encoding="utf-8")
    else:
        p = _wfdb(samples, tmp_path)
        if case == "rate_1e3":
            _set_rate(p, "1e3")
        else:
            _set_gain(p, 0, "0" if case == "gain0" else "1e-7")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(EcgReadError):
            read_ecg(p)
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)]


def test_info_json_cli_on_refusal_is_one_json_line(samples, tmp_path):
    hea = _wfdb(samples, tmp_path)
    _set_rate(hea, "nan")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-m", "ecg_viewer", "info", "--json", str(hea)],
                         capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 1
    assert "Traceback" not in out.stderr and "Warning" not in out.stderr
    doc = json.loads(out.stdout)
    assert "sampling frequency" in doc["error"] and not math.isnan(len(doc["error_ja"]))
