"""``ecg-viewer analyze FILE... [--json] [--top K]``: suggestions, referral flag, quality, measurements."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ecg_viewer.core.errors import EcgError, EcgReadError
from ecg_viewer.core.messages import language, tr
from ecg_viewer.core.prediction import Analysis
from ecg_viewer.io import read_ecg
from ecg_viewer.labels.criteria import held_back
from ecg_viewer.labels.evidence import evidence_text, measurement_evidence

HELP = "suggest Japanese findings and the referral flag for ECG files (suggestions, not a diagnosis)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", help="ECG files")
    p.add_argument("--json", action="store_true", help="one JSON object per file (JSON Lines)")
    p.add_argument("--top", type=int, default=5, metavar="K", help="suggestions to print (default 5)")
    p.add_argument("--device", default="auto", help="auto (CUDA when available), cpu, cuda, cuda:N")
    p.add_argument("--weights", default=None, help="model weights folder (default: the shipped model)")
    p.add_argument("--no-model", action="store_true", help="quality and measurements only")
    p.add_argument("--prior", default="none", metavar="FILE|auto|none",
                   help="compare with the patient's prior ECG: a file, 'auto' (the newest earlier "
                        "ECG with the same patient ID in the file's folder) or 'none' (default)")


def make_analyzer(args: argparse.Namespace) -> Any:
    from ecg_viewer.pipeline.analyze import Analyzer

    if getattr(args, "no_model", False):
        return Analyzer(load_model=False)
    from ecg_viewer.model.predictor import Predictor

    kwargs = {"device": args.device}
    if getattr(args, "weights", None):
        kwargs["weights_dir"] = args.weights
    return Analyzer(Predictor(**kwargs))


def analysis_json(analysis: Analysis, top: int) -> dict[str, Any]:
    out = analysis.to_dict()
    out["top"] = [s["id"] for s in out["labels"][:top]]
    out["notice"] = {"ja": tr("safety.notice", "ja"), "en": tr("safety.notice", "en")}
    return out


def print_text(analysis: Analysis, top: int) -> None:
    lang = language()
    ref = analysis.referral
    print(f"== {analysis.file}")
    reasons = ref.reasons(lang)
    print(f"{tr('analysis.referral')}: {ref.name(lang)}"
          + (f"  ({' / '.join(reasons)})" if reasons else ""))
    if not analysis.quality.ok:
        for p in analysis.quality.problems:
            print(f"  {tr('analysis.quality')}: {p.text(lang)}")
    m = analysis.measurements or {}
    if m:
        def f(key: str) -> str:
            v = m.get(key)
            return "—" if v is None else f"{v:.0f}"
        print(f"HR {f('hr_bpm')} bpm  PR {f('pr_ms')}  QRS {f('qrs_ms')}  QT {f('qt_ms')}  "
              f"QTc(B) {f('qtc_bazett_ms')}  QTc(F) {f('qtc_fridericia_ms')} ms  "
              f"axis P/QRS/T {f('p_axis_deg')}/{f('qrs_axis_deg')}/{f('t_axis_deg')}°")
    if analysis.prediction is not None:
        print(f"{tr('analysis.suggestions')} (top {top}):")
        for s in analysis.prediction.top(top):
            mark = "*" if s.above_threshold else " "
            name = s.ja if lang == "ja" else s.en
            print(f" {mark} {name:<24} sim {s.similarity:+.3f}  score {s.score:.2f} "
                  f"(thr {s.threshold:.2f})  [{s.category}]")
            why = [evidence_text(e, lang) for e in measurement_evidence(s)]
            if why and (s.above_threshold or held_back(s)):
                print("      " + ("、" if lang == "ja" else "; ").join(why))
    print(tr("safety.notice"))


def run(args: argparse.Namespace) -> int:
    try:
        analyzer = make_analyzer(args)
    except EcgError as exc:
        print(exc.user_message(language()), file=sys.stderr)
        return 2
    status = 0
    for path in args.files:
        comparison = None
        try:
            record = read_ecg(path)
            analysis = analyzer.analyze(record)
            if getattr(args, "prior", "none") not in (None, "none"):
                from ecg_viewer.compare.pair import compare_with_prior
                from ecg_viewer.compare.referral import with_comparison

                comparison, _why = compare_with_prior(record, analysis, args.prior,
                                                      analyzer.analyze, with_medians=False)
                analysis = with_comparison(analysis, comparison)
        except EcgReadError as exc:
            status = 1
            if args.json:
                print(json.dumps({"file": path, "error": exc.message_en, "error_ja": exc.message_ja},
                                 ensure_ascii=False))
            print(exc.user_message(language()), file=sys.stderr)
            continue
        except EcgError as exc:  # the model refused this record (e.g. leads it needs are missing)
            status = 1
            if args.json:
                print(json.dumps({"file": path, "error": exc.message_en, "error_ja": exc.message_ja},
                                 ensure_ascii=False))
            print(f"{path}: {exc.user_message(language())}", file=sys.stderr)
            continue
        if args.json:
            out = analysis_json(analysis, args.top)
            if getattr(args, "prior", "none") not in (None, "none"):
                out["comparison"] = comparison.to_dict() if comparison is not None else None
            print(json.dumps(out, ensure_ascii=False))
        else:
            print_text(analysis, args.top)
            if comparison is not None:
                print(comparison.summary(language()))
    return status
