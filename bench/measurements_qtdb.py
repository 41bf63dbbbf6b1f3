"""Delineation against the QT Database (Laguna et al. 1997), first annotator (``.q1c``).

How the product's delineator is put on a two-lead, beat-by-beat reference:

- beats are detected on the whole record (``detect_beats``, both leads);
- for every annotated QRS (a beat symbol with its ``(`` onset and ``)`` offset marks) the nearest
  detected beat within 150 ms is taken, and a *short median* is built from it and its neighbours
  (``SHORT_MEDIAN_BEATS`` detected beats centred on it, the product's ``median_beat()`` on that
  stretch of signal), then delineated with the product's global delineation over both leads
  (``global_fiducials``: the same code ``measure()`` runs, including the decision whether there is
  a P wave). An annotated beat that the median's beat selection leaves out (premature, or a
  shape that does not correlate with the others) is delineated alone (a median of one): the
  median describes its neighbours, not it (a cart does not measure a beat it leaves out of its
  representative beat either). ``--all-in-median`` scores it on the median anyway (the rule
  before 2026-12-04); ``--single-beat`` delineates every annotated beat alone.
- the fiducials are mapped back to the annotated beat (its R peak after alignment) and compared
  with the annotation: per annotated fiducial, the detected one of the same beat counts as a
  match when it lies within ``TOLERANCE_MS`` (150 ms); error = ours - annotator. Sensitivity =
  matched / annotated. Reported: mean, SD over all matched beats (pooled) and the mean of the
  per-record SDs (the convention of Martínez et al. 2004, whose figures are the target).
- records are split by their position in ``RECORDS`` (even / odd): thresholds are chosen on the
  even half; the odd half is the one reported as held out.
- the annotators' own scatter, the floor under the per-record SDs: the within-record SD of the
  annotated QRS duration against ours (a median beat measures nearly one duration per record),
  and the second annotator (``.q2c``, 11 records) against the first, next to ours on the same
  beats.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

from ecg_viewer.signal.beats import detect_beats
from ecg_viewer.signal.median import median_beat

TOLERANCE_MS = 150.0
SHORT_MEDIAN_BEATS = 9
FIDUCIALS = ("p_on", "qrs_on", "qrs_off", "t_end")
MARTINEZ_2004 = {"p_on": (2.0, 14.8), "qrs_on": (4.6, 7.7), "qrs_off": (0.8, 8.7), "t_end": (-1.6, 18.1)}
NON_BEAT = set("()ptu\"~|+[]!x")


def _global_fiducials(mb: Any, rr_s: float, irregular: bool) -> Any:
    """The product's delineation of a median beat (HEAD fallback for the 'before' table)."""
    from ecg_viewer.signal import measure as m

    if hasattr(m, "global_fiducials"):
        return m.global_fiducials(mb, rr_s, irregular=irregular)
    from dataclasses import replace

    from ecg_viewer.signal.delineate import delineate

    f = delineate(mb, rr_s)
    ok, _ = m._p_present(mb, f, irregular)
    return f if ok else replace(f, p_on=None, p_off=None, p_peak=None)


def annotated_beats(samples: np.ndarray, symbols: list[str]) -> list[dict[str, int | None]]:
    """One dict per annotated QRS: r, qrs_on, qrs_off, p_on (of the P before it), t_end."""
    beats: list[dict[str, int | None]] = []
    n = len(symbols)
    qrs_idx = [i for i, s in enumerate(symbols) if s not in NON_BEAT]
    for k, i in enumerate(qrs_idx):
        b: dict[str, int | None] = {"r": int(samples[i]), "p_on": None, "t_end": None}
        b["qrs_on"] = int(samples[i - 1]) if i > 0 and symbols[i - 1] == "(" else None
        b["qrs_off"] = int(samples[i + 1]) if i + 1 < n and symbols[i + 1] == ")" else None
        prev_q = qrs_idx[k - 1] if k > 0 else -1
        next_q = qrs_idx[k + 1] if k + 1 < len(qrs_idx) else n
        for j in range(i - 1, prev_q, -1):  # the P wave between the previous QRS and this one
            if symbols[j] == "p":
                b["p_on"] = int(samples[j - 1]) if j > 0 and symbols[j - 1] == "(" else None
                break
        for j in range(i + 1, next_q):  # the T wave after this QRS
            if symbols[j] == "t":
                b["t_end"] = int(samples[j + 1]) if j + 1 < n and symbols[j + 1] == ")" else None
                break
        beats.append(b)
    return beats


def evaluate_record(path: Path, *, single_beat: bool = False, all_in_median: bool = False,
                    stats: dict[str, int] | None = None) -> dict[str, list[float]]:
    """Errors (ms) per fiducial for one record, plus 'n_<fid>' annotated counts.

    ``all_in_median``: score every beat on its 9-beat median even when the beat selection left
    it out (the rule before 2026-12-04)."""
    stats = stats if stats is not None else {"left_out": 0}
    import wfdb

    rec = wfdb.rdrecord(str(path))
    ann = wfdb.rdann(str(path), "q1c")
    fs = float(rec.fs)
    x = np.nan_to_num(rec.p_signal.T.astype(np.float64))
    names = tuple(f"ch{i}" for i in range(x.shape[0]))
    det = detect_beats(x, fs, names).r_peaks
    extra = ("qrs_ms_ann", "qrs_ms_ours", *(f"r_{f}" for f in FIDUCIALS))
    out: dict[str, list[float]] = {f: [] for f in (*FIDUCIALS, *extra)}
    counts = dict.fromkeys(FIDUCIALS, 0)
    tol = TOLERANCE_MS * fs / 1000.0
    half = SHORT_MEDIAN_BEATS // 2
    for b in annotated_beats(ann.sample, list(ann.symbol)):
        for f in FIDUCIALS:
            counts[f] += b[f] is not None
        if det.size < 3:
            continue
        k = int(np.argmin(np.abs(det - b["r"])))
        if abs(int(det[k]) - int(b["r"])) > 0.15 * fs:
            continue
        ks = [k] if single_beat else list(range(max(k - half, 0), min(k + half + 1, det.size)))
        lo = max(int(det[ks[0]] - 1.0 * fs), 0)
        hi = min(int(det[ks[-1]] + 1.2 * fs), x.shape[1])
        mb = median_beat(x[:, lo:hi], fs, names, det[ks] - lo)
        if mb is None:
            continue
        # the annotated beat's R after alignment (its own position in the median's beats)
        used = mb.used_r_peaks + lo
        j = int(np.argmin(np.abs(used - det[k])))
        in_median = abs(int(used[j]) - int(det[k])) <= 0.03 * fs
        r_aligned = int(used[j]) if in_median else int(det[k])
        if not in_median and not single_beat and not all_in_median:
            # the beat selection left this beat out (premature, or another shape): the median
            # describes its neighbours, not it, so it is delineated alone (a median of one)
            stats["left_out"] += 1
            mb_one = median_beat(x[:, lo:hi], fs, names, det[[k]] - lo)
            if mb_one is not None:
                mb, r_aligned = mb_one, int(mb_one.used_r_peaks[0] + lo)
        rr = np.diff(det[max(k - half, 0) : min(k + half + 1, det.size)]) / fs
        rr_s = float(np.median(rr)) if rr.size else 1.0
        irregular = bool(rr.size >= 4 and np.sqrt(np.mean(np.diff(rr) ** 2)) / rr.mean() > 0.1)
        fid = _global_fiducials(mb, rr_s, irregular)
        matched = {}
        for f in FIDUCIALS:
            v = getattr(fid, f)
            if b[f] is None or v is None:
                continue
            ours = r_aligned + (v - mb.r_index) * fs / mb.fs_hz
            err = (ours - b[f]) * 1000.0 / fs
            if abs(err) <= TOLERANCE_MS and abs(ours - b[f]) <= tol:
                out[f].append(err)
                out[f"r_{f}"].append(float(b["r"]))  # the annotated beat, to pair with annotator 2
                matched[f] = err
        if "qrs_on" in matched and "qrs_off" in matched:
            # this beat's QRS duration, annotated and ours (the beat-to-beat scatter of each)
            ann_ms = (b["qrs_off"] - b["qrs_on"]) * 1000.0 / fs
            out["qrs_ms_ann"].append(ann_ms)
            out["qrs_ms_ours"].append(ann_ms + matched["qrs_off"] - matched["qrs_on"])
    for f in FIDUCIALS:
        out[f"n_{f}"] = [float(counts[f])]
    return out


def qtdb(data: Path, *, single_beat: bool = False, limit: int | None = None,
         all_in_median: bool = False) -> None:
    root = data / "qtdb"
    names = [s.strip() for s in (root / "RECORDS").read_text().split() if s.strip()]
    names = names[:limit] if limit else names
    mode = "single beat" if single_beat else f"short median of {SHORT_MEDIAN_BEATS} beats" + (
        " (every beat on its median)" if all_in_median else " (a beat it leaves out: alone)")
    print(f"\n== 4. QT Database, first annotator (.q1c), {len(names)} records, {mode}; "
          f"match within {TOLERANCE_MS:.0f} ms; ours - annotator (ms)")
    t0 = time.perf_counter()
    per_rec: dict[str, dict[str, list[float]]] = {}
    stats = {"left_out": 0}
    for name in names:
        try:
            per_rec[name] = evaluate_record(root / name, single_beat=single_beat,
                                            all_in_median=all_in_median, stats=stats)
        except Exception as exc:  # a record that cannot be read is reported, not fatal
            print(f"   {name}: failed ({type(exc).__name__}: {exc})")
    halves = {"even (tuning)": names[0::2], "odd (held out)": names[1::2], "all": names}
    print(f"   {'half':16s} {'fiducial':8s} {'Se %':>6s} {'mean':>6s} {'SD pooled':>9s} "
          f"{'SD/rec':>7s} {'n':>5s} {'|e|>25/50':>9s}   Martínez 2004")
    for label, recs in halves.items():
        for f in FIDUCIALS:
            errs = [e for r in recs if r in per_rec for e in per_rec[r][f]]
            n_ann = sum(per_rec[r][f"n_{f}"][0] for r in recs if r in per_rec)
            sds = [statistics.stdev(per_rec[r][f]) for r in recs
                   if r in per_rec and len(per_rec[r][f]) > 1]  # fmt: skip
            if not errs:
                print(f"   {label:16s} {f:8s}   none matched of {n_ann:.0f}")
                continue
            gross_lim = 50 if f == "t_end" else 25
            gross = sum(abs(e) > gross_lim for e in errs)
            m, s = MARTINEZ_2004[f]
            print(f"   {label:16s} {f:8s} {100 * len(errs) / max(n_ann, 1):6.1f} "
                  f"{statistics.mean(errs):+6.1f} {statistics.pstdev(errs):9.1f} "
                  f"{statistics.mean(sds) if sds else 0:7.1f} {len(errs):5d} {gross:9d}"
                  f"   {m:+.1f} ± {s:.1f}")
    _annotator_scatter(root, per_rec)
    if stats["left_out"]:
        print(f"   {stats['left_out']} annotated beats left out of their median by the beat "
              "selection were delineated alone")
    print(f"   ({time.perf_counter() - t0:.0f} s)")


def second_annotator_errors(path: Path) -> dict[str, dict[int, float]]:
    """Second annotator (``.q2c``) minus first (``.q1c``), ms, per fiducial and first-annotator
    beat (its R mark), over the QRSs both annotated (R marks within ``TOLERANCE_MS``) where both
    marked the fiducial."""
    import wfdb

    fs = float(wfdb.rdheader(str(path)).fs)
    a1 = wfdb.rdann(str(path), "q1c")
    a2 = wfdb.rdann(str(path), "q2c")
    b1 = annotated_beats(a1.sample, list(a1.symbol))
    b2 = annotated_beats(a2.sample, list(a2.symbol))
    out: dict[str, dict[int, float]] = {f: {} for f in FIDUCIALS}
    if not b1 or not b2:
        return out
    r2 = np.array([b["r"] for b in b2])
    for b in b1:
        k = int(np.argmin(np.abs(r2 - b["r"])))
        if abs(int(r2[k]) - int(b["r"])) > TOLERANCE_MS * fs / 1000.0:
            continue
        for f in FIDUCIALS:
            v1, v2 = b[f], b2[k][f]
            if v1 is not None and v2 is not None:
                out[f][int(b["r"])] = (v2 - v1) * 1000.0 / fs
    return out


def _mean_sd(per: list[list[float]]) -> tuple[float, float, int]:
    """(mean, mean of the per-record SDs, n) over records' error lists."""
    errs = [e for v in per for e in v]
    sds = [statistics.stdev(v) for v in per if len(v) > 1]
    return (statistics.mean(errs) if errs else float("nan"),
            statistics.mean(sds) if sds else float("nan"), len(errs))


def _annotator_scatter(root: Path, per_rec: dict[str, dict[str, list[float]]]) -> None:
    """How far the per-record SDs can go: the annotators' own scatter. (1) The QRS duration of
    each annotated beat (first annotator) against ours, SD within each record (a median beat
    gives nearly one value per record; the annotator's beat-to-beat scatter is a floor under the
    per-record SD of the onset/end errors). (2) The second annotator against the first on the
    records that have one (``.q2c``), next to ours against the first on the same beats."""
    ann = [v["qrs_ms_ann"] for v in per_rec.values() if len(v["qrs_ms_ann"]) > 1]
    ours = [v["qrs_ms_ours"] for v in per_rec.values() if len(v["qrs_ms_ours"]) > 1]
    if ann:
        sd_a = [statistics.stdev(v) for v in ann]
        sd_o = [statistics.stdev(v) for v in ours]
        print(f"   QRS duration, SD within a record (all {len(ann)} records), mean/median: "
              f"annotator {statistics.mean(sd_a):.1f}/{statistics.median(sd_a):.1f} ms, "
              f"ours {statistics.mean(sd_o):.1f}/{statistics.median(sd_o):.1f} ms")
    two = [n for n in per_rec if (root / f"{n}.q2c").exists()]
    if not two:
        return
    second = {n: second_annotator_errors(root / n) for n in two}
    print(f"   second annotator (.q2c) - first, on the {len(two)} records that have one, "
          "mean ± SD/rec (n), next to ours - first on the same beats:")
    for f in FIDUCIALS:
        pairs = []  # (annotator 2, ours) per record, on the beats both have
        for n in two:
            ours = dict(zip((int(r) for r in per_rec[n][f"r_{f}"]), per_rec[n][f], strict=True))
            both = [r for r in second[n][f] if r in ours]
            pairs.append(([second[n][f][r] for r in both], [ours[r] for r in both]))
        m2, s2, n2 = _mean_sd([p[0] for p in pairs])
        m1, s1, n1 = _mean_sd([p[1] for p in pairs])
        if not n2:
            print(f"      {f:8s} annotator 2: not marked")
            continue
        print(f"      {f:8s} annotator 2: {m2:+5.1f} ± {s2:4.1f} ({n2:4d})   "
              f"ours: {m1:+5.1f} ± {s1:4.1f} ({n1:4d})")
