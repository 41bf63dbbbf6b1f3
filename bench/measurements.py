"""Validation figures of the ECG measurements (``ecg_viewer.signal.measure``).

    PYTHONPATH=$PWD .venv/bin/python bench/measurements.py [--data ../shared/data]
        [--only mitbih,device,qtdb,synthetic,plausibility,ptbxl,rates] [--plots DIR] [--single-beat]
        [--all-in-median]

1. R-peak detection on MIT-BIH record 100 against its beat annotations (match window 150 ms,
   as in ANSI/AAMI EC57): sensitivity, positive predictivity, time; the same for neurokit2's
   detectors on MLII.
2. Global PR, QRS, QT against the carts' own measurements in every sample file that carries them
   (``meta.extra["device_measurements"]``) and the GE MUSE files of ``cart_reference/``: mean ±
   SD and gross errors (|error| > 25 ms PR/QRS, > 50 ms QT) per reference; files whose cart
   figures are identical are copies of one recording and are counted once.
3. PTB-XL 100 Hz subset: heart rate against the rhythm labels, P wave found in SR vs AFIB/AFLT,
   beat detection with one lead flat or noisy.
4. QT Database, per fiducial (P onset, QRS onset/offset, T end) against the first annotator,
   thresholds chosen on the even records, reported on the odd (``bench/measurements_qtdb.py``).
5. Synthetic ECGs with exactly known intervals: the edge cases (AF, flutter, paced, BBB, low and
   negative T, U wave, noise, 250/1000 Hz).
6. QT plausibility on the bundled samples and the 50 + 84 CinC records (no reference): flagged
   records are listed, and with ``--plots DIR`` their median beats drawn to PNG for looking at.
7. Sampling-rate independence: the 500 Hz CinC records resampled to 100, 250 and 1000 Hz, the
   PR/QRS/QT that move by more than 4 ms from 500 Hz (and whether they are low-confidence).
"""

from __future__ import annotations

import argparse
import ast
import csv
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ecg_viewer.core.record import EcgRecord  # noqa: E402
from ecg_viewer.io import read_ecg  # noqa: E402
from ecg_viewer.signal.beats import detect_beats  # noqa: E402
from ecg_viewer.signal.measure import measure  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measurements_qtdb import qtdb  # noqa: E402
from measurements_refs import device, plausibility, synthetic_cases  # noqa: E402

SINUS = {"SR", "STACH", "SBRAD", "SARRH"}

DEFAULT_DATA = REPO.parent / "shared" / "data"
BEAT_SYMBOLS = set("NLRBAaJSVrFejnE/fQ?")
def match_beats(det: np.ndarray, ref: np.ndarray, tol: int) -> tuple[int, int, int]:
    """(true positives, false negatives, false positives), each detection used once."""
    used = np.zeros(det.size, dtype=bool)
    tp = 0
    for r in ref:
        k = int(np.searchsorted(det, r - tol))
        while k < det.size and det[k] <= r + tol:
            if not used[k]:
                used[k] = True
                tp += 1
                break
            k += 1
    return tp, ref.size - tp, det.size - tp


def mitbih(data: Path) -> None:
    import wfdb

    print("== 1. R peaks, MIT-BIH record 100 (annotations: 100.atr, window 150 ms)")
    rec = read_ecg(data / "samples" / "wfdb" / "100.hea")
    ann = wfdb.rdann(str(data / "samples" / "wfdb" / "100"), "atr")
    ref = np.array([s for s, c in zip(ann.sample, ann.symbol, strict=True) if c in BEAT_SYMBOLS])
    tol = int(0.15 * rec.fs_hz)
    print(f"   {ref.size} annotated beats, {rec.duration_s / 60:.1f} min, leads {rec.lead_names}")
    rows = []
    for leads in (rec.lead_names, ("MLII",), ("V5",)):
        idx = [rec.lead_names.index(n) for n in leads]
        t0 = time.perf_counter()
        det = detect_beats(rec.signal_mv[idx], rec.fs_hz, leads).r_peaks
        rows.append((f"ecg_viewer ({'+'.join(leads)})", det, time.perf_counter() - t0))
    try:
        import neurokit2 as nk

        x = rec.lead("MLII").astype(np.float64)
        for method in ("neurokit", "pantompkins1985", "hamilton2002"):
            t0 = time.perf_counter()
            clean = nk.ecg_clean(x, sampling_rate=int(rec.fs_hz), method="neurokit")
            _, info = nk.ecg_peaks(clean, sampling_rate=int(rec.fs_hz), method=method)
            det = np.asarray(info["ECG_R_Peaks"], dtype=np.int64)
            rows.append((f"neurokit2 {method} (MLII)", det, time.perf_counter() - t0))
    except ImportError:
        print("   neurokit2 not installed: its rows are left out")
    print(f"   {'detector':34s} {'Se %':>7s} {'+P %':>7s} {'FN':>4s} {'FP':>4s} {'time s':>7s}")
    for name, det, dt in rows:
        tp, fn, fp = match_beats(np.sort(det), ref, tol)
        print(f"   {name:34s} {100 * tp / (tp + fn):7.2f} {100 * tp / (tp + fp):7.2f} "
              f"{fn:4d} {fp:4d} {dt:7.2f}")


def ptbxl(data: Path) -> None:
    npz = np.load(data / "ptbxl" / "ptbxl100_subset.npz")
    labels: dict[int, dict] = {}
    with open(data / "ptbxl" / "ptbxl_labels.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            labels[int(row["ecg_id"])] = ast.literal_eval(row["scp_codes"])
    leads = tuple(str(s) for s in npz["leads"])
    fs = float(npz["fs"])
    x_all = npz["X"]
    ids = npz["ecg_id"]
    print(f"\n== 3. PTB-XL 100 Hz subset ({len(ids)} records, 10 s)")
    try:
        import neurokit2 as nk
    except ImportError:
        nk = None
    groups: dict[str, list[float]] = {"SBRAD": [], "STACH": [], "SR": []}
    p_found: dict[str, list[bool]] = {"SR": [], "AFIB": [], "AFLT": []}
    irregular: dict[str, list[bool]] = {"SR": [], "AFIB": [], "AFLT": []}
    t_measure = 0.0
    nk_diff: list[float] = []
    third = {"n": 0, "ours": 0, "neurokit": 0}
    none_hr = 0
    robust_ok = {"flat V2": 0, "noisy V2": 0}
    robust_n = 0
    sinus_p: list[tuple[float, bool]] = []  # (HR, P found) of the sinus records
    t0 = time.perf_counter()
    for i, ecg_id in enumerate(ids):
        sig = (x_all[i].T.astype(np.float32) / 1000.0).copy()
        rec = EcgRecord(signal_mv=sig, fs_hz=fs, lead_names=leads, format="npz")
        t1 = time.perf_counter()
        m = measure(rec)
        t_measure += time.perf_counter() - t1
        codes = labels.get(int(ecg_id), {})
        hr = m.hr_bpm
        if hr is None:
            none_hr += 1
        for g in groups:
            if g in codes and hr is not None:
                groups[g].append(hr)
        rhythm = next((g for g in ("SR", "AFIB", "AFLT") if g in codes), None)
        if hr is not None and codes.keys() & SINUS and not codes.keys() & {"AFIB", "AFLT"}:
            sinus_p.append((hr, m.p_ms is not None))
        if rhythm:
            p_found[rhythm].append(m.p_ms is not None)
            if m.rr_irregular is not None:
                irregular[rhythm].append(bool(m.rr_irregular))
        if nk is not None and hr is not None:
            try:
                lead_ii = sig[leads.index("II")].astype(np.float64)
                clean = nk.ecg_clean(lead_ii, sampling_rate=int(fs))
                _, info = nk.ecg_peaks(clean, sampling_rate=int(fs))
                pk = np.asarray(info["ECG_R_Peaks"])
                if pk.size >= 2:
                    hr_nk = 60.0 * fs / float(np.mean(np.diff(pk)))
                    nk_diff.append(hr - hr_nk)
                    if abs(hr - hr_nk) > 5:  # a third opinion: neurokit2's Pan-Tompkins
                        _, info3 = nk.ecg_peaks(clean, sampling_rate=int(fs), method="pantompkins1985")
                        p3 = np.asarray(info3["ECG_R_Peaks"])
                        if p3.size >= 2:
                            hr_pt = 60.0 * fs / float(np.mean(np.diff(p3)))
                            third["ours"] += int(abs(hr_pt - hr) <= 5)
                            third["neurokit"] += int(abs(hr_pt - hr_nk) <= 5)
                            third["n"] += 1
            except Exception:  # neurokit2 fails on some records
                pass
        if i % 10 == 0 and m.beat_detection is not None and m.beats >= 4:
            robust_n += 1
            ref = m.beat_detection.r_peaks
            v2 = leads.index("V2")
            for name in robust_ok:
                bad = sig.copy()
                if name.startswith("flat"):
                    bad[v2] = 0.0
                else:
                    rng = np.random.default_rng(int(ecg_id))
                    bad[v2] = bad[v2] + rng.normal(0.0, 0.5, bad.shape[1]).astype(np.float32)
                det = detect_beats(bad, fs, leads).r_peaks
                tp, fn, fp = match_beats(np.sort(det), ref, int(0.1 * fs))
                robust_ok[name] += int(fn == 0 and fp == 0)
    dt = time.perf_counter() - t0
    print(f"   measure(): {1000 * t_measure / len(ids):.0f} ms per record (all: {dt:.0f} s with "
          f"neurokit2 and the robustness runs); HR not measurable: {none_hr}")
    rules = {"SBRAD": lambda h: h < 60, "STACH": lambda h: h > 100, "SR": lambda h: 50 <= h <= 100}
    for g, hrs in groups.items():
        if hrs:
            ok = sum(rules[g](h) for h in hrs)
            print(f"   {g:6s} n={len(hrs):4d}  HR median {statistics.median(hrs):5.1f} bpm; "
                  f"{100 * ok / len(hrs):5.1f} % within the label's range")
    for g in p_found:
        if p_found[g]:
            print(f"   {g:5s} P wave measured in {100 * np.mean(p_found[g]):5.1f} % "
                  f"(n={len(p_found[g])}); RR irregular in {100 * np.mean(irregular[g]):5.1f} %")
    if sinus_p:
        # a sinus tachycardia whose P wave is missed reads as a rhythm without P waves (AF-like)
        hr_found = np.array(sinus_p)
        bands = []
        for lo, hi in ((0, 60), (60, 100), (100, 120), (120, 400)):
            sel = hr_found[(hr_found[:, 0] >= lo) & (hr_found[:, 0] < hi), 1]
            if sel.size:
                bands.append(f"{lo}-{hi}/min {100 * sel.mean():.1f} % (n={sel.size})"
                             if hi < 400 else f"≥{lo}/min {100 * sel.mean():.1f} % (n={sel.size})")
        print("   sinus (SR/STACH/SBRAD/SARRH) P wave measured by HR: " + ", ".join(bands))
    if nk_diff:
        d = np.abs(np.array(nk_diff))
        print(f"   HR vs neurokit2 (lead II): n={d.size}, median |diff| {np.median(d):.2f} bpm, "
              f"within 2 bpm {100 * np.mean(d <= 2):.1f} %, within 5 bpm {100 * np.mean(d <= 5):.1f} %")
        print(f"   where they differ by > 5 bpm ({third['n']} records), neurokit2 pantompkins1985 "
              f"agrees (within 5 bpm) with ours in {third['ours']}, with neurokit2 in "
              f"{third['neurokit']}")
    for name, ok in robust_ok.items():
        print(f"   one lead {name}: same beats as with all leads intact in {ok}/{robust_n} records")


def rates(data: Path) -> None:
    """The same ECG at 100, 250 and 1000 Hz (polyphase resampling of a 500 Hz record, its first
    10 s) against 500 Hz: how many PR/QRS/QT differ by more than 4 ms (or are measured at one
    rate only), all of them and those confident (>= 0.5) at both rates."""
    from ecg_viewer.model.preprocess import resample  # the model's polyphase resampling

    print("\n== 7. Sampling-rate independence: PR, QRS, QT at 100/250/1000 Hz vs 500 Hz "
          "(> 4 ms apart, or measured at one rate only)")
    groups = {"CinC 2021 samples": sorted((data / "samples" / "wfdb_cinc2021").glob("*.hea")),
              "cinc_extra": sorted((data / "cinc_extra").glob("*.hea"))}
    keys = ("pr_ms", "qrs_ms", "qt_ms")
    for label, files in groups.items():
        n, bad, sure = 0, dict.fromkeys((100, 250, 1000), 0), dict.fromkeys((100, 250, 1000), 0)
        worst: list[str] = []
        for f in files:
            try:
                rec = read_ecg(f)
            except Exception:  # an unreadable header is skipped, as in section 6
                continue
            if rec.fs_hz != 500.0:
                continue
            rec = EcgRecord(signal_mv=rec.signal_mv[:, :5000], fs_hz=500.0,
                            lead_names=rec.lead_names)
            ref = measure(rec)
            n += 1
            for fs in bad:
                m = measure(EcgRecord(signal_mv=resample(rec.signal_mv, 500.0, float(fs)),
                                      fs_hz=float(fs), lead_names=rec.lead_names))
                for k in keys:
                    a, b = getattr(m, k), getattr(ref, k)
                    if (a is None) != (b is None) or (a is not None and abs(a - b) > 4):
                        bad[fs] += 1
                        low = k in m.low_confidence or k in ref.low_confidence
                        sure[fs] += not low
                        worst.append(f"{f.stem} {fs} Hz {k[:-3]} {a} vs {b}"
                                     + (" (low confidence)" if low else ""))
        print(f"   {label}: {n} records x 3 intervals; beyond 4 ms at 100/250/1000 Hz: "
              f"{bad[100]}/{bad[250]}/{bad[1000]}; of them confident at both rates: "
              f"{sure[100]}/{sure[250]}/{sure[1000]}")
        for w in worst:
            print(f"      {w}")


SECTIONS = ("mitbih", "device", "qtdb", "synthetic", "plausibility", "ptbxl", "rates")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    ap.add_argument("--plots", type=Path, default=None, help="draw flagged median beats here")
    ap.add_argument("--single-beat", action="store_true", help="QTDB: delineate single beats")
    ap.add_argument("--all-in-median", action="store_true",
                    help="QTDB: score a beat on its 9-beat median even when the median left it out")
    ap.add_argument("--skip-ptbxl", action="store_true")
    args = ap.parse_args(argv)
    if not args.data.is_dir():
        print(f"no development data at {args.data}; nothing to measure")
        return 0
    only = set(args.only.split(","))
    if args.skip_ptbxl:
        only.discard("ptbxl")
    t0 = time.perf_counter()
    if "mitbih" in only:
        mitbih(args.data)
    if "device" in only:
        device(args.data)
    if "ptbxl" in only:
        ptbxl(args.data)
    if "qtdb" in only:
        qtdb(args.data, single_beat=args.single_beat, all_in_median=args.all_in_median)
    if "synthetic" in only:
        synthetic_cases()
    if "plausibility" in only:
        plausibility(args.data, args.plots)
    if "rates" in only:
        rates(args.data)
    print(f"\ntotal {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
