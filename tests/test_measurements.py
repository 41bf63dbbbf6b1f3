"""ECG measurements: real records against known values, synthetic beats with exactly known
intervals, and the hard cases (AF, paced, noisy, a flat or noisy lead, too few beats).

Tolerances come from ``bench/measurements.py`` (see the README): against the carts' own figures
the mean differences are within a few ms with SD ~9 ms (PR), ~13 ms (QRS), ~8 ms (QT).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from ecg_viewer.core.leads import CANONICAL_LEADS
from ecg_viewer.core.messages import MESSAGES
from ecg_viewer.core.record import EcgRecord
from ecg_viewer.io import read_ecg
from ecg_viewer.signal.beats import detect_beats
from ecg_viewer.signal.measure import INTERVAL_KEYS, Measurements, measure
from ecg_viewer.signal.synthetic import GAINS, synthetic
from ecg_viewer.signal.synthetic import lobe as _lobe

# --- synthetic ECG: half-sine waves with exactly known onsets and ends (signal/synthetic.py) --


def _qrs_axis_truth() -> float:
    """Frontal QRS axis of the synthetic beat from the exact net areas of I and II."""
    qrs = 90.0
    widths = (qrs * 0.2, qrs * 0.45, qrs * 0.35)  # half-sine area = amplitude * 2 * width / pi
    area = {k: sum(g * w for g, w in zip(GAINS[k][1:4], widths, strict=True)) for k in ("I", "II")}
    return math.degrees(math.atan2((2 * area["II"] - area["I"]) / math.sqrt(3), area["I"]))


# --- the result's form ----------------------------------------------------------------------
def test_to_dict_keys_and_reasons() -> None:
    m = measure(synthetic())
    d = m.to_dict()
    expected = set(INTERVAL_KEYS) | {
        "beats", "rr_sdnn_ms", "rr_rmssd_ms", "rr_irregularity", "rr_irregular", "rr_regular_share",
        "paced", "reasons",
        "confidence", "low_confidence", "confidence_reasons", "qtc_modified_ms", "range",
    }  # fmt: skip
    assert set(d) == expected
    assert {"hr_bpm", "rr_ms", "p_ms", "pr_ms", "qrs_ms", "qt_ms", "qtc_bazett_ms",
            "qtc_fridericia_ms", "p_axis_deg", "qrs_axis_deg", "t_axis_deg", "beats"} <= set(d)  # fmt: skip
    json.dumps(d)
    assert all(d[k] is not None for k in INTERVAL_KEYS), d["reasons"]
    assert d["reasons"] == {}
    # the median beat and the fiducial points, for drawing
    assert m.median is not None and m.median.beat_mv.shape[0] == 12
    f = m.fiducials_ms()
    assert f["p_on"] < f["p_off"] < f["qrs_on"] < 0 < f["qrs_off"] < f["t_peak"] < f["t_end"]


def _assert_reasons(m: Measurements) -> None:
    d = m.to_dict()
    for k in INTERVAL_KEYS:
        if d[k] is None:
            assert d["reasons"].get(k) in MESSAGES, (k, d["reasons"])
            assert m.reason_text(k, "ja")


# --- synthetic beats with exactly known intervals -------------------------------------------
@pytest.mark.parametrize(
    ("kw"),
    [
        {},
        {"hr": 100.0, "qt_ms": 320.0},
        {"hr": 45.0, "pr_ms": 220.0, "qt_ms": 440.0},
        {"fs": 250.0},
        {"fs": 1000.0},
    ],
)
def test_synthetic_known_intervals(kw: dict) -> None:
    truth = {"pr_ms": 160.0, "p_ms": 100.0, "qrs_ms": 90.0, "qt_ms": 380.0, "hr": 60.0, **kw}
    m = measure(synthetic(**kw))
    _assert_reasons(m)
    assert m.hr_bpm == pytest.approx(truth["hr"], abs=1.0)
    # These half-sine complexes start and stop abruptly, at their steepest slope (V2's S wave
    # returns at about 140 mV/s and stops within a sample), which any smoothing spreads outward:
    # the QRS reads 12-14 ms long (16-18 before the fine-scale refinement of the lead-wise
    # bounds) and PR up to 12 ms short (bench/measurements.py, README). The exact check is
    # test_synthetic_interval_changes_are_tracked_exactly.
    assert m.pr_ms == pytest.approx(truth["pr_ms"], abs=15)
    assert m.p_ms == pytest.approx(truth["p_ms"], abs=15)
    assert 0 <= m.qrs_ms - truth["qrs_ms"] <= 16
    # the T wave, a half-sine too, ends at a corner, which the T wave's 15 Hz low-pass
    # (tend.T_LOWPASS_HZ) rounds: the QT reads 12-18 ms long (8-12 before it)
    assert m.qt_ms == pytest.approx(truth["qt_ms"], abs=20)
    rr_s = 60.0 / truth["hr"]
    assert m.qtc_bazett_ms == pytest.approx(m.qt_ms / math.sqrt(rr_s), abs=2)
    assert m.qtc_fridericia_ms == pytest.approx(m.qt_ms / rr_s ** (1 / 3), abs=2)
    assert m.qrs_axis_deg == pytest.approx(_qrs_axis_truth(), abs=5)
    assert m.beats == pytest.approx(10.0 * truth["hr"] / 60.0, abs=2)
    assert m.rr_irregular is False
    assert m.paced is False


@pytest.mark.parametrize("qrs_ms", [90.0, 150.0])
def test_synthetic_qrs_bounds_are_not_spread_by_the_smoothing(qrs_ms: float) -> None:
    """The lead-wise QRS onset and end are refined on a fine scale: each within 8 ms of the
    exact truth (before: onset 8 ms early, end 10 ms late, from the 40 Hz low-pass and boxcars)."""
    m = measure(synthetic(qrs_ms=qrs_ms, qt_ms=qrs_ms + 290.0, noise_mv=0.0))
    fs = m.median.fs_hz

    def samples(ms: float) -> int:
        return int(round(ms * fs / 1000.0))

    # the R lobe's peak (the median's R) is Q + R/2 after the QRS onset (synthetic.py)
    on_true = -(samples(0.2 * qrs_ms) + samples(0.45 * qrs_ms) / 2) * 1000.0 / fs
    f = m.fiducials_ms()
    assert f["qrs_on"] == pytest.approx(on_true, abs=8)
    assert f["qrs_off"] == pytest.approx(on_true + qrs_ms, abs=8)


def test_synthetic_interval_changes_are_tracked_exactly() -> None:
    """Lengthening PR, QRS and QT by known amounts changes the measurement by that amount."""
    base = measure(synthetic())
    longer = measure(synthetic(pr_ms=220.0, qrs_ms=130.0, qt_ms=460.0))
    assert longer.pr_ms - base.pr_ms == pytest.approx(60, abs=6)
    assert longer.qrs_ms - base.qrs_ms == pytest.approx(40, abs=6)
    assert longer.qt_ms - base.qt_ms == pytest.approx(80, abs=8)


# --- hard cases -----------------------------------------------------------------------------
def test_paced_rhythm_is_measured_without_the_spikes() -> None:
    """Spikes are bridged before the median beat: the paced QRS and QT are measured, as carts do."""
    m = measure(synthetic(paced=True, qrs_ms=150.0, qt_ms=440.0))
    assert m.paced is True
    assert m.qrs_ms == pytest.approx(150, abs=25)
    assert m.qt_ms == pytest.approx(440, abs=25)
    assert m.qrs_axis_deg is not None
    assert m.hr_bpm == pytest.approx(60, abs=1)
    _assert_reasons(m)


def test_random_glitches_are_not_pacing(bundled_samples: Path) -> None:
    """QA 51: 20 isolated one-sample glitches (0.5-1 mV, random leads and times, as from a
    loose electrode or corrupted bytes) made a normal ECG 治療中（ペーシングスパイクあり） on 13
    of 30 random draws: some glitch fell in the 300 ms before half of the beats. A pacemaker
    fires at one delay before the QRS it captures."""
    from ecg_viewer.signal.pacing import detect_pacing

    rec = read_ecg(bundled_samples / "00009_hr.hea")
    base = rec.signal_mv.astype(np.float64)
    r = detect_beats(base, rec.fs_hz, rec.lead_names).r_peaks
    for seed in range(12):
        rng = np.random.default_rng(seed)
        x = base.copy()
        for _ in range(20):
            x[rng.integers(0, 12), rng.integers(0, x.shape[1])] += \
                rng.choice([-1, 1]) * rng.uniform(0.5, 1.0)
        assert not detect_pacing(x, rec.fs_hz, r), seed
    # spikes at one delay before every beat are pacing, a beat or two without one included
    x = base.copy()
    for k, rp in enumerate(r):
        if k % 5:
            x[3, rp - int(0.08 * rec.fs_hz)] += 2.0
    assert detect_pacing(x, rec.fs_hz, r)


def test_intervals_under_100_hz_are_of_low_confidence(bundled_samples: Path) -> None:
    """QA 51: a normal ECG resampled to 50 Hz read QRS 130 ms, plain, and raised 要経過観察
    (幅広いQRS); at 100 Hz it reads as at 500 Hz."""
    from scipy.signal import resample_poly

    from ecg_viewer.core.messages import tr

    rec = read_ecg(bundled_samples / "00009_hr.hea")
    for fs, low in ((50, True), (100, False)):
        x = resample_poly(rec.signal_mv.astype(np.float64), fs, int(rec.fs_hz), axis=1)
        m = measure(EcgRecord(x.astype(np.float32), float(fs), rec.lead_names))
        assert ("qrs_ms" in m.low_confidence) is low, fs
        assert ("hr_bpm" in m.low_confidence) is False  # the rate is not blunted
        if low:
            assert m.confidence_text("qrs_ms", "ja") == tr("meas.conf_low_rate", "ja")


def test_atrial_fibrillation_has_no_p_wave(bundled_samples: Path) -> None:
    """PTB-XL 17: atrial flutter / fibrillation (AFLT, AFIB)."""
    m = measure(read_ecg(bundled_samples / "00017_hr.hea"))
    assert m.p_ms is None and m.pr_ms is None and m.p_axis_deg is None
    assert m.reasons["pr_ms"] in ("meas.no_p_wave", "meas.no_p_wave_irregular")
    assert m.rr_irregular is True
    assert 140 <= m.hr_bpm <= 165
    assert m.qrs_ms is not None and m.qt_ms is not None
    _assert_reasons(m)


def test_isolated_premature_beats_do_not_make_the_rhythm_irregular(samples: Path) -> None:
    """CinC JS20003: sinus tachycardia (115/min) with one PAC (SNOMED 284470004). The short-long
    pair gave RMSSD / mean RR 0.185 (> 0.10), so the rhythm read as irregular, a P wave then
    needed more agreement than it had, and the record was suggested as atrial fibrillation.
    Two large successive RR differences of 17 are not an irregularly irregular rhythm."""
    from ecg_viewer.signal.rhythm import IRREGULAR_NRMSSD, irregular_share

    m = measure(read_ecg(samples / "wfdb_cinc2021" / "JS20003.hea"))
    assert m.rr_irregularity > IRREGULAR_NRMSSD and m.rr_irregular is False
    regular = np.full(17, 520.0)
    regular[8:10] = (350.0, 690.0)  # one premature beat and its pause
    assert irregular_share(regular) < 0.2
    rng = np.random.default_rng(0)  # irregularly irregular: most differences are large
    assert irregular_share(rng.uniform(400.0, 900.0, 20)) > 0.6


def test_the_regular_share_of_a_rhythm_with_premature_beats(samples: Path) -> None:
    """``rr_regular_share`` (reported, used by no rule): CinC JS20016, a regular 137/min with two
    PACs (RR 438 442 352 512 … 296 564 302 568 …), is called irregular (8 of 21 successive
    differences over 5 %), yet 73 % of its RR intervals share one length."""
    from ecg_viewer.signal.rhythm import REGULAR_DOMINANT_SHARE, regular_share

    path = samples / "wfdb_cinc2021" / "JS20016.hea"
    if not path.exists():
        pytest.skip("JS20016 is not in ../shared/data/samples/wfdb_cinc2021")
    m = measure(read_ecg(path))
    assert m.rr_irregular is True and m.rr_regular_share >= REGULAR_DOMINANT_SHARE
    rng = np.random.default_rng(1)  # irregularly irregular: no length most intervals share
    assert regular_share(rng.uniform(400.0, 900.0, 20)) < 0.35
    assert regular_share(np.array([440.0] * 16 + [300.0, 560.0] * 3)) == pytest.approx(16 / 22)
    # the P-wave bar and the referral rule read one value (QA 53: 0.595 against a rounded 0.6)
    from ecg_viewer.signal.beats import BeatDetection
    from ecg_viewer.signal.rhythm import premature_beats_only, rhythm

    rng = np.random.default_rng(3)
    rr = np.concatenate([np.full(25, 500.0), rng.uniform(300.0, 900.0, 17)])  # 25 of 42
    rng.shuffle(rr)
    det = BeatDetection(np.concatenate([[0], np.cumsum(rr)]).astype(int), 1000.0, 60000, ())
    vals = rhythm(det)
    assert vals["rr_regular_share"] == round(vals["rr_regular_share"], 2)
    assert premature_beats_only(vals) is (vals["rr_irregular"] and vals["rr_regular_share"] >= 0.6)


def test_too_few_beats_and_no_signal() -> None:
    short = synthetic(seconds=1.4)
    m = measure(short)
    assert m.beats < 2 and m.hr_bpm is None
    assert set(m.reasons) == set(INTERVAL_KEYS)
    assert set(m.reasons.values()) == {"meas.too_few_beats"}
    flat = EcgRecord(np.zeros((12, 5000), np.float32), 500.0, CANONICAL_LEADS)
    mf = measure(flat)
    assert mf.beats == 0 and all(getattr(mf, k) is None for k in INTERVAL_KEYS)
    assert set(mf.reasons.values()) == {"meas.no_signal"}
    # no samples at all: the same answer, not a filter's broadcasting error
    empty = EcgRecord(np.zeros((12, 0), np.float32), 500.0, CANONICAL_LEADS)
    me = measure(empty)
    assert me.beats == 0 and set(me.reasons.values()) == {"meas.no_signal"}
    assert set(me.beat_detection.leads_rejected.values()) == {"no_signal"}


def _with_lead(rec: EcgRecord, lead: str, values: np.ndarray) -> EcgRecord:
    sig = rec.signal_mv.copy()
    sig[rec.lead_names.index(lead)] = values
    return rec.with_signal(sig)


def test_flat_and_noisy_lead_do_not_break_detection(bundled_samples: Path) -> None:
    rec = read_ecg(bundled_samples / "HR06000.hea")
    ref = measure(rec)
    rng = np.random.default_rng(1)
    cases = {
        "flat V2": _with_lead(rec, "V2", np.zeros(rec.n_samples, np.float32)),
        "noisy V3": _with_lead(
            rec, "V3", rec.lead("V3") + rng.normal(0, 1.0, rec.n_samples).astype(np.float32)
        ),
    }
    for name, bad in cases.items():
        m = measure(bad)
        assert m.beats == ref.beats, name
        det, det_ref = m.beat_detection.r_peaks, ref.beat_detection.r_peaks
        assert np.max(np.abs(det - det_ref)) <= int(0.02 * rec.fs_hz), name
        assert m.hr_bpm == pytest.approx(ref.hr_bpm, abs=1), name
        for k, tol in (("pr_ms", 10), ("qrs_ms", 10), ("qt_ms", 20)):
            assert getattr(m, k) == pytest.approx(getattr(ref, k), abs=tol), (name, k)
    assert measure(cases["flat V2"]).beat_detection.leads_rejected == {"V2": "flat"}


@pytest.mark.parametrize("seed", [2, 3, 6])
def test_noisy_record_with_baseline_wander(bundled_samples: Path, seed: int) -> None:
    """0.05 mV broadband noise on every lead and 0.5 mV, 0.3 Hz baseline wander. (Record 00009's
    P wave is so low and flat that its onset moves ~35 ms with noise: HR06000 is used.) Before
    the T wave's magnitude was low-passed (``tend.T_LOWPASS_HZ``) the noise, rectified by the
    magnitude, put this low T wave's end 30-44 ms late with seeds 3 and 6 and, once the beats
    were aligned to a fraction of a sample, with seed 2 too. (Seed 5 moves the P onset 22 ms.)"""
    rec = read_ecg(bundled_samples / "HR06000.hea")
    ref = measure(rec)
    t = np.arange(rec.n_samples) / rec.fs_hz
    rng = np.random.default_rng(seed)
    wander = 0.5 * np.sin(2 * np.pi * 0.3 * t)
    noise = rng.normal(0.0, 0.05, rec.signal_mv.shape)
    m = measure(rec.with_signal(rec.signal_mv + wander + noise))
    assert m.beats == ref.beats
    assert m.hr_bpm == pytest.approx(ref.hr_bpm, abs=1)
    for k, tol in (("pr_ms", 20), ("qrs_ms", 15), ("qt_ms", 25)):
        assert getattr(m, k) == pytest.approx(getattr(ref, k), abs=tol), k


# --- real records ---------------------------------------------------------------------------
@pytest.mark.shared_data
def test_mitbih_100_r_peaks(samples: Path) -> None:
    wfdb = pytest.importorskip("wfdb")
    rec = read_ecg(samples / "wfdb" / "100.hea")
    ann = wfdb.rdann(str(samples / "wfdb" / "100"), "atr")
    ref = np.array([s for s, c in zip(ann.sample, ann.symbol, strict=True) if c in "NLRBAaJSVrFejnE/fQ?"])
    det = detect_beats(rec.signal_mv, rec.fs_hz, rec.lead_names).r_peaks
    tol = int(0.15 * rec.fs_hz)
    used = np.zeros(det.size, bool)
    tp = 0
    for r in ref:
        k = int(np.searchsorted(det, r - tol))
        if k < det.size and det[k] <= r + tol and not used[k]:
            used[k] = True
            tp += 1
    assert tp / ref.size >= 0.995  # sensitivity
    assert tp / det.size >= 0.995  # positive predictivity
    # the whole 30-min record through measure(): rate from every beat
    m = measure(rec)
    assert abs(m.beats - ref.size) <= 2
    assert m.hr_bpm == pytest.approx(60.0 * ref.size / rec.duration_s, abs=1)


@pytest.mark.shared_data
def test_thirteen_sample_file_is_not_measured(samples: Path) -> None:
    m = measure(read_ecg(samples / "hl7aecg" / "fda_minimum_aecg.xml"))
    assert m.beats == 0 and m.hr_bpm is None and m.reasons["hr_bpm"] in MESSAGES


@pytest.mark.shared_data
def test_two_lead_holter_has_no_axis(samples: Path) -> None:
    rec = read_ecg(samples / "wfdb" / "100.hea")
    rec = rec.with_signal(rec.signal_mv[:, : int(20 * rec.fs_hz)])
    m = measure(rec)
    assert m.hr_bpm == pytest.approx(75, abs=8)
    assert m.qrs_ms is not None
    for k in ("p_axis_deg", "qrs_axis_deg", "t_axis_deg"):
        assert getattr(m, k) is None and m.reasons[k] in ("meas.no_limb_leads", "meas.no_p_wave")


# the carts' own figures (meta.extra["device_measurements"]); tolerance per interval in ms
CART_FILES = [
    "ge_muse/guangxi_teaching_sinus_rhythm.xml",
    "philips_xml/2020-5-18_15-48-11.xml",
    "philips_xml/3191723_ZZDEMOPTONLY_1-04_orig.xml",
    "philips_xml/ad4d3d80-d165_1-04_orig.xml",
    "hl7aecg/fda_Example_aECG.xml",
    "dicom/marcodebe_anonymous_ecg.dcm",
]
TOL = {"hr_bpm": 3, "pr_ms": 20, "qrs_ms": 15, "qt_ms": 25, "qrs_axis_deg": 15, "t_axis_deg": 15}


@pytest.mark.shared_data
@pytest.mark.parametrize("rel", CART_FILES)
def test_against_the_carts_own_measurements(samples: Path, rel: str) -> None:
    rec = read_ecg(samples / rel)
    dev = rec.meta.extra["device_measurements"]
    m = measure(rec).to_dict()
    compared = 0
    for k, tol in TOL.items():
        if dev.get(k) is None:
            continue
        assert m[k] is not None, (k, m["reasons"])
        assert abs(m[k] - dev[k]) <= tol, (k, m[k], dev[k])
        compared += 1
    assert compared >= 4
    assert m["paced"] is False


@pytest.mark.shared_data
def test_philips_129dyprg_rate_pr_qt(samples: Path) -> None:
    """The cart says QRS 135 ms here and we measure ~104 ms (the largest disagreement in the
    bench); rate, PR and QT agree."""
    rec = read_ecg(samples / "philips_xml" / "129DYPRG.xml")
    dev = rec.meta.extra["device_measurements"]
    m = measure(rec)
    assert m.hr_bpm == pytest.approx(dev["hr_bpm"], abs=2)
    assert m.pr_ms == pytest.approx(dev["pr_ms"], abs=15)
    assert m.qt_ms == pytest.approx(dev["qt_ms"], abs=25)


@pytest.mark.shared_data
def test_ptbxl_rate_labels(shared_data: Path) -> None:
    """Heart rate agrees with PTB-XL's rhythm labels on the first 12 SBRAD and STACH records."""
    import ast
    import csv

    npz = np.load(shared_data / "ptbxl" / "ptbxl100_subset.npz")
    with open(shared_data / "ptbxl" / "ptbxl_labels.csv", newline="") as fh:
        codes = {int(r["ecg_id"]): ast.literal_eval(r["scp_codes"]) for r in csv.DictReader(fh)}
    leads = tuple(str(s) for s in npz["leads"])
    x_all = npz["X"]  # an npz member is read again on every access: once
    seen = {"SBRAD": 0, "STACH": 0}
    for i, ecg_id in enumerate(npz["ecg_id"]):
        c = codes.get(int(ecg_id), {})
        label = next((k for k in seen if k in c), None)
        if label is None or seen[label] >= 12:
            continue
        seen[label] += 1
        rec = EcgRecord((x_all[i].T / 1000.0).astype(np.float32), 100.0, leads)
        hr = measure(rec).hr_bpm
        assert hr is not None
        assert (hr < 61) if label == "SBRAD" else (hr > 99), (int(ecg_id), label, hr)
        if all(v >= 12 for v in seen.values()):
            break
    assert seen == {"SBRAD": 12, "STACH": 12}


def test_ptbxl_bundle_branch_block_qrs_width(shared_data: Path) -> None:
    """QRS >= 120 ms in complete right bundle branch block, under 120 ms in the incomplete one
    (PTB-XL labels, likelihood >= 80). A QRS-end threshold of 8 % of each lead's peak slope cut
    the R' of V1 at its peak (ecg_id 195: 102 ms, 120 at 7 %) and 2 of 41 CRBBB fell under
    120 ms; the end rule must keep such a terminal wave while not stretching IRBBB."""
    import ast
    import csv

    npz = np.load(shared_data / "ptbxl" / "ptbxl100_subset.npz")
    with open(shared_data / "ptbxl" / "ptbxl_labels.csv", newline="") as fh:
        codes = {int(r["ecg_id"]): ast.literal_eval(r["scp_codes"]) for r in csv.DictReader(fh)}
    leads = tuple(str(s) for s in npz["leads"])
    x_all = npz["X"]
    wide = {"CRBBB": [], "IRBBB": []}
    for i, ecg_id in enumerate(npz["ecg_id"]):
        c = codes.get(int(ecg_id), {})
        for label, got in wide.items():
            if c.get(label, 0) >= 80:
                qrs = measure(EcgRecord((x_all[i].T / 1000.0).astype(np.float32), 100.0,
                                        leads)).qrs_ms
                got.append(qrs is not None and qrs >= 120)
    assert len(wide["CRBBB"]) >= 20 and len(wide["IRBBB"]) >= 20
    # 34 of 41 (2026-12-05; 35 before the median's grid phase was fixed: ecg_id 428 reads 118
    # against 120 ms, confidence 0.36 either way - one working-rate sample). 39 of 41 since the
    # QRS end follows a broad S wave's return (2026-12-06, delineate._past_s_trough); IRBBB at
    # 120 ms or more went from 11 to 23 of 106. Of those looked at: ecg_id 188 (IRBBB 100) has
    # an R' in V1 and a broad S in I that return to the baseline about 95 ms after the R peak
    # (140 ms, the morphology of a complete block; 108 before, at the trough of I's S); ecg_id
    # 1188 (NORM, IRBBB) reads 122 where the page shows about 110-115 (100 Hz: 10 ms a sample)
    assert np.mean(wide["CRBBB"]) >= 0.92, np.mean(wide["CRBBB"])
    assert np.mean(wide["IRBBB"]) <= 0.25, np.mean(wide["IRBBB"])


def test_no_sample_is_called_paced(bundled_samples: Path) -> None:
    for hea in sorted(bundled_samples.glob("*.hea")):
        assert measure(read_ecg(hea)).paced is False, hea.name


@pytest.mark.shared_data
@pytest.mark.parametrize("ecg_id", ["00001", "00002", "00009", "00017"])
def test_100_hz_copy_measures_like_500_hz(samples: Path, ecg_id: str) -> None:
    """PTB-XL stores each record at 500 Hz and at 100 Hz: the intervals agree."""
    hi = measure(read_ecg(samples / "wfdb_ptbxl" / f"{ecg_id}_hr.hea"))
    lo = measure(read_ecg(samples / "wfdb_ptbxl" / f"{ecg_id}_lr.hea"))
    assert lo.hr_bpm == pytest.approx(hi.hr_bpm, abs=1)
    assert lo.qrs_ms == pytest.approx(hi.qrs_ms, abs=10)
    assert lo.qt_ms == pytest.approx(hi.qt_ms, abs=10)
    assert (lo.p_ms is None) == (hi.p_ms is None)


def test_premature_ventricular_beats_stay_out_of_the_median() -> None:
    """Wide premature beats after every third sinus beat: counted in the rate, not in the
    median beat, so the intervals are those of the sinus beats."""
    clean = synthetic(hr=60.0)
    fs = clean.fs_hz
    sig = clean.signal_mv.astype(np.float64).copy()
    width, t_len = int(0.14 * fs), int(0.2 * fs)
    rng = np.random.default_rng(3)
    gains = rng.uniform(-1.5, 1.5, 12)
    gains[[2, 3, 5]] = -gains[0] - gains[1], -(gains[0] + gains[1]) / 2, gains[1] - gains[0] / 2
    n_pvc = 0
    for start in range(int(0.3 * fs), sig.shape[1] - int(0.8 * fs), int(3 * fs)):
        p = start + int(0.6 * fs)  # 600 ms after a sinus QRS onset, before the next P wave
        if p + width + int(0.1 * fs) + t_len >= sig.shape[1]:
            break
        half = width * 3 // 7  # a wide biphasic complex: 60 ms up, 80 ms down
        qrs = np.concatenate([_lobe(half), -0.8 * _lobe(width - half)])
        t_wave = -0.4 * _lobe(t_len)
        for i, g in enumerate(gains):
            sig[i, p : p + width] += g * qrs
            sig[i, p + width + int(0.1 * fs) : p + width + int(0.1 * fs) + t_len] += g * t_wave
        n_pvc += 1
    with_pvc = measure(clean.with_signal(sig))
    ref = measure(clean)
    assert with_pvc.beats == ref.beats + n_pvc
    assert with_pvc.median.n_beats_used <= ref.beats
    for k, tol in (("pr_ms", 6), ("qrs_ms", 6), ("qt_ms", 10)):
        assert getattr(with_pvc, k) == pytest.approx(getattr(ref, k), abs=tol), k
    assert with_pvc.rr_irregular is True
