"""Global fiducials: sampling-rate independence on real records, the confidence per interval and
what it does (greyed, no referral on its own), the paced cart reference, the QT Database, and
the outliers found while validating (bench/measurements.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ecg_viewer.core.messages import MESSAGES
from ecg_viewer.core.record import EcgRecord
from ecg_viewer.io import read_ecg
from ecg_viewer.labels.referral import decide_referral
from ecg_viewer.model.preprocess import resample
from ecg_viewer.signal.measure import measure
from ecg_viewer.signal.synthetic import synthetic

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def _at_rate(rec: EcgRecord, fs: float) -> EcgRecord:
    return EcgRecord(signal_mv=resample(rec.signal_mv, rec.fs_hz, fs), fs_hz=float(fs),
                     lead_names=rec.lead_names)


@pytest.mark.parametrize("name", ["HR06000.hea", "00009_hr.hea", "00017_hr.hea"])
def test_same_intervals_at_100_250_500_1000_hz(bundled_samples: Path, name: str) -> None:
    """A real 500 Hz record resampled to 100, 250 and 1000 Hz: PR, QRS and QT within 4 ms."""
    rec = read_ecg(bundled_samples / name)
    ref = measure(rec)
    assert ref.qrs_ms is not None and ref.qt_ms is not None
    for fs in (100.0, 250.0, 1000.0):
        m = measure(_at_rate(rec, fs))
        assert m.median.fs_hz == ref.median.fs_hz  # one working rate for the median beat
        for k in ("pr_ms", "qrs_ms", "qt_ms"):
            a, b = getattr(m, k), getattr(ref, k)
            assert (a is None) == (b is None), (fs, k)
            if a is not None:
                assert abs(a - b) <= 4, (name, fs, k, a, b)


@pytest.mark.parametrize("stem", ["JS20001", "HR06005"])
def test_same_intervals_across_rates_cinc_fine_scale(samples: Path, stem: str) -> None:
    """CinC records whose PR/QT at 100 Hz moved 6-10 ms from 500 Hz when the fine-scale QRS
    refinement read the raw lead (its > 40 Hz content is not in a 100 Hz recording): with the
    fine scale band-limited like the coarse one, within 4 ms at 100, 250 and 1000 Hz."""
    rec = read_ecg(samples / "wfdb_cinc2021" / f"{stem}.hea")
    assert rec.fs_hz == 500.0
    rec = EcgRecord(signal_mv=rec.signal_mv[:, :5000], fs_hz=500.0, lead_names=rec.lead_names)
    ref = measure(rec)
    assert ref.pr_ms is not None and ref.qrs_ms is not None and ref.qt_ms is not None
    for fs in (100.0, 250.0, 1000.0):
        m = measure(_at_rate(rec, fs))
        for k in ("pr_ms", "qrs_ms", "qt_ms"):
            a, b = getattr(m, k), getattr(ref, k)
            assert a is not None and abs(a - b) <= 4, (stem, fs, k, a, b)


@pytest.mark.shared_data
@pytest.mark.parametrize(("rel", "rates"), [
    ("samples/wfdb_cinc2021/E07518.hea", (100.0, 250.0, 1000.0)),
    ("samples/wfdb_cinc2021/JS20005.hea", (100.0, 250.0, 1000.0)),
    ("cinc_extra/Q0026.hea", (250.0, 1000.0)),
])
def test_same_intervals_across_rates_subsample_alignment(shared_data: Path, rel: str,
                                                        rates: tuple[float, ...]) -> None:
    """Records whose intervals moved with the rate while each beat was aligned to a whole
    working-rate sample (its R peak, detected at the record's rate, decided which sample, and
    the median's shape with it): E07518 at 100 Hz QRS 88 against 98 ms, JS20005 at 100 Hz QRS
    114 against 100, Q0026 at 250 and 1000 Hz QT 340 against 274 (the T end jumped a hump).
    With the beats aligned to a fraction of a sample, within 4 ms."""
    rec = read_ecg(shared_data / rel)
    rec = EcgRecord(signal_mv=rec.signal_mv[:, :5000], fs_hz=rec.fs_hz, lead_names=rec.lead_names)
    ref = measure(rec)
    assert ref.qrs_ms is not None and ref.qt_ms is not None
    for fs in rates:
        m = measure(_at_rate(rec, fs))
        for k in ("pr_ms", "qrs_ms", "qt_ms"):
            a, b = getattr(m, k), getattr(ref, k)
            assert (a is None) == (b is None), (rel, fs, k, a, b)
            assert a is None or abs(a - b) <= 4, (rel, fs, k, a, b)


def test_fraction_shift_reads_between_samples() -> None:
    """The cubic convolution behind the sub-sample alignment: a slow wave (a 10 Hz sine at
    500 Hz) read 0.3 and -0.45 of a sample later matches the wave itself within 0.1 %."""
    from ecg_viewer.signal.median import _fraction_shift, _vertex

    t = np.arange(200)
    wave = np.sin(2 * np.pi * 10.0 * t / 500.0)
    stack = np.stack([wave, wave, wave])[:, None, :]
    out = _fraction_shift(stack, np.array([0.3, -0.45, 0.0]))
    for row, d in ((0, 0.3), (1, -0.45), (2, 0.0)):
        want = np.sin(2 * np.pi * 10.0 * (t + d) / 500.0)
        assert np.abs(out[row, 0, 4:-4] - want[4:-4]).max() < 1e-3
    assert _vertex(np.array([0.5, 0.9, 0.8]), 1) == pytest.approx(0.5 * (0.5 - 0.8) / (0.5 - 1.8 + 0.8))


def test_shift_scores_of_all_beats_are_the_one_by_one_correlations() -> None:
    """The alignment scores of every beat at once are ``_qrs_corr`` of each window, bit for
    bit; a beat whose windows leave the record or hold NaN gets None (scored one by one)."""
    from ecg_viewer.signal.median import _qrs_corr, _shift_scores

    rng = np.random.default_rng(3)
    x = rng.standard_normal((8, 900)).cumsum(axis=1)
    x[5, 600] = np.nan
    shift, qh = 10, 30
    peaks = np.array([20, 100, 250, 400, 590, 700, 860])  # 20, 860: windows leave the record
    template = x[:, 400 - qh : 400 + qh + 1].ravel() + 0.1 * rng.standard_normal(8 * (2 * qh + 1))
    scores = _shift_scores(x, peaks, shift, qh, template)
    for p, got in zip(peaks, scores, strict=True):
        if p in (20, 590, 860):  # 590: a window holds the NaN at 600
            assert got is None
            continue
        want = [_qrs_corr(x[:, p + s - qh : p + s + qh + 1].ravel(), template)
                for s in range(-shift, shift + 1)]
        assert got is not None and np.array_equal(got, np.array(want))


def test_confidence_in_to_dict_and_high_on_a_clean_beat() -> None:
    d = measure(synthetic()).to_dict()
    assert set(d["confidence"]) >= {"pr_ms", "qrs_ms", "qt_ms", "qtc_bazett_ms"}
    assert all(0.0 <= v <= 1.0 for v in d["confidence"].values())
    assert min(d["confidence"][k] for k in ("pr_ms", "qrs_ms", "qt_ms")) >= 0.8
    assert d["low_confidence"] == [] and d["confidence_reasons"] == {}


def test_low_flat_t_wave_gives_a_low_confidence_qt() -> None:
    m = measure(synthetic(t_gain=0.08, noise_mv=0.01))
    if m.qt_ms is None:  # too flat to measure at all: said so
        assert m.reasons["qt_ms"] == "meas.no_t_end"
        return
    d = m.to_dict()
    assert "qt_ms" in d["low_confidence"] and "qtc_bazett_ms" in d["low_confidence"]
    assert d["confidence_reasons"]["qt_ms"] in MESSAGES
    assert m.confidence_text("qt_ms", "ja")


def test_low_confidence_interval_alone_fires_no_referral_rule() -> None:
    long_qt = {"hr_bpm": 70.0, "qt_ms": 560.0, "qtc_bazett_ms": 600.0, "qtc_fridericia_ms": 580.0,
               "qrs_ms": 90.0, "pr_ms": 160.0}  # fmt: skip
    fired = decide_referral((), long_qt)
    assert fired.level != "A"  # the long QTc raises the flag
    low = {**long_qt, "low_confidence": ["qt_ms", "qtc_bazett_ms", "qtc_fridericia_ms"]}
    assert decide_referral((), low).level == "A"


@pytest.mark.parametrize("pr_ms", [330.0, 340.0])
def test_p_onset_on_the_search_window_edge_gives_a_low_confidence_pr(pr_ms: float) -> None:
    """A PR longer than the P search reaches (320 ms) is clipped to the window's edge: shown
    as a low-confidence value with its reason, and it fires no "PR >= 300 ms" rule alone."""
    m = measure(synthetic(pr_ms=pr_ms))
    assert m.fiducials is not None and m.fiducials.p_on_at_edge
    assert m.pr_ms is not None and 310.0 <= m.pr_ms <= 322.0
    d = m.to_dict()
    assert {"pr_ms", "p_ms"} <= set(d["low_confidence"])
    assert d["confidence_reasons"]["pr_ms"] == "meas.conf_p_onset_edge"
    assert "320 ms" in m.confidence_text("pr_ms", "en") and m.confidence_text("pr_ms", "ja")
    assert decide_referral((), {**d, "low_confidence": []}).level == "D"  # were it trusted
    assert decide_referral((), d).level == "A"
    inside = measure(synthetic(pr_ms=300.0))  # inside the window: a trusted PR
    assert not inside.fiducials.p_on_at_edge and "pr_ms" not in inside.to_dict()["low_confidence"]


@pytest.mark.shared_data
def test_paced_cart_reference_has_qrs_and_qt_near_the_cart(shared_data: Path) -> None:
    """braveheart_example4 (GE MUSE, GE 12SL: QRS 128 ms, QT 459 ms, axis -66 deg): a paced beat
    that HEAD measured without QRS or QT and with a PR 53 ms short."""
    rec = read_ecg(shared_data / "cart_reference" / "braveheart_example4.xml")
    dev = rec.meta.extra["device_measurements"]
    m = measure(rec)
    assert m.qrs_ms is not None and m.qt_ms is not None
    assert abs(m.qrs_ms - dev["qrs_ms"]) <= 25
    assert abs(m.qt_ms - dev["qt_ms"]) <= 25
    assert abs(m.pr_ms - dev["pr_ms"]) <= 25
    assert abs(m.qrs_axis_deg - dev["qrs_axis_deg"]) <= 10


@pytest.mark.shared_data
@pytest.mark.parametrize("rel", ["cinc_extra/Q0026.hea", "cinc_extra/Q0048.hea"])
def test_flat_t_outliers_have_no_gross_qt(shared_data: Path, rel: str) -> None:
    """CPSC-extra records whose T wave is nearly flat: HEAD put the T end on the next P wave (QT
    560 ms at 90/min) or far into the TP segment (604 ms). Now the QT is plausible or, when the
    T wave is too low to trust, flagged low-confidence (or not measured)."""
    m = measure(read_ecg(shared_data / rel))
    if m.qt_ms is None:
        return
    plausible = m.qt_ms <= 0.75 * m.rr_ms and 300 <= m.qtc_bazett_ms <= 560
    assert plausible or "qt_ms" in m.low_confidence, (m.qt_ms, m.rr_ms, m.confidence)


def _qtdb_bench():
    """The QT Database bench module (``bench/measurements_qtdb.py``)."""
    pytest.importorskip("wfdb")
    import sys

    bench = Path(__file__).resolve().parents[1] / "bench"
    sys.path.insert(0, str(bench))
    try:
        import measurements_qtdb
    finally:
        sys.path.remove(str(bench))
    return measurements_qtdb


def _qtdb_evaluate_record():
    """The QT Database bench's per-beat evaluation."""
    return _qtdb_bench().evaluate_record


@pytest.mark.shared_data
def test_qt_database_record_per_fiducial(shared_data: Path) -> None:
    """One QTDB record (sel100, MIT-BIH 100: low T waves on MLII/V5) through the bench's per-beat
    evaluation: QRS bounds on nearly every annotated beat, T end on most, mean errors small.
    The T wave is biphasic (negative, then a small positive hump that the annotator closes the T
    wave after): the T end is the end of its negative part, 30-50 ms early, on every beat; before
    the T wave's 15 Hz low-pass (tend.T_LOWPASS_HZ) it was that on some beats and 110-150 ms
    late on others (+20 +- 79 ms, now -36 +- 20)."""
    evaluate_record = _qtdb_evaluate_record()
    r = evaluate_record(shared_data / "qtdb" / "sel100")
    for f, se, lim in (("qrs_on", 0.9, 15), ("qrs_off", 0.9, 15), ("t_end", 0.7, 40)):
        assert len(r[f]) >= se * r[f"n_{f}"][0], f
        assert abs(float(np.mean(r[f]))) <= lim, (f, float(np.mean(r[f])))
    assert float(np.std(r["t_end"])) <= 30


@pytest.mark.shared_data
def test_qt_database_beat_left_out_of_its_median_is_delineated_alone(shared_data: Path) -> None:
    """sel308: beats of two shapes alternate in runs; a beat the median's selection leaves out
    was scored on its neighbours' median (QRS end +26 +- 28 ms, two clusters). The bench now
    delineates such a beat alone: +12 +- 12 ms (+17 +- 12 with the delineator before the
    fine-scale QRS bounds)."""
    evaluate_record = _qtdb_evaluate_record()
    stats = {"left_out": 0}
    r = evaluate_record(shared_data / "qtdb" / "sel308", stats=stats)
    assert stats["left_out"] > 0
    assert len(r["qrs_off"]) >= 0.9 * r["n_qrs_off"][0]
    assert abs(float(np.mean(r["qrs_off"]))) <= 15 and float(np.std(r["qrs_off"])) <= 15


@pytest.mark.shared_data
@pytest.mark.parametrize("rec", ["sel16265", "sele0104"])
def test_qt_database_p_onset_not_late(shared_data: Path, rec: str) -> None:
    """P onset where the P wave starts to rise, not where it has reached 15 % of its height: on
    these records the amplitude threshold alone put it +12 and +13 ms after the annotator (the
    QTDB mean was +6 ms on both halves); the onset is now moved back (at most 10 ms) while the
    vector magnitude still rises at 5 % of its steepest rise into the P peak: +4 and +5 ms."""
    evaluate_record = _qtdb_evaluate_record()
    r = evaluate_record(shared_data / "qtdb" / rec)
    assert len(r["p_on"]) >= 0.9 * r["n_p_on"][0]
    assert abs(float(np.mean(r["p_on"]))) <= 7 and float(np.std(r["p_on"])) <= 12


@pytest.mark.shared_data
def test_qt_database_qrs_end_does_not_run_into_the_st_slope(shared_data: Path) -> None:
    """sel49: in its second lead (QRS 0.3 mV) the ST segment rises steadily into the T wave; at 6 %
    of the lead's peak slope the QRS end ran up that slope in a third of the beats (+24 +- 35 ms
    against the annotator). At 7 % (chosen on the even QTDB records; 8 % was a shade better there
    but cut the R' of right bundle branch blocks) it stays near the J point."""
    evaluate_record = _qtdb_evaluate_record()
    r = evaluate_record(shared_data / "qtdb" / "sel49")
    assert len(r["qrs_off"]) >= 0.9 * r["n_qrs_off"][0]
    assert abs(float(np.mean(r["qrs_off"]))) <= 12 and float(np.std(r["qrs_off"])) <= 12


@pytest.mark.shared_data
def test_qt_database_qrs_onset_does_not_run_into_the_p_wave(shared_data: Path) -> None:
    """sel49 (a held-out QTDB record): on 2 of 30 beats one lead's QRS onset walked back through
    a sloping PR segment into the P wave, -136 and -140 ms against the annotator (SD 33 ms). A
    lead's onset more than QRS_ONSET_MAX_WALK_MS (100 ms) before its first steep slope is no
    longer used while another lead has one: every beat within 30 ms, SD 6 ms."""
    evaluate_record = _qtdb_evaluate_record()
    r = evaluate_record(shared_data / "qtdb" / "sel49")
    assert len(r["qrs_on"]) >= 0.9 * r["n_qrs_on"][0]
    assert min(r["qrs_on"]) >= -30 and float(np.std(r["qrs_on"])) <= 8, r["qrs_on"]


def test_rbbb_terminal_r_prime_is_inside_the_qrs_in_every_beat(bundled_samples: Path) -> None:
    """E07509 (RBBB, QRS about 150 ms): the terminal R' / slurred S ends 10-14 ms apart in V1, V2
    and V3. It once fell out of the QRS in some beats (single beats 86-160 ms) when the two
    latest lead-wise ends were over 10 ms apart, and the QRS came out greyed (low confidence).
    The three sub-medians now read 144, 150 and 158 ms at 500, 250 and 1000 Hz alike; the
    median of all beats reads 150 or 158 (V2's smoothed slope dips at the S wave's nadir to its
    end threshold itself: 2.64 against 2.64 mV/s), so its confidence is 0.69 or 0.42 by a few
    uV, and is not asserted here."""
    from ecg_viewer.signal.measure import global_fiducials

    m = measure(read_ecg(bundled_samples / "E07509.hea"))
    assert m.qrs_ms is not None and m.qrs_ms >= 120
    assert m.confidence["qrs_ms"] >= 0.4
    mb = m.median
    rr_s = 60.0 / m.hr_bpm
    widths = []
    for i in range(mb.stack_mv.shape[0]):
        f = global_fiducials(mb.from_stack(np.array([i])), rr_s)
        widths.append((f.qrs_off - f.qrs_on) * 1000.0 / mb.fs_hz)
    assert min(widths) >= 120 and max(widths) - min(widths) <= 20, widths


def test_qtc_modified_only_for_a_wide_qrs():
    from ecg_viewer.signal.measure import qtc_modified

    # Bogossian 2014: QT - 0.485 x QRS, then Fridericia (RR 1 s: unchanged)
    assert qtc_modified(480.0, 160.0, 1.0) == pytest.approx(480.0 - 77.6)
    assert qtc_modified(480.0, 160.0, 0.8) == pytest.approx((480.0 - 77.6) / 0.8 ** (1 / 3))
    assert qtc_modified(480.0, 118.0, 1.0) is None  # narrow QRS: the plain QTc applies
    assert qtc_modified(None, 160.0, 1.0) is None
    assert qtc_modified(480.0, None, 1.0) is None


def test_low_confidence_qt_makes_the_modified_qtc_low_too(shared_data):
    """The modified QTc is made of QT and QRS: it takes the weaker one's confidence and reason
    (CONF_DERIVED), on a real wide-QRS record whose QT is uncertain (JS00001, QRS 136 ms)."""
    from ecg_viewer.io import read_ecg
    from ecg_viewer.signal.measure import measure

    d = measure(read_ecg(shared_data / "cinc_extra" / "JS00001.hea")).to_dict()
    conf = d["confidence"]
    assert d["qtc_modified_ms"] is not None and conf["qt_ms"] < conf["qrs_ms"]
    assert conf["qtc_modified_ms"] == min(conf["qt_ms"], conf["qrs_ms"])
    assert {"qt_ms", "qtc_modified_ms"} <= set(d["low_confidence"])
    assert d["confidence_reasons"]["qtc_modified_ms"] == d["confidence_reasons"]["qt_ms"]


def test_narrow_qrs_has_no_modified_qtc_confidence(shared_data):
    from ecg_viewer.io import read_ecg
    from ecg_viewer.signal.measure import measure

    d = measure(read_ecg(shared_data / "samples" / "ge_muse" / "synthetic_muse.xml")).to_dict()
    assert d["qtc_modified_ms"] is None and "qtc_modified_ms" not in d["confidence"]


@pytest.mark.shared_data
@pytest.mark.parametrize(("rel", "keys", "rates"), [
    ("cinc_extra/JS00008.hea", ("qrs_ms", "qt_ms"), (100.0, 250.0, 1000.0)),
    ("cinc_extra/Q0027.hea", ("pr_ms", "qrs_ms", "qt_ms"), (250.0, 1000.0)),
    ("cinc_extra/A0006.hea", ("pr_ms", "qrs_ms", "qt_ms"), (100.0, 250.0, 1000.0)),
])
def test_same_intervals_across_rates_grid_phase(shared_data: Path, rel: str,
                                                keys: tuple[str, ...],
                                                rates: tuple[float, ...]) -> None:
    """Records whose intervals moved at 250 and 1000 Hz although those rates carry everything
    the delineation reads: the median beat lay a fraction of a working-rate sample elsewhere on
    the grid than at 500 Hz (the R peaks of the record's rate decide where), and a lead's slope
    dipping to its onset fraction for one sample fell on the other side of it (JS00008 V2: QRS
    106 against 96 ms at 250 and 1000 Hz; Q0027 QRS 96 against 118 at 250 Hz; A0006 PR 126
    against 132). With the median's QRS centre put on a sample at every rate, within 4 ms. (Left
    out: JS00008's PR, whose P onset is low-confidence, 0.02, and still moves at 1000 Hz; Q0027
    at 100 Hz, whose PR still moves 10 ms there.)"""
    rec = read_ecg(shared_data / rel)
    rec = EcgRecord(signal_mv=rec.signal_mv[:, :5000], fs_hz=rec.fs_hz, lead_names=rec.lead_names)
    ref = measure(rec)
    for fs in rates:
        m = measure(_at_rate(rec, fs))
        for k in keys:
            a, b = getattr(m, k), getattr(ref, k)
            assert a is not None and b is not None, (rel, fs, k, a, b)
            assert abs(a - b) <= 4, (rel, fs, k, a, b)


@pytest.mark.shared_data
def test_median_grid_phase_is_the_same_at_every_rate(shared_data: Path) -> None:
    """The median beat of a record and of its 250 and 1000 Hz copies lie at the same phase of the
    working-rate grid: beat for beat, the copies differ from the 500 Hz median by a whole number
    of samples (then by a few uV), not by a fraction of one."""
    from ecg_viewer.signal.median import median_beat

    rec = read_ecg(shared_data / "cinc_extra" / "JS00008.hea")
    x = rec.signal_mv[:, :5000]
    ref = measure(EcgRecord(signal_mv=x, fs_hz=500.0, lead_names=rec.lead_names))
    base = ref.median.beat_mv.astype(float)
    r = ref.median.r_index
    for fs in (250.0, 1000.0):
        other = _at_rate(EcgRecord(signal_mv=x, fs_hz=500.0, lead_names=rec.lead_names), fs)
        det = measure(other).beat_detection
        mb = median_beat(other.signal_mv, fs, other.lead_names, det.r_peaks,
                         good_leads=det.leads_used)
        y = mb.beat_mv.astype(float)
        err = min(float(np.abs(np.roll(y, -k, axis=1) - base)[:, r - 60 : r + 60].max())
                  for k in range(-5, 6))
        assert err < 0.03, (fs, err)  # a fifth of a sample apart on the R upstroke is ~0.1 mV


@pytest.mark.shared_data
def test_steep_qrs_edge_at_1000_hz_is_no_pacing_spike(shared_data: Path) -> None:
    """HR06007 resampled to 1000 Hz was called paced: V4's R downstroke (0.45 mV/ms) levels off
    within 4 ms, and the spike test took a steep sample of the same sign plus any sample of the
    other sign for the spike's way back; the QRS was then bridged and read 102 against 96 ms.
    The way back must itself be steep; a real spike is still found."""
    from ecg_viewer.signal.pacing import detect_pacing, spike_samples

    rec = read_ecg(shared_data / "samples" / "wfdb_cinc2021" / "HR06007.hea")
    rec = EcgRecord(signal_mv=rec.signal_mv[:, :5000], fs_hz=500.0, lead_names=rec.lead_names)
    ref = measure(rec)
    fast = _at_rate(rec, 1000.0)
    m = measure(fast)
    assert not m.paced and not ref.paced
    assert not detect_pacing(fast.signal_mv, 1000.0, m.beat_detection.r_peaks)
    assert abs(m.qrs_ms - ref.qrs_ms) <= 4, (m.qrs_ms, ref.qrs_ms)
    lead = np.zeros(1000)
    lead[500:502] = 2.0  # a 2 mV, 2 ms spike at 1000 Hz
    assert 499 in spike_samples(lead, 1000.0).tolist()


def test_t_end_not_at_a_lead_crossing_its_pr_level() -> None:
    """A negative T wave (0.25 mV, ending at 400 ms after R) whose lead settles 0.08 mV above its
    PR-segment level: the vector magnitude falls to zero where the lead crosses that level, and
    its trapezium end was there (358 ms). The end on the leads projected on the T vector (a
    signed signal, tend.SIGNED_LATER_MS) is taken: within 25 ms of 400."""
    from ecg_viewer.signal.tend import t_wave

    fs, r = 500.0, 100
    t = (np.arange(600) - r) * 1000.0 / fs

    def rise(a: float, b: float, full: bool) -> np.ndarray:  # a Hann hump (full) or half of one
        x = np.clip((t - a) / (b - a), 0.0, 1.0)
        return 0.5 - 0.5 * np.cos((2.0 if full else 1.0) * np.pi * x)

    y = np.array([-0.25 * rise(160, 400, True) + 0.08 * rise(200, 400, False),
                  0.08 * rise(160, 400, True)])
    _, t_end, _ = t_wave(y, r + 20, r, 1.0, fs, None, r - 20)
    assert t_end is not None and abs((t_end - r) * 1000.0 / fs - 400.0) <= 25


@pytest.mark.shared_data
@pytest.mark.parametrize(("rec", "mean_ms", "gross"), [("sel46", 18, 5), ("sel32", 10, 2)])
def test_qt_database_t_end_not_early_at_a_false_valley(shared_data: Path, rec: str,
                                                        mean_ms: float, gross: int) -> None:
    """QTDB records whose T end came early where a lead crosses its PR-segment level (a false
    valley of the rectified magnitude): sel46 -27.5 +- 37.6 ms with 9 of 29 beats off by > 50 ms,
    sel32 -21.1 +- 14.0. With the signed projection's end: -11.0 +- 29.7 (3) and -1.7 +- 17.4."""
    evaluate_record = _qtdb_evaluate_record()
    r = evaluate_record(shared_data / "qtdb" / rec)
    e = np.asarray(r["t_end"])
    assert e.size >= 0.9 * r["n_t_end"][0]
    assert abs(float(e.mean())) <= mean_ms and int((np.abs(e) > 50).sum()) <= gross


@pytest.mark.shared_data
def test_qt_database_t_end_not_on_a_bump_after_an_st_t_hump(shared_data: Path) -> None:
    """sele0203 (a held-out QTDB record): the ST segment rises straight into the T wave, so the T
    hump's prominence, measured from the window's start, was small, and a 0.04-mV bump 100 ms
    after it passed for the second half of a biphasic T: T end +125 ms on 11 of 30 beats, the
    other 19 beyond the 150-ms match. The second hump must also stand BIPHASIC_DIP_SHARE of the
    first one's height above the dip between them: -20 +- 6 ms on all 30 beats."""
    evaluate_record = _qtdb_evaluate_record()
    r = evaluate_record(shared_data / "qtdb" / "sele0203")
    e = np.asarray(r["t_end"])
    assert e.size >= 0.9 * r["n_t_end"][0]
    assert abs(float(e.mean())) <= 30 and int((np.abs(e) > 50).sum()) == 0, e


@pytest.mark.shared_data
@pytest.mark.parametrize(("ecg_id", "zscored", "qt_range"),
                         [(1060, False, (330, 420)), (17040, True, (260, 340))])
def test_ptbxl_t_end_not_on_a_late_bump(shared_data: Path, ecg_id: int, zscored: bool,
                                        qt_range: tuple[float, float]) -> None:
    """PTB-XL records whose ST-T hump was followed by a low bump about a third of its height
    above the dip between them: taken for a biphasic T's second half, it put the T end 190-230 ms
    late (QT 600 ms in 1060, IVCD with PVCs; 540 ms in 17040, inferior MI with ischaemia, where
    every lead is back on its baseline by 290 ms). With BIPHASIC_DIP_SHARE (0.33) the T ends
    where the ST-T returns: 368 and 300 ms."""
    from tests.ptbxl_records import ptbxl_records

    rec = next(r for e, r, _ in ptbxl_records(shared_data, zscored=zscored) if e == ecg_id)
    qt = measure(rec).qt_ms
    assert qt is not None and qt_range[0] <= qt <= qt_range[1], qt


@pytest.mark.shared_data
def test_qt_database_t_end_stops_before_a_u_wave_of_the_other_sign(shared_data: Path) -> None:
    """sel50: negative T waves, each followed at once by a positive U wave. The signed projection
    keeps falling through the baseline into the U wave; with the U hump (>= NEXT_HUMP_SHARE of the
    T) bounding the search at the valley between them the T end stays there (+19 +- 27 ms, 2 of
    32 beats off by > 50 ms; without the bound +39 +- 29, 10)."""
    evaluate_record = _qtdb_evaluate_record()
    r = evaluate_record(shared_data / "qtdb" / "sel50")
    e = np.asarray(r["t_end"])
    assert e.size >= 0.9 * r["n_t_end"][0]
    assert float(e.mean()) <= 28 and int((np.abs(e) > 50).sum()) <= 4


def test_a_long_qtc_at_a_fast_rate_keeps_its_confidence_and_refers() -> None:
    """A QT of 0.8-0.9 RR at 125/min is a long QT the urgent QTc rule must flag: the QT
    plausibility limit is the RR less 50 ms (a 0.8 RR limit greyed every QTcF >= 500 ms at
    121/min or faster, and a greyed value fires no rule). Synthetic, exactly known QT."""
    m = measure(synthetic(hr=125.0, qt_ms=400.0, pr_ms=120.0, p_ms=80.0))
    assert m.qt_ms is not None and m.rr_ms is not None and m.qtc_fridericia_ms is not None
    assert m.qt_ms > 0.8 * m.rr_ms and m.qt_ms <= m.rr_ms - 50
    assert m.qtc_fridericia_ms >= 500
    assert "qt_ms" not in m.low_confidence and "qtc_fridericia_ms" not in m.low_confidence
    ref = decide_referral((), m.to_dict())
    assert ref.level == "urgent", ref


@pytest.mark.shared_data
def test_qt_database_annotator_scatter_pairs_the_same_beats(shared_data: Path) -> None:
    """The bench's floor under the per-record SDs (``bench/measurements_qtdb.py``): on sel103
    the second annotator is paired with the first beat by beat (keyed by the first's R mark, the
    same key as ours), has no P marks, and the annotated QRS duration scatters from beat to beat
    (SD ~10 ms on one rhythm) where ours, one median per beat, barely moves (~2 ms)."""
    bench = _qtdb_bench()
    path = shared_data / "qtdb" / "sel103"
    second = bench.second_annotator_errors(path)
    ours = bench.evaluate_record(path)
    assert not second["p_on"] and len(second["qrs_on"]) >= 20
    assert abs(float(np.mean(list(second["qrs_on"].values())))) <= 15
    assert len(ours["r_qrs_on"]) == len(ours["qrs_on"])
    paired = set(map(int, ours["r_qrs_on"])) & set(second["qrs_on"])
    assert len(paired) >= 0.9 * len(second["qrs_on"])
    ann, mine = np.asarray(ours["qrs_ms_ann"]), np.asarray(ours["qrs_ms_ours"])
    assert ann.size == mine.size >= 20
    assert float(ann.std()) >= 2 * float(mine.std())
    assert abs(float(ann.mean() - mine.mean())) <= 15


@pytest.mark.parametrize("fs", [250.0, 500.0, 1000.0])
def test_flutter_wave_before_the_qrs_is_no_p_wave(fs: float) -> None:
    """Synthetic 4:1 flutter (300/min sawtooth, 75/min): the flutter wave before the QRS
    repeats one cycle earlier, so it is no P wave and no PR is given (bench/measurements.py
    section 5 gave PR 154 ms here); a sinus P wave at that rate, after a flat TP segment, is kept."""
    from ecg_viewer.signal.measure import global_fiducials
    from ecg_viewer.signal.pwave import repeated_atrial_wave

    m = measure(synthetic(flutter=True, fs=fs))
    assert m.pr_ms is None and m.p_ms is None
    assert m.reasons["pr_ms"] == "meas.no_p_flutter_waves"
    sinus = measure(synthetic(hr=75.0, fs=fs))
    assert sinus.pr_ms is not None and abs(sinus.pr_ms - 160.0) <= 15.0
    f = global_fiducials(sinus.median, 0.8)
    assert f.p_on is not None and repeated_atrial_wave(sinus.median, f, 0.8) is None
    assert "repeats" in MESSAGES["meas.no_p_flutter_waves"][1]


@pytest.mark.shared_data
def test_rate_independence_over_every_500_hz_cinc_record(shared_data: Path) -> None:
    """Every 500 Hz CinC record (the 2021 sample and cinc_extra, first 10 s), resampled to 100,
    250 and 1000 Hz: a PR, QRS or QT confident (>= 0.5) at both rates lies within 4 ms of the
    500 Hz value. At 250 and 1000 Hz every one does; at 100 Hz (10-ms samples, no content above
    ~45 Hz) a few do not (bench/measurements.py section 7 lists them: a P onset or a lead's QRS
    onset walk crossing its threshold in the PR segment's noise; 12 of the 275 confident ones,
    4.4 %, on 2026-12-05): at most 5 %, so that a change that spreads them fails here."""
    files = sorted((shared_data / "samples" / "wfdb_cinc2021").glob("*.hea"))
    files += sorted((shared_data / "cinc_extra").glob("*.hea"))
    compared = dict.fromkeys((100.0, 250.0, 1000.0), 0)
    apart: dict[float, list[str]] = {fs: [] for fs in compared}
    records = 0
    for f in files:
        try:
            rec = read_ecg(f)
        except Exception:  # a header the reader refuses (the bench skips it too)
            continue
        if rec.fs_hz != 500.0:
            continue
        records += 1
        rec = EcgRecord(signal_mv=rec.signal_mv[:, :5000], fs_hz=500.0, lead_names=rec.lead_names)
        ref = measure(rec)
        for fs in compared:
            m = measure(_at_rate(rec, fs))
            for k in ("pr_ms", "qrs_ms", "qt_ms"):
                a, b = getattr(m, k), getattr(ref, k)
                if a is None or b is None or k in m.low_confidence or k in ref.low_confidence:
                    continue
                compared[fs] += 1
                if abs(a - b) > 4:
                    apart[fs].append(f"{f.stem} {k} {a} vs {b}")
    assert records >= 20 and min(compared.values()) >= 2 * records, (records, compared)
    assert not apart[250.0] and not apart[1000.0], apart
    assert len(apart[100.0]) <= 0.05 * compared[100.0], (compared[100.0], apart[100.0])


@pytest.mark.shared_data
def test_qt_database_whole_as_the_bench_reports_it(shared_data: Path) -> None:
    """Every QT Database record through the bench's per-beat evaluation, each half as section 4
    prints it (even records: where thresholds were chosen; odd: held out). The per-record SD
    (Martínez et al. 2004's measure) stays where it is (2026-12-06: QRS onset 8.2 / 8.0, QRS end
    8.8 / 8.5 since the S-wave return (9.2 / 8.9 before), T end 20.2 / 16.1, P onset 16.2 / 13.8 ms; 0.3 ms of room), the held-out half's
    P onset and T end within Martínez's 14.8 and 18.1 ms; every mean within 5 ms; sensitivity and gross T ends (>
    50 ms) as a share of the beats: a change that loosens any of them fails here, not only in
    the bench's printout."""
    import statistics

    evaluate_record = _qtdb_evaluate_record()
    root = shared_data / "qtdb"
    names = [s.strip() for s in (root / "RECORDS").read_text().split() if s.strip()]
    per_rec = {n: evaluate_record(root / n) for n in names}
    caps = {  # fiducial: (even SD/rec, odd SD/rec, Se): today's SDs + 0.3 ms
        "p_on": (16.5, 14.1, 0.88), "qrs_on": (8.5, 8.3, 0.99),
        "qrs_off": (9.2, 8.9, 0.94), "t_end": (20.5, 16.4, 0.86),
    }
    for half, recs in enumerate((names[0::2], names[1::2])):
        for f, limits in caps.items():
            errs = [e for r in recs for e in per_rec[r][f]]
            n_ann = sum(per_rec[r][f"n_{f}"][0] for r in recs)
            sd_rec = statistics.mean(statistics.stdev(per_rec[r][f]) for r in recs
                                     if len(per_rec[r][f]) > 1)
            assert sd_rec <= limits[half], (half, f, sd_rec)
            assert abs(statistics.mean(errs)) <= 5.0, (half, f, statistics.mean(errs))
            assert len(errs) >= limits[2] * n_ann, (half, f, len(errs), n_ann)
        t_end = [e for r in recs for e in per_rec[r]["t_end"]]
        assert sum(abs(e) > 50 for e in t_end) <= 0.11 * len(t_end), half
