"""How often the RR series is called irregular (``rr_irregular``), per rhythm group, on PTB-XL
(100 Hz, both arrays) by fold group, and on the external CinC records: the rule the app ships
(RMSSD / mean RR > 0.10, and more than a third of the successive RR differences over 5 % of the
median RR) beside the RMSSD rule alone that it replaced.

    PYTHONPATH=$PWD .venv/bin/python bench/rhythm.py [--shared-data ../shared/data]

Groups (PTB-XL ``scp_codes``, any likelihood, as the benchmark keeps them; CinC SNOMED codes):
AF/AFL; sinus with premature beats (SR/STACH/SBRAD/SARRH with PAC/PVC, no AF/AFL); clean sinus
(sinus without premature beats, sinus arrhythmia or AF/AFL); sinus arrhythmia (SARRH, no AF/AFL).
The step and the share were chosen on folds 1-8; folds 9-10 and CinC are reported only.
"""

from __future__ import annotations

import argparse
import ast
import csv
import re
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ecg_viewer.core.leads import CANONICAL_LEADS  # noqa: E402
from ecg_viewer.signal.beats import detect_beats  # noqa: E402
from ecg_viewer.signal.rhythm import (  # noqa: E402
    IRREGULAR_NRMSSD,
    premature_beats_only,
    rhythm,
)

SINUS = {"SR", "STACH", "SBRAD", "SARRH"}
SNOMED = {"164889003": "AF", "164890007": "AF", "284470004": "PB", "427172004": "PB",
          "17338001": "PB", "426783006": "SR", "427084000": "SR", "426177001": "SR",
          "427393009": "SARRH"}  # fmt: skip


def group(codes: set[str]) -> str | None:
    if codes & {"AFIB", "AFLT", "AF"}:
        return "AF/AFL"
    if codes & (SINUS | {"SR"}) and codes & {"PAC", "PVC", "PB"}:
        return "sinus + premature beats"
    if "SARRH" in codes:
        return "sinus arrhythmia"
    if codes & (SINUS | {"SR"}):
        return "clean sinus"
    return None


def ptbxl(shared: Path) -> list[tuple[str, str, dict]]:
    """(fold group, rhythm group, :func:`rhythm` figures) of every PTB-XL record in the two
    100-Hz arrays."""
    base = shared / "ptbxl"
    labels: dict[int, tuple[int, set[str]]] = {}
    for name in ("ptbxl_labels.csv", "ptbxl_extra_labels.csv"):
        with open(base / name, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                codes = set(ast.literal_eval(row["scp_codes"]))
                labels[int(row["ecg_id"])] = (int(row["strat_fold"]), codes)
    out = []
    for name, scale in (("ptbxl100_subset.npz", 1e-3), ("ptbxl100_extra_zscored.npz", 0.2)):
        with np.load(base / name) as z:
            x, ids, fs = z["X"], z["ecg_id"], float(z["fs"])
        for i, eid in enumerate(ids):
            fold, codes = labels.get(int(eid), (0, set()))
            g = group(codes)
            if g is None or fold == 0:
                continue
            sig = np.ascontiguousarray(x[i].T.astype(np.float32) * scale)
            det = detect_beats(sig, fs, tuple(CANONICAL_LEADS))
            part = "folds 1-8" if fold <= 8 else "folds 9-10"
            out.append((part, g, rhythm(det)))
    return out


def cinc(shared: Path) -> list[tuple[str, str, dict]]:
    from ecg_viewer.io import read_ecg

    out = []
    for folder in (shared / "samples" / "wfdb_cinc2021", shared / "cinc_extra"):
        for hea in sorted(folder.rglob("*.hea")):
            m = re.search(r"#\s*Dx:\s*(.*)", hea.read_text(encoding="latin-1"))
            codes = {SNOMED[c.strip()] for c in (m.group(1).split(",") if m else []) if c.strip() in SNOMED}
            g = group(codes)
            if g is None:
                continue
            try:
                rec = read_ecg(hea)
            except Exception as exc:  # a record the app refuses is not counted
                print(f"skipped {hea.name}: {type(exc).__name__}", file=sys.stderr)
                continue
            det = detect_beats(rec.signal_mv, rec.fs_hz, rec.lead_names)
            out.append(("CinC", g, rhythm(det)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared-data", type=Path, default=REPO.parent / "shared" / "data")
    args = ap.parse_args()
    rows = ptbxl(args.shared_data) + cinc(args.shared_data)
    print("| set | rhythm | records | irregular: RMSSD rule alone | irregular: shipped rule | "
          "irregular, not a regular rhythm's premature beats (rr_regular_share < 0.6) |")
    print("|---|---|---|---|---|---|")
    for part in ("folds 1-8", "folds 9-10", "CinC"):
        for g in ("AF/AFL", "sinus + premature beats", "clean sinus", "sinus arrhythmia"):
            # records with >= 4 RR intervals (fewer: no regularity call)
            rs = [r for p, gg, r in rows if p == part and gg == g and "rr_irregular" in r]
            if not rs:
                continue
            old = np.array([r["rr_irregularity"] > IRREGULAR_NRMSSD for r in rs])
            new = np.array([r["rr_irregular"] for r in rs])
            af_like = np.array([r["rr_irregular"] and not premature_beats_only(r) for r in rs])
            print(f"| {part} | {g} | {len(rs)} | {old.mean():.1%} | {new.mean():.1%} | "
                  f"{af_like.mean():.1%} |")


if __name__ == "__main__":
    main()
