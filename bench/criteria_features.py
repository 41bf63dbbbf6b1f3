"""Criteria features against PTB-XL statements: how each published criterion separates records
with the statement from records without it (the 1,987-record subset with mV amplitudes).

    PYTHONPATH=$PWD .venv/bin/python bench/criteria_features.py [--limit N]

Prints, per check, the share of records meeting the criterion with and without the statement, and
the time per record. Data: ../shared/data/ptbxl (read-only).
"""

from __future__ import annotations

import argparse
import ast
import csv
import sys
import time
from pathlib import Path

import numpy as np

from ecg_viewer.core.leads import CANONICAL_LEADS
from ecg_viewer.core.record import EcgRecord
from ecg_viewer.signal.criteria import criteria_features
from ecg_viewer.signal.measure import measure

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ptbxl"

# (statement(s), feature, test, criterion text)
CHECKS = (
    (("1AVB",), "pr_ms", lambda v: v > 200, "PR > 200 ms"),
    (("STACH",), "hr_bpm", lambda v: v > 100, "HR > 100/min"),
    (("SBRAD",), "hr_bpm", lambda v: v < 60, "HR < 60/min"),
    (("AFIB", "AFLT"), "p_present", lambda v: not v, "no P wave"),
    (("AFIB",), "rr_irregular", lambda v: bool(v), "irregular RR"),
    (("CRBBB",), "rprime_v1v2", lambda v: bool(v), "R' in V1-V2"),
    (("CRBBB",), "broad_s_i_v6", lambda v: bool(v), "broad S in I and V6"),
    (("IRBBB",), "rprime_v1v2", lambda v: bool(v), "R' in V1-V2"),
    (("CLBBB",), "r_peak_time_v6_ms", lambda v: v > 60, "R-peak time V6 > 60 ms"),
    (("CLBBB", "CRBBB"), "qrs_ms", lambda v: v >= 120, "QRS >= 120 ms"),
    (("LAFB",), "qrs_axis_deg", lambda v: -90 <= v <= -45, "axis -45..-90"),
    (("LAFB",), "qrs_axis_deg", lambda v: -90 <= v <= -30, "axis -30..-90"),
    (("LVH",), "sokolow_lyon_mv", lambda v: v >= 3.5, "Sokolow-Lyon >= 3.5 mV"),
    (("LVH",), "cornell_mv", lambda v: v > 2.8, "Cornell > 2.8 mV"),
    (("LVH",), "ravl_mv", lambda v: v >= 1.1, "R aVL >= 1.1 mV"),
    (("LVH", "VCLVH"), "lvh_voltage", lambda v: bool(v), "any LVH voltage criterion"),
    (("LVOLT",), "low_voltage_limb", lambda v: bool(v), "limb low voltage"),
    (("IMI", "ILMI", "IPMI", "IPLMI"), "q_waves_inferior", lambda v: bool(v), "Q inferior"),
    (("ASMI",), "q_waves_septal", lambda v: bool(v), "Q septal"),
    (("LNGQT",), "qtc_bazett_ms", lambda v: v >= 460, "QTc(B) >= 460 ms"),
    (("LAO/LAE",), "ptf_v1_mv_ms", lambda v: v >= 4.0, "PTF V1 >= 4 mV.ms"),
    (("PACE",), "paced", lambda v: bool(v), "pacing spikes (needs >= 450 Hz: 100 Hz here)"),
)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    npz = np.load(DATA / "ptbxl100_subset.npz")
    z = {k: npz[k] for k in npz.files}
    labels = {int(r["ecg_id"]): ast.literal_eval(r["scp_codes"])
              for r in csv.DictReader(open(DATA / "ptbxl_labels.csv", encoding="utf-8"))}
    n = len(z["ecg_id"]) if not args.limit else args.limit
    rows = []
    t0 = time.perf_counter()
    for i in range(n):
        sig = z["X"][i].T.astype(np.float32) / 1000.0
        rec = EcgRecord(sig, float(z["fs"]), tuple(CANONICAL_LEADS))
        feats = criteria_features(rec, measure(rec))
        v = dict(feats.values)
        sl, co, ra = v.get("sokolow_lyon_mv"), v.get("cornell_mv"), v.get("ravl_mv")
        v["lvh_voltage"] = None if sl is None else (sl >= 3.5 or co > 2.8 or ra >= 1.1)
        rows.append((set(labels.get(int(z["ecg_id"][i]), {})), v))
    dt = (time.perf_counter() - t0) / n
    print(f"{n} records, {dt * 1000:.1f} ms per record (measure + criteria)")
    print(f"{'statement':18} {'criterion':34} {'with':>14} {'without':>14}")
    def share(sel: list[dict], key: str, test) -> str:
        got = [bool(test(v[key])) for v in sel if v.get(key) is not None]
        return f"{sum(got)}/{len(got)} {100 * sum(got) / max(len(got), 1):4.0f}%"

    for codes, key, test, text in CHECKS:
        pos = [v for c, v in rows if c & set(codes)]
        neg = [v for c, v in rows if not c & set(codes)]
        print(f"{'/'.join(codes)[:18]:18} {text[:34]:34} {share(pos, key, test):>14} {share(neg, key, test):>14}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
