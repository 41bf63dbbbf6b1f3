"""The XML readers (HL7 aECG, Philips Sierra XML with XLI, GE MUSE XML) on every sample file.

Each sample opens with the lead count, rate and duration stated here (from the files' own
headers), amplitudes in a plausible mV range, metadata and the cart's measurements as the file
states them, and the same samples as a second decoder: the aECG digits and MUSE Base64 decoded
here straight from the XML times the file's own scale, and for Philips XLI the ``sierraecg``
package times the file's resolution. Hand-made bad files (truncated, no waveform, unequal or
non-numeric digits, another XML root, an entity declaration) give the domain error naming the file,
and hypothesis-mutated copies of one file per format give nothing but the domain error.
"""

from __future__ import annotations

import base64
import functools
import re
import tempfile
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from defusedxml import ElementTree as SafeET
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.ndimage import median_filter
from scipy.signal import find_peaks

from ecg_viewer.core.errors import (
    CorruptFileError,
    EcgReadError,
    InvalidSignalError,
    NoWaveformError,
    UnsupportedFormatError,
)
from ecg_viewer.core.leads import CANONICAL_LEADS, canonical_lead_name
from ecg_viewer.io import read_ecg
from ecg_viewer.io.philips_reader import _calibration_start
from ecg_viewer.io.registry import detect_format
from ecg_viewer.io.xml_common import DEVICE_MEASUREMENT_KEYS, root_tag

pytestmark = pytest.mark.shared_data

# the sample records are read once per session (EcgRecord is frozen); bad files are read afresh
_read = functools.lru_cache(maxsize=None)(read_ecg)

FOLDERS = ("hl7aecg", "philips_xml", "ge_muse")
EIGHT = ("I", "II", "V1", "V2", "V3", "V4", "V5", "V6")
# file -> (format, stored leads, fs_hz, n_samples)
EXPECTED: dict[str, tuple[str, tuple[str, ...], float, int]] = {
    "hl7aecg/fda_Example_aECG.xml": ("hl7aecg", CANONICAL_LEADS, 500.0, 5000),
    "hl7aecg/fda_ectd_subject1_0.xml": ("hl7aecg", CANONICAL_LEADS, 500.0, 5000),
    "hl7aecg/fda_minimum_aecg.xml": ("hl7aecg", ("II",), 500.0, 13),
    # Philips: 11 s stored, the last second a calibration pulse, removed -> 10 s
    "philips_xml/129DYPRG.xml": ("philips_xml", CANONICAL_LEADS, 500.0, 5000),
    "philips_xml/2020-5-18_15-48-11.xml": ("philips_xml", CANONICAL_LEADS, 500.0, 5000),
    "philips_xml/3191723_ZZDEMOPTONLY_1-04_orig.xml": ("philips_xml", CANONICAL_LEADS, 500.0, 5000),
    "philips_xml/ad4d3d80-d165_1-04_orig.xml": ("philips_xml", CANONICAL_LEADS, 500.0, 5000),
    "philips_xml/repbeats_example.xml": ("philips_xml", CANONICAL_LEADS, 500.0, 5000),
    "philips_xml/spxml_129DYPRG.XML": ("philips_xml", CANONICAL_LEADS, 500.0, 5000),
    "ge_muse/guangxi_teaching_sinus_rhythm.xml": ("ge_muse", EIGHT, 500.0, 5000),
    "ge_muse/synthetic_muse.xml": ("ge_muse", EIGHT, 500.0, 5000),
}
TWELVE_LEAD = [k for k, v in EXPECTED.items() if len(v[1]) >= 8]

_AECG_DM = dict(hr_bpm=None, rr_ms=None, pr_ms=148, p_ms=102, qrs_ms=120, qt_ms=420, qtc_ms=443,
                p_axis_deg=44, qrs_axis_deg=-61, t_axis_deg=86)
_P129_DM = dict(hr_bpm=41, rr_ms=1464, pr_ms=151, p_ms=None, qrs_ms=135, qt_ms=476, qtc_ms=393,
                p_axis_deg=66, qrs_axis_deg=-21, t_axis_deg=59)
_P129_INTERP = ("Sinus bradycardia", "Nonspecific intraventricular conduction delay",
                "Inferior infarct, acute (LCx)", ">>> Acute MI <<<")
# what each file says about the patient, the recording and the cart's own reading
META: dict[str, dict] = {
    "hl7aecg/fda_Example_aECG.xml": dict(
        patient_id="SBJ-123", sex="M", age_years=46.0, recorded_at=datetime(2002, 11, 22, 9, 10),
        device="Mortara Instrument, Inc. ELI250 (5.3)",
        filters={"lowpass_hz": 150.0, "notch_hz": 60.0}, interpretation=(), dm=_AECG_DM),
    "hl7aecg/fda_ectd_subject1_0.xml": dict(
        patient_id="subject1", sex="M", age_years=46.0, recorded_at=datetime(2002, 11, 22, 9, 10),
        device="Mortara Instrument, Inc. ELI250 (5.3)",
        filters={"lowpass_hz": 150.0, "notch_hz": 60.0}, interpretation=(), dm=_AECG_DM),
    "hl7aecg/fda_minimum_aecg.xml": dict(
        patient_id="SBJ-123", sex=None, age_years=None, recorded_at=datetime(2002, 11, 22, 9, 10),
        device=None, filters={}, interpretation=(), dm=dict.fromkeys(DEVICE_MEASUREMENT_KEYS)),
    "philips_xml/129DYPRG.xml": dict(
        patient_id="1112010721168bdc", sex="M", age_years=50.0,
        recorded_at=datetime(2011, 12, 1, 7, 27, 34), device="HeartstartMRx",
        filters={"highpass_hz": 0.05, "lowpass_hz": 150.0}, interpretation=_P129_INTERP, dm=_P129_DM),
    "philips_xml/repbeats_example.xml": dict(
        patient_id="1112010721168bdc", sex="M", age_years=50.0,
        recorded_at=datetime(2011, 12, 1, 7, 27, 34), device="HeartstartMRx",
        filters={"highpass_hz": 0.05, "lowpass_hz": 150.0}, interpretation=_P129_INTERP, dm=_P129_DM),
    "philips_xml/spxml_129DYPRG.XML": dict(
        patient_id="1112010721168bdc", sex="M", age_years=50.0,
        recorded_at=datetime(2011, 12, 1, 7, 27, 34), device="HeartstartMRx",
        filters={"highpass_hz": 0.05, "lowpass_hz": 150.0}, interpretation=_P129_INTERP, dm=_P129_DM),
    "philips_xml/2020-5-18_15-48-11.xml": dict(
        patient_id="xxxxxx", sex=None, age_years=69.0, recorded_at=datetime(2020, 5, 18, 15, 48, 11),
        device="Philips Medical Products PageWriter TC (A.07.04.03)",
        filters={"highpass_hz": 0.05, "lowpass_hz": 150.0},
        interpretation=("Sinus rhythm", "Abnormal R-wave progression, early transition"),
        dm=dict(hr_bpm=64, rr_ms=938, pr_ms=164, p_ms=104, qrs_ms=102, qt_ms=399, qtc_ms=412,
                p_axis_deg=27, qrs_axis_deg=22, t_axis_deg=80)),
    "philips_xml/3191723_ZZDEMOPTONLY_1-04_orig.xml": dict(
        patient_id="9999", sex="M", age_years=60.0, recorded_at=datetime(2010, 1, 19, 15, 19, 22),
        device="Philips Medical Products PageWriter Touch (A.01.01.01)",
        filters={"highpass_hz": 0.05, "lowpass_hz": 150.0},
        interpretation=("SINUS RHYTHM", "PROBABLE LEFT VENTRICULAR HYPERTROPHY",
                        "ANTERIOR ST ELEVATION, PROBABLY DUE TO LVH"),
        # the file's pdur 148 ms is longer than its PR 144 ms: not a P duration, not used
        dm=dict(hr_bpm=84, rr_ms=714, pr_ms=144, p_ms=None, qrs_ms=84, qt_ms=352, qtc_ms=417,
                p_axis_deg=81, qrs_axis_deg=78, t_axis_deg=67)),
    "philips_xml/ad4d3d80-d165_1-04_orig.xml": dict(
        patient_id="9999", sex="F", age_years=32.0, recorded_at=datetime(2008, 12, 23, 19, 44, 46),
        device="Philips Medical Products PageWriter Touch (C.01.02.00)",
        filters={"highpass_hz": 0.05, "lowpass_hz": 150.0},
        # the machine's own statements; the confirmed ones are kept apart
        interpretation=("SINUS BRADYCARDIA", "BASELINE WANDER IN LEAD(S) V3"),
        dm=dict(hr_bpm=41, rr_ms=1463, pr_ms=144, p_ms=None, qrs_ms=102, qt_ms=564, qtc_ms=466,
                p_axis_deg=19, qrs_axis_deg=85, t_axis_deg=53)),
    "ge_muse/guangxi_teaching_sinus_rhythm.xml": dict(
        patient_id="00000000", sex="M", age_years=11.0, recorded_at=datetime(2024, 1, 1, 10, 35, 17),
        device="MAC P (v1.0)", filters={"highpass_hz": 0.56, "lowpass_hz": 150.0, "notch_hz": 50.0},
        interpretation=("窦性心律", "ST段抬高（提示心室早期复极）", "正常心电图"),
        # P duration from POnset 158 / POffset 194 at 500 Hz
        dm=dict(hr_bpm=97, rr_ms=616, pr_ms=122, p_ms=72, qrs_ms=74, qt_ms=328, qtc_ms=417,
                p_axis_deg=31, qrs_axis_deg=63, t_axis_deg=49)),
    "ge_muse/synthetic_muse.xml": dict(
        patient_id="SYNTH0001", sex="M", age_years=45.0, recorded_at=datetime(2025, 8, 17, 9, 15, 11),
        device="MAC55 (1.02 SP05)", filters={"highpass_hz": 0.56, "lowpass_hz": 150.0, "notch_hz": 60.0},
        interpretation=("Sinus rhythm (synthetic example)",),
        dm=dict(hr_bpm=72, rr_ms=None, pr_ms=144, p_ms=82, qrs_ms=86, qt_ms=402, qtc_ms=440,
                p_axis_deg=60, qrs_axis_deg=45, t_axis_deg=40)),
}


def _peak_mv(x: np.ndarray, fs: float) -> float:
    """Largest deflection from a 0.6 s running-median baseline (drift does not count)."""
    base = median_filter(x.astype(np.float64), size=int(0.6 * fs) | 1, mode="nearest")
    return float(np.percentile(np.abs(x - base), 99.9))


def _local(el) -> str:
    return el.tag.split("}", 1)[-1]


# --- every sample file ------------------------------------------------------------------------

def test_every_sample_file_is_described(samples: Path):
    files = {f"{d}/{p.name}" for d in FOLDERS for p in (samples / d).iterdir() if p.is_file()}
    assert files == set(EXPECTED) == set(META), "a sample file was added or removed: describe it here"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_opens(samples: Path, name: str):
    fmt, stored, fs, n = EXPECTED[name]
    path = samples / name
    before = path.read_bytes()
    rec = _read(path)
    assert path.read_bytes() == before  # never written
    assert rec.format == fmt and detect_format(path).name == fmt
    assert rec.fs_hz == fs and rec.n_samples == n
    assert rec.duration_s == pytest.approx(n / fs)
    assert set(rec.stored_leads) == set(stored)
    assert np.isfinite(rec.signal_mv).all() and rec.signal_mv.dtype == np.float32
    if len(stored) >= 8:
        assert rec.lead_names == CANONICAL_LEADS and rec.has_12_leads
    if stored == EIGHT:
        assert rec.derived_leads == ("III", "aVR", "aVL", "aVF")
        i, ii = rec.lead("I"), rec.lead("II")
        np.testing.assert_allclose(rec.lead("III"), ii - i, atol=1e-5)
        np.testing.assert_allclose(rec.lead("aVR"), -(i + ii) / 2, atol=1e-5)
        np.testing.assert_allclose(rec.lead("aVL"), i - ii / 2, atol=1e-5)
        np.testing.assert_allclose(rec.lead("aVF"), ii - i / 2, atol=1e-5)
    else:
        assert rec.derived_leads == ()


@pytest.mark.parametrize("name", TWELVE_LEAD)
def test_amplitudes_are_plausible_mv(samples: Path, name: str):
    rec = _read(samples / name)
    peaks = {lead: _peak_mv(rec.lead(lead), rec.fs_hz) for lead in rec.lead_names}
    assert 0.3 <= max(peaks.values()) <= 5.0, peaks  # QRS peaks in mV, not uV or V
    assert all(p < 5.0 for p in peaks.values()), peaks
    # limb leads obey Einthoven whether stored (aECG, Philips) or derived (MUSE)
    err = np.abs(rec.lead("III") - (rec.lead("II") - rec.lead("I")))
    assert np.median(err) < 0.02 and err.max() < 0.1


@pytest.mark.parametrize("name", sorted(META))
def test_metadata_and_device_measurements(samples: Path, name: str):
    want = META[name]
    meta = _read(samples / name).meta
    for key in ("patient_id", "sex", "age_years", "recorded_at", "device", "filters", "interpretation"):
        assert getattr(meta, key) == want[key], key
    dm = meta.extra["device_measurements"]
    assert tuple(dm) == DEVICE_MEASUREMENT_KEYS
    assert dm == want["dm"]
    assert meta.to_dict()["extra"]["device_measurements"] == want["dm"]  # JSON-able


def test_overread_statements_are_kept_apart(samples: Path):
    meta = _read(samples / "philips_xml/ad4d3d80-d165_1-04_orig.xml").meta
    assert meta.extra["overread_interpretation"] == [
        "SINUS BRADYCARDIA", "NO PREVIOUS TRACING AVAILABLE FOR COMPARISON"]
    assert meta.extra["overread_by"].startswith("Masoudi")
    muse = _read(samples / "ge_muse/guangxi_teaching_sinus_rhythm.xml").meta
    assert muse.extra["overread_interpretation"] == ["窦性心律", "ST段抬高（提示心室早期复極）".replace("極", "极")]
    assert muse.birth_date is None and muse.extra["birth_date_in_file"] == "1900-01-01"  # placeholder


def test_muse_crc(samples: Path, tmp_path: Path):
    assert _read(samples / "ge_muse/guangxi_teaching_sinus_rhythm.xml").meta.extra["checksum_valid"]
    synthetic = _read(samples / "ge_muse/synthetic_muse.xml").meta.extra
    assert synthetic["checksum_valid"] is None  # its writer stored CRC 0: not stated
    # one sample changed in a rhythm lead whose CRC is stored: refused, not shown as the ECG
    raw = (samples / "ge_muse/guangxi_teaching_sinus_rhythm.xml").read_bytes()
    start = raw.index(b"<WaveFormData>", raw.index(b"<WaveformType>Rhythm")) + len(b"<WaveFormData>")
    i = start + 100
    changed = raw[:i] + (b"B" if raw[i:i + 1] != b"B" else b"C") + raw[i + 1:]
    p = tmp_path / "muse_crc.xml"
    p.write_bytes(changed)
    with pytest.raises(CorruptFileError, match="CRC32"):
        read_ecg(p)


def test_minimum_aecg_opens_with_what_it_has(samples: Path):
    """1 lead, 13 samples: a complete, valid aECG; it opens as it is and says what is missing."""
    rec = _read(samples / "hl7aecg/fda_minimum_aecg.xml")
    assert rec.lead_names == ("II",) and rec.n_samples == 13
    assert rec.missing_leads == tuple(x for x in CANONICAL_LEADS if x != "II")
    digits = [-2, -2, -2, -2, -3, -4, -3, -5, -5, -4, -6, -9, -9]
    np.testing.assert_allclose(rec.lead("II"), np.array(digits) * 2.5e-3, atol=1e-7)
    assert rec.original_names == {"II": "MDC_ECG_LEAD_II"} and rec.original_units == {"II": "uV"}


# --- against a second decoder -----------------------------------------------------------------

@pytest.mark.parametrize("name", [k for k in EXPECTED if k.startswith("hl7aecg/")])
def test_aecg_matches_digits_times_scale(samples: Path, name: str):
    root = SafeET.parse(samples / name).getroot()
    series = next(s for s in root.iter() if _local(s) == "series")
    seq_set = next(s for s in series.iter() if _local(s) == "sequenceSet")
    rec = _read(samples / name)
    checked = 0
    for seq in (s for s in seq_set.iter() if _local(s) == "sequence"):
        code = next(c for c in seq if _local(c) == "code").get("code")
        if not code.startswith("MDC_ECG_LEAD_"):
            continue
        value = next(c for c in seq if _local(c) == "value")
        parts = {_local(c): c for c in value}
        scale_uv = float(parts["scale"].get("value"))
        assert parts["scale"].get("unit") == "uV"
        origin_uv = float(parts["origin"].get("value"))
        want_mv = (origin_uv + scale_uv * np.array(parts["digits"].text.split(), float)) / 1000
        lead = next(k for k, v in rec.original_names.items() if v == code)
        np.testing.assert_allclose(rec.lead(lead), want_mv, atol=1e-6)
        checked += 1
    assert checked == len(rec.stored_leads)


@pytest.mark.parametrize("name", [k for k in EXPECTED if k.startswith("philips_xml/")])
def test_philips_matches_sierraecg(samples: Path, name: str):
    import sierraecg

    ref = sierraecg.read_file(str(samples / name))
    raw = (samples / name).read_bytes()
    text = raw.decode("utf-16" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8")
    uv_per_count = float(re.search(r"<(?:signal)?resolution>\s*([\d.]+)\s*<", text).group(1))
    rec = _read(samples / name)
    assert [lead.label for lead in ref.leads] == list(CANONICAL_LEADS)
    for lead in ref.leads:
        counts = np.asarray(lead.samples, dtype=np.float64)
        assert len(counts) == 5500  # 11 s stored
        np.testing.assert_allclose(rec.lead(lead.label), counts[:5000] * uv_per_count / 1000, atol=1e-6)
        # what was cut is the calibration pulse: 1 mV on every lead at 10.7-10.9 s
        assert np.all(counts[5350:5450] * uv_per_count / 1000 == 1.0)


@pytest.mark.parametrize("name", [k for k in EXPECTED if k.startswith("ge_muse/")])
def test_muse_matches_base64_times_scale(samples: Path, name: str):
    root = SafeET.parse(samples / name).getroot()
    rhythm = next(w for w in root.findall("Waveform") if w.findtext("WaveformType") == "Rhythm")
    rec = _read(samples / name)
    for ld in rhythm.findall("LeadData"):
        counts = np.frombuffer(base64.b64decode(ld.findtext("WaveFormData")), dtype="<i2")
        assert ld.findtext("LeadAmplitudeUnits") == "MICROVOLTS"
        uv = float(ld.findtext("LeadAmplitudeUnitsPerBit"))
        np.testing.assert_allclose(rec.lead(ld.findtext("LeadID")), counts * uv / 1000, atol=1e-6)


def _beats(rec) -> np.ndarray:
    """QRS positions: peaks of the summed absolute slope of all leads."""
    energy = np.abs(np.diff(rec.signal_mv.astype(np.float64), axis=1)).sum(0)
    peaks, _ = find_peaks(energy, distance=int(0.3 * rec.fs_hz), height=np.percentile(energy, 99) * 0.4)
    return peaks


@pytest.mark.parametrize("name", [k for k in EXPECTED if k.startswith("philips_xml/")])
def test_philips_amplitudes_match_the_carts_own_qrs_peak_to_peak(samples: Path, name: str):
    """Independent of the decoder: the cart's per-lead QRS peak-to-peak (uV) vs our beats."""
    rec = _read(samples / name)
    root = SafeET.parse(samples / name).getroot()
    ppk = {el.get("leadname"): float(el.findtext("{*}qrsppk")) for el in root.iter()
           if _local(el) == "leadmeasurement" and el.findtext("{*}qrsppk")}
    beats, w = _beats(rec), int(0.06 * rec.fs_hz)
    ratios = []
    for lead, uv in ppk.items():
        x = rec.lead(lead)
        ours = np.median([np.ptp(x[p - w:p + w]) for p in beats if w < p < rec.n_samples - w])
        ratios.append(ours * 1000 / uv)
    assert len(ratios) == 12 and 0.95 < np.median(ratios) < 1.08, ratios
    assert sum(0.85 < r < 1.2 for r in ratios) >= 11, ratios  # right scale and lead order


def test_muse_amplitudes_match_the_carts_own_r_amplitudes(samples: Path):
    name = "ge_muse/guangxi_teaching_sinus_rhythm.xml"
    rec = _read(samples / name)
    root = SafeET.parse(samples / name).getroot()
    r_uv = {canonical_lead_name(m.findtext("AmplitudeMeasurementLeadID")):
            float(m.findtext("AmplitudeMeasurementPeak")) for m in root.iter("MeasuredAmplitude")
            if m.findtext("AmplitudeMeasurementWaveID") == "IE_R"}
    beats, w, pre = _beats(rec), int(0.06 * rec.fs_hz), int(0.08 * rec.fs_hz)
    checked = 0
    for lead in ("I", "II", "III", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"):  # III, aVF derived
        x = rec.lead(lead)
        ours = np.median([x[p - w:p + w].max() - np.median(x[p - w - pre:p - w])
                          for p in beats if w + pre < p < rec.n_samples - w])
        assert ours * 1000 == pytest.approx(r_uv[lead], rel=0.08), lead
        checked += 1
    assert checked == 10


def test_calibration_detector_leaves_ecg_alone():
    fs = 500.0
    t = np.arange(int(11 * fs)) / fs
    i, ii = np.sin(2 * np.pi * 1.2 * t), 0.7 * np.cos(2 * np.pi * 1.2 * t)
    rows = [i, ii, ii - i, -(i + ii) / 2]
    assert _calibration_start(rows, fs) is None
    cal = [r.copy() for r in rows]
    for r in cal:
        r[5350:5450] = 1.0
    assert _calibration_start(cal, fs) == 5000
    assert _calibration_start([r[:5000] for r in cal], fs) is None  # a 10 s record is left whole


def test_root_sniffing(samples: Path):
    head = (samples / "philips_xml/2020-5-18_15-48-11.xml").read_bytes()[:4096]  # UTF-16
    assert root_tag(head) == "restingecgdata"
    assert root_tag(b"<?xml version='1.0'?><!-- c --><!DOCTYPE x><v3:AnnotatedECG/>") == "AnnotatedECG"
    assert root_tag(b"\x00\x01binary") is None


def test_root_beyond_the_first_4k_is_found(samples: Path, tmp_path: Path):
    body = (samples / "ge_muse/synthetic_muse.xml").read_text(encoding="utf-8", errors="strict")
    body = re.sub(r"^<\?xml[^>]*\?>", "", body.lstrip("\ufeff"))
    p = tmp_path / "long_comment.xml"
    p.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!--' + "x" * 6000 + "-->\n" + body,
                 encoding="utf-8")
    rec = read_ecg(p)
    assert rec.format == "ge_muse" and rec.n_samples == 5000


# --- bad input --------------------------------------------------------------------------------

_MIN_SEQ = """<component><sequence classCode="OBS">
 <code code="{code}" codeSystem="2.16.840.1.113883.6.24"/>
 <value xsi:type="SLIST_PQ"><origin value="0" unit="uV"/><scale value="2.5" unit="uV"/>
 <digits>{digits}</digits></value></sequence></component>"""


def _minimum_with(samples: Path, digits_ii: str, extra: str = "") -> str:
    text = (samples / "hl7aecg/fda_minimum_aecg.xml").read_text(encoding="utf-8")
    text = re.sub(r"<digits>[^<]*</digits>", f"<digits>{digits_ii}</digits>", text)
    return text.replace("</sequenceSet>", extra + "</sequenceSet>")


def _bad_files(samples: Path) -> dict[str, tuple[bytes, type[EcgReadError]]]:
    aecg = (samples / "hl7aecg/fda_Example_aECG.xml").read_bytes()
    philips = (samples / "philips_xml/129DYPRG.xml").read_bytes()
    muse = (samples / "ge_muse/synthetic_muse.xml").read_bytes()
    twelve = " ".join(["1"] * 12)
    return {
        "aecg_truncated.xml": (aecg[: len(aecg) // 2], CorruptFileError),
        "philips_truncated.xml": (philips[: len(philips) // 2], CorruptFileError),
        "muse_truncated.xml": (muse[:40000], CorruptFileError),
        "aecg_no_waveform.xml": (b'<?xml version="1.0"?><AnnotatedECG xmlns="urn:hl7-org:v3">'
                                 b'<id root="1"/><component><series><code code="RHYTHM"/></series>'
                                 b"</component></AnnotatedECG>", NoWaveformError),
        "philips_no_waveform.xml": (b"<restingecgdata><documentinfo><documenttype>PhilipsECG"
                                    b"</documenttype><documentversion>1.04</documentversion>"
                                    b"</documentinfo><waveforms/></restingecgdata>", NoWaveformError),
        "muse_no_waveform.xml": (b"<RestingECG><PatientDemographics><PatientID>1</PatientID>"
                                 b"</PatientDemographics></RestingECG>", NoWaveformError),
        "aecg_unequal_digits.xml": (_minimum_with(samples, " ".join(["-2"] * 13), _MIN_SEQ.format(
            code="MDC_ECG_LEAD_I", digits=twelve)).encode(), InvalidSignalError),
        "aecg_non_numeric.xml": (_minimum_with(samples, "-2 -2 x7 -2").encode(), InvalidSignalError),
        "aecg_empty_digits.xml": (_minimum_with(samples, "  ").encode(), NoWaveformError),
        "other_root.xml": (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
                           UnsupportedFormatError),
        "not_xml.xml": (b"\x00\x01\x02 this is not XML at all", UnsupportedFormatError),
        "entities.xml": (b'<?xml version="1.0"?><!DOCTYPE AnnotatedECG [<!ENTITY a "aaaaaaaa">]>'
                         b"<AnnotatedECG>&a;&a;</AnnotatedECG>", CorruptFileError),
        "muse_no_unit.xml": (re.sub(rb"<LeadAmplitudeUnits>[^<]*</LeadAmplitudeUnits>", b"", muse),
                             InvalidSignalError),
        "aecg_no_time_base.xml": (re.sub(r'<increment value="0.002" unit="s"/>', "", _minimum_with(
            samples, "-2 -2 -2")).encode(), CorruptFileError),
        "muse_bad_base64.xml": (re.sub(rb"<WaveFormData>[^<]{10}", b"<WaveFormData>!!!!@@@@##",
                                       muse, count=1), CorruptFileError),
    }


def test_oversized_xml_is_refused_before_parsing(samples: Path, tmp_path: Path, monkeypatch):
    from ecg_viewer.core.errors import FileTooLargeError
    from ecg_viewer.io import xml_common

    monkeypatch.setattr(xml_common, "MAX_XML_BYTES", 1000)
    p = tmp_path / "big.xml"
    p.write_bytes((samples / "ge_muse/synthetic_muse.xml").read_bytes())
    with pytest.raises(FileTooLargeError, match="big.xml"):
        read_ecg(p)


def test_bad_xml_files_give_the_domain_error(samples: Path, tmp_path: Path):
    for fname, (data, err) in _bad_files(samples).items():
        p = tmp_path / fname
        p.write_bytes(data)
        with pytest.raises(err) as info:
            read_ecg(p)
        assert str(p) in str(info.value), fname
        assert str(p) in info.value.message_ja, fname


# --- fuzz: mutated copies of one real file per format ---------------------------------------

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
FUZZ_SOURCES = ("hl7aecg/fda_minimum_aecg.xml", "hl7aecg/fda_ectd_subject1_0.xml",
                "philips_xml/129DYPRG.xml", "ge_muse/synthetic_muse.xml")


@FUZZ
@given(which=st.sampled_from(FUZZ_SOURCES), pos=st.floats(0, 1), cut=st.booleans(),
       junk=st.binary(min_size=1, max_size=48))
def test_mutated_xml_gives_only_the_domain_error(samples: Path, which: str, pos: float, cut: bool,
                                                 junk: bytes):
    raw = (samples / which).read_bytes()
    i = int(pos * len(raw))
    data = raw[:i] if cut else raw[:i] + junk + raw[i + len(junk):]
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / Path(which).name
        p.write_bytes(data)
        try:
            rec = read_ecg(p)
        except EcgReadError as exc:
            assert str(p) in str(exc)
            return
        assert rec.n_samples > 0 and rec.fs_hz > 0 and np.isfinite(rec.signal_mv).all()
