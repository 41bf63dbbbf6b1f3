"""Labels defined as findings together (criteria_rules.json ``conjunctions``) on real records.

    PYTHONPATH=$PWD .venv/bin/python bench/conjunctions.py [--limit N]

The app's own analysis (``Analyzer``, shipped model and fusion, criteria, referral) of every
PTB-XL record (the 1,987 in mV and the 1,661 z-scored ones, all folds) and the CinC records
(``samples/wfdb_cinc2021``, ``cinc_extra``). Per conjunction and set: on how many records it is
shown, how many of them carry the cardiologists' statements it stands for (PTB-XL: e.g. CRBBB
with LAFB or LPFB), and how many such records there are; then the records whose referral level
the conjunctions changed (the same analysis with the conjunction labels left out of the
referral), and the normal ECGs (NORM) flagged 要精査 or higher with and without them. About 5
minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ecg_viewer.core.prediction import SEVERITY
from ecg_viewer.io import read_ecg
from ecg_viewer.labels.catalog import load_catalog
from ecg_viewer.labels.criteria_table import default_criteria_rules
from ecg_viewer.labels.referral import decide_referral
from ecg_viewer.pipeline.analyze import Analyzer
from tests.ptbxl_records import ptbxl_records

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
def truth_statements() -> dict[str, list[set[str]]]:
    """Per conjunction, the PTB-XL statements it stands for: every group needs one of the SCP
    codes the catalog maps its labels to (二枝ブロック: CRBBB, and LAFB or LPFB)."""
    scp = {lab.id: set(lab.scp) for lab in load_catalog().labels}
    return {c.label: [set().union(*(scp.get(i, set()) for i in g)) for g in c.all_of]
            for c in default_criteria_rules().conjunctions}


def _set_of(tag: str, fold: int | None) -> str:
    if fold is None:
        return tag
    return f"{tag} fold {'10' if fold == 10 else '9' if fold == 9 else '1-8'}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None, help="records per PTB-XL fold and set")
    args = ap.parse_args(argv)
    conj = [c.label for c in default_criteria_rules().conjunctions]
    truth = truth_statements()
    an = Analyzer()
    fusion = an.fusion_for(an.predictor)
    combination = fusion.combination if fusion is not None else None
    shown = collections.defaultdict(collections.Counter)
    changed: list[tuple[str, str, str]] = []
    normal = collections.defaultdict(collections.Counter)
    t0 = time.perf_counter()
    n = 0

    def one(set_name: str, name: str, rec, statements: set[str] | None) -> None:
        nonlocal n
        a, _ = an.analyze_parts(rec)
        n += 1
        if a.prediction is None:
            return
        present = {s.id for s in a.prediction.labels if s.above_threshold}
        before = decide_referral([s for s in a.prediction.labels if s.id not in conj],
                                 a.measurements, a.quality, combination=combination)
        for label in conj:
            c = shown[(label, set_name)]
            c["shown"] += label in present
            if statements is not None and label in truth:
                true = all(statements & g for g in truth[label])
                c["stated"] += true
                c["shown_and_stated"] += true and label in present
        if before.level != a.referral.level:
            changed.append((f"{set_name} {name}", before.level, a.referral.level))
        if statements is not None and "NORM" in statements:
            k = normal[set_name]
            k["n"] += 1
            k["before"] += SEVERITY.get(before.level, 0) >= SEVERITY["D"]
            k["after"] += SEVERITY.get(a.referral.level, 0) >= SEVERITY["D"]

    for zscored in (False, True):
        for fold in range(1, 11):
            for eid, rec, scp in ptbxl_records(DATA, fold=fold, zscored=zscored, limit=args.limit):
                one(_set_of("PTB-XL z-scored" if zscored else "PTB-XL mV", fold), f"ecg_id {eid}",
                    rec, set(scp))
    for sub in ("samples/wfdb_cinc2021", "cinc_extra"):
        for hea in sorted((DATA / sub).glob("*.hea")):
            try:
                rec = read_ecg(hea)
            except Exception:  # a damaged header (there are some)
                continue
            one("CinC", hea.stem, rec, None)
    print(f"{n} records analysed in {time.perf_counter() - t0:.0f} s")
    for label in conj:
        print(f"\n{label}: shown / shown and stated / stated (PTB-XL statements: "
              f"{' AND '.join('|'.join(sorted(g)) for g in truth.get(label, []))})")
        for (lab, set_name), c in sorted(shown.items()):
            if lab == label:
                print(f"   {set_name:28s} {c['shown']:4d} / {c['shown_and_stated']:4d} / "
                      f"{c['stated']:4d}")
    print(f"\nreferral level changed by the conjunctions: {len(changed)} records")
    for name, b, a in changed:
        print(f"   {name}: {b} -> {a}")
    print("\nnormal ECGs (NORM) flagged 要精査 or higher, without / with the conjunctions")
    for set_name, k in sorted(normal.items()):
        print(f"   {set_name:28s} {k['before']:4d} / {k['after']:4d} of {k['n']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
