"""Global intervals against 12-lead references: the carts' own figures, synthetic ECGs with known
intervals, and a plausibility screen of QT on the bundled samples and the CinC records.

Used by ``bench/measurements.py`` (sections 2, 5 and 6).
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ecg_viewer.io import read_ecg
from ecg_viewer.signal.measure import measure

REPO = Path(__file__).resolve().parents[1]
COMPARED = (
    ("hr_bpm", "hr_bpm"), ("pr_ms", "pr_ms"), ("p_ms", "p_ms"), ("qrs_ms", "qrs_ms"),
    ("qt_ms", "qt_ms"), ("qtc_bazett_ms", "qtc_ms"), ("qrs_axis_deg", "qrs_axis_deg"),
    ("t_axis_deg", "t_axis_deg"),
)  # fmt: skip
# synthetic_muse.xml: a generated waveform whose stored "cart" figures were written by hand and do
# not belong to the waveform (its QT of 402 ms is longer than the drawn T wave); shown, not counted.
NOT_COUNTED = {"synthetic_muse.xml"}
GROSS_MS = {"pr_ms": 25, "qrs_ms": 25, "qt_ms": 50, "p_ms": 25}
IEC_MS = {"pr_ms": (10, 10), "qrs_ms": (10, 10), "qt_ms": (25, 30)}  # |mean| limit, SD limit
SKIP_SUFFIX = {".dat", ".atr", ".mat", ".xyz", ".txt", ".md", ".json", ".csv", ".q1c", ".q2c"}


def _fmt(v: float | None) -> str:
    return "-" if v is None else f"{v:.0f}"


def summary(diffs: dict[str, list[float]], indent: str = "   ") -> None:
    """mean ± SD, n and the gross errors per interval, with the IEC 60601-2-25 verdict."""
    for k, vals in diffs.items():
        if not vals:
            print(f"{indent}{k:14s} n=0")
            continue
        sd = statistics.stdev(vals) if len(vals) > 1 else 0.0
        mean = statistics.mean(vals)
        gross = sum(abs(v) > GROSS_MS[k] for v in vals) if k in GROSS_MS else 0
        verdict = ""
        if k in IEC_MS:
            lim_m, lim_s = IEC_MS[k]
            ok = abs(mean) <= lim_m and sd <= lim_s
            verdict = f"  [IEC mean ±{lim_m}, SD ≤{lim_s}: {'within' if ok else 'OUTSIDE'}]"
        g = f", gross (>{GROSS_MS[k]} ms) {gross}" if k in GROSS_MS else ""
        print(f"{indent}{k:14s} {mean:+7.1f} ± {sd:5.1f} (n={len(vals)}){g}{verdict}")


def device_files(data: Path) -> list[Path]:
    roots = [data / "samples", REPO / "resources" / "samples", data / "cart_reference"]
    out = []
    for root in roots:
        if root.is_dir():
            out += [p for p in sorted(root.rglob("*")) if p.is_file()
                    and p.suffix.lower() not in SKIP_SUFFIX and not p.name.startswith("LICENSE")]  # fmt: skip
    return out


def device(data: Path) -> None:
    """Every sample file whose cart figures the reader found (meta.extra['device_measurements'])."""
    t0 = time.perf_counter()
    print("\n== 2. Global intervals vs the carts' own measurements (ours - cart, ms)")
    print("   " + f"{'file':44s}" + "".join(f"{k.replace('_ms', '').replace('_deg', '°'):>14s}"
                                        for k, _ in COMPARED))  # fmt: skip
    seen: dict[tuple, str] = {}
    groups: dict[str, dict[str, list[float]]] = {
        g: {k: [] for k in ("pr_ms", "qrs_ms", "qt_ms")} for g in ("samples", "cart_reference")
    }
    for path in device_files(data):
        try:
            rec = read_ecg(path)
        except Exception:  # not an ECG file, or a bad-input sample
            continue
        dev = rec.meta.extra.get("device_measurements") or {}
        if not any(dev.get(k) is not None for k in ("pr_ms", "qrs_ms", "qt_ms")):
            continue
        ours = measure(rec).to_dict()
        key = tuple(sorted((k, v) for k, v in dev.items() if v is not None))
        copy_of = seen.get(key)
        group = "cart_reference" if path.parent.name == "cart_reference" else "samples"
        cells = []
        for ok, dk in COMPARED:
            o, d = ours.get(ok), dev.get(dk)
            if o is None or d is None:
                cells.append(f"{_fmt(o)}/{_fmt(d)}".rjust(14))
                continue
            diff = o - d
            if ok.endswith("_deg"):
                diff = (diff + 180.0) % 360.0 - 180.0
            cells.append(f"{_fmt(o)}/{_fmt(d)} {diff:+.0f}".rjust(14))
            if copy_of is None and path.name not in NOT_COUNTED and ok in groups[group]:
                groups[group][ok].append(diff)
        for ok in groups[group]:  # a cart value we did not measure counts as a gross error
            if dev.get(ok) is not None and ours.get(ok) is None and copy_of is None \
                    and path.name not in NOT_COUNTED:  # fmt: skip
                groups[group][ok].append(math.inf)
        rel = f"{path.parent.name}/{path.name}"
        note = f"  (same recording as {copy_of})" if copy_of else ""
        note += "  (not counted: synthetic)" if path.name in NOT_COUNTED else ""
        print(f"   {rel:44s}" + "".join(cells) + note)
        if copy_of is None:
            seen[key] = rel
    print("   cells: ours/cart difference; '-' = not measured (counted as a gross error)")
    for g, diffs in groups.items():
        print(f"   summary, {g} (distinct real recordings):")
        finite = {k: [v for v in vals if math.isfinite(v)] for k, vals in diffs.items()}
        summary(finite, "     ")
        missing = {k: sum(not math.isfinite(v) for v in vals) for k, vals in diffs.items()}
        if any(missing.values()):
            print(f"     not measured where the cart has a value: {missing}")
    print(f"   ({time.perf_counter() - t0:.0f} s)")


SYNTHETIC_CASES: dict[str, dict[str, Any]] = {
    "normal 60/min": {},
    "tachycardia 120/min": {"hr": 120.0, "qt_ms": 300.0, "pr_ms": 140.0},
    "bradycardia 45/min, 1st-degree AVB": {"hr": 45.0, "pr_ms": 260.0, "qt_ms": 460.0},
    "wide QRS 150 ms (BBB)": {"qrs_ms": 150.0, "qt_ms": 440.0},
    "low T (x0.2)": {"t_gain": 0.2},
    "negative T": {"t_gain": -1.0},
    "U wave (40 % of T)": {"u_gain": 0.4},
    "noise 0.05 mV + wander": {"noise_mv": 0.05, "wander_mv": 0.4},
    "atrial fibrillation": {"af": True},
    "atrial flutter 4:1": {"flutter": True},
    "paced, QRS 150 ms": {"paced": True, "qrs_ms": 150.0, "qt_ms": 440.0},
    "250 Hz": {"fs": 250.0},
    "1000 Hz": {"fs": 1000.0},
}


def synthetic_cases() -> None:
    from ecg_viewer.signal.synthetic import synthetic

    t0 = time.perf_counter()
    print("\n== 5. Synthetic ECGs with exactly known intervals (ours - truth, ms)")
    print(f"   {'case':36s} {'PR':>8s} {'QRS':>8s} {'QT':>8s}  notes")
    diffs: dict[str, list[float]] = {"pr_ms": [], "qrs_ms": [], "qt_ms": []}
    for name, kw in SYNTHETIC_CASES.items():
        truth = {"pr_ms": kw.get("pr_ms", 160.0), "qrs_ms": kw.get("qrs_ms", 90.0),
                 "qt_ms": kw.get("qt_ms", 380.0)}  # fmt: skip
        if kw.get("af") or kw.get("flutter"):
            truth["pr_ms"] = None
        m = measure(synthetic(**kw))
        cells, notes = [], []
        for k in ("pr_ms", "qrs_ms", "qt_ms"):
            v, t = getattr(m, k), truth[k]
            if t is None:
                cells.append(("-" if v is None else f"{v:.0f}!").rjust(8))
                if v is not None:
                    notes.append(f"{k} measured without P")
            elif v is None:
                cells.append("none".rjust(8))
                notes.append(f"{k}: {m.reasons.get(k)}")
                diffs[k].append(math.inf)
            else:
                cells.append(f"{v - t:+8.0f}")
                diffs[k].append(v - t)
        print(f"   {name:36s} " + " ".join(cells) + ("  " + "; ".join(notes) if notes else ""))
    summary({k: [v for v in vals if math.isfinite(v)] for k, vals in diffs.items()})
    print(f"   ({time.perf_counter() - t0:.0f} s)")


def _qt_flags(m: Any) -> list[str]:
    """Why a QT looks implausible (no reference: a screen, each flagged beat is looked at)."""
    flags = []
    if m.hr_bpm is None:
        return ["no rate"]
    if m.qt_ms is None:
        flags.append(f"no QT ({m.reasons.get('qt_ms')})")
        return flags
    if not 300 <= (m.qtc_bazett_ms or 0) <= 600:
        flags.append(f"QTcB {m.qtc_bazett_ms:.0f}")
    if not 300 <= (m.qtc_fridericia_ms or 0) <= 560:
        flags.append(f"QTcF {m.qtc_fridericia_ms:.0f}")
    if m.rr_ms and m.qt_ms > 0.8 * m.rr_ms:
        flags.append(f"QT {m.qt_ms:.0f} > 0.8 RR")
    if m.qrs_ms is not None and m.qt_ms - m.qrs_ms < 120:
        flags.append("T wave < 120 ms after the QRS")
    return flags


def plausibility(data: Path, plot_dir: Path | None = None) -> None:
    """QT screen over the bundled samples and the CinC records (first 60 s, as analyze does)."""
    t0 = time.perf_counter()
    sets = {
        "bundled samples": sorted((REPO / "resources" / "samples").glob("*.hea")),
        "wfdb_cinc2021": sorted((data / "samples" / "wfdb_cinc2021").glob("*.hea")),
        "cinc_extra": sorted((data / "cinc_extra").glob("*.hea")),
    }
    print("\n== 6. QT plausibility screen (no reference): QTcB 300-600, QTcF 300-560, QT <= 0.8 RR")
    qt_rr: list[tuple[str, float, float]] = []
    flagged: list[tuple[str, Any, list[str]]] = []
    for label, files in sets.items():
        n_qt = 0
        n_flag = 0
        low_conf = 0
        unreadable = 0
        for hea in files:
            try:
                rec = read_ecg(hea)
            except Exception:  # a damaged header (there are some): reported as a count
                unreadable += 1
                continue
            if rec.duration_s > 60:
                rec = rec.with_signal(rec.signal_mv[:, : int(60 * rec.fs_hz)])
            m = measure(rec)
            fl = _qt_flags(m)
            n_qt += m.qt_ms is not None
            d = m.to_dict()
            low_conf += "qt_ms" in d.get("low_confidence", [])
            if m.qt_ms is not None and m.rr_ms:
                qt_rr.append((hea.stem, m.qt_ms, m.rr_ms))
            if fl:
                n_flag += 1
                flagged.append((f"{label}/{hea.stem}", m, fl))
        print(f"   {label:16s} {len(files):3d} records, QT measured {n_qt}, flagged {n_flag}, "
              f"QT low confidence {low_conf}, unreadable {unreadable}")
    if len(qt_rr) > 10:  # QT vs RR: residuals of a robust linear fit
        qt = np.array([q for _, q, _ in qt_rr])
        rr = np.array([r for _, _, r in qt_rr])
        b, a = np.polyfit(rr, qt, 1)
        res = qt - (a + b * rr)
        mad = float(np.median(np.abs(res - np.median(res)))) * 1.4826
        print(f"   QT = {a:.0f} + {b:.3f} RR (ms); residual SD (MAD) {mad:.0f} ms")
        for (name, q, r), e in zip(qt_rr, res, strict=True):
            if abs(e) > max(4 * mad, 60):
                print(f"   QT-RR outlier {name}: QT {q:.0f}, RR {r:.0f}, residual {e:+.0f}")
    for name, m, fl in flagged:
        conf = m.to_dict().get("confidence", {}).get("qt_ms")
        print(f"   flagged {name}: HR {_fmt(m.hr_bpm)}, QRS {_fmt(m.qrs_ms)}, QT {_fmt(m.qt_ms)} "
              f"(QT confidence {conf}): {'; '.join(fl)}")
        if plot_dir is not None and m.median is not None:
            plot_median(m, plot_dir / f"{name.replace('/', '_')}.png", "; ".join(fl))
    print(f"   ({time.perf_counter() - t0:.0f} s)")


def plot_median(m: Any, out: Path, title: str, extra: Callable[..., None] | None = None) -> None:
    """The median beat of every lead with the global fiducials, to a PNG (for looking at)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    mb = m.median
    out.parent.mkdir(parents=True, exist_ok=True)
    fig, axes = plt.subplots(len(mb.lead_names), 1, figsize=(8, 1.1 * len(mb.lead_names)),
                             sharex=True)  # fmt: skip
    t = mb.time_ms
    for ax, name, y in zip(np.atleast_1d(axes), mb.lead_names, mb.beat_mv, strict=True):
        ax.plot(t, y, lw=0.8)
        ax.set_ylabel(name, rotation=0, labelpad=14)
        for k, v in m.fiducials_ms().items():
            if v is not None:
                ax.axvline(v, color="r" if k in ("qrs_on", "qrs_off", "t_end") else "g", lw=0.6)
    fig.suptitle(f"{out.stem}: {title}", fontsize=8)
    fig.savefig(out, dpi=60)
    plt.close(fig)
