"""``ecg-viewer analyze FILE... [--json] [--top K]``: suggestions, referral flag, quality, measurements."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ecg_viewer.commands.model_args import add_model_arguments, build_analyzer
from ecg_viewer.commands.options import AtLeast
from ecg_viewer.core.errors import EcgError, EcgReadError, user_message
from ecg_viewer.core.messages import language, list_sep, paren, text_columns, tr, unit_label
from ecg_viewer.core.prediction import Analysis, level_name
from ecg_viewer.core.printable import printable, printable_path
from ecg_viewer.io import read_ecg
from ecg_viewer.labels.criteria import held_back
from ecg_viewer.labels.evidence import evidence_text, measurement_evidence, score_text
from ecg_viewer.labels.referral import shown_level
from ecg_viewer.report.content import child_note, device_measurement_text, model_window_text

HELP = "help.analyze"  # the message key of its one-line description


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", help=tr("help.files"))
    p.add_argument("--json", action="store_true", help=tr("help.analyze.json"))
    p.add_argument("--top", type=int, default=5, metavar="K", action=AtLeast, minimum=1,
                   help=tr("help.analyze.top"))
    p.add_argument("--fs-hz", type=float, default=None, metavar="HZ",
                   help=tr("help.fs_hz"))
    add_model_arguments(p)
    p.add_argument("--prior", default="none", metavar="FILE|auto|none",
                   help=tr("help.analyze.prior"))


def analysis_json(analysis: Analysis, top: int) -> dict[str, Any]:
    out = analysis.to_dict()
    out["top"] = [s["id"] for s in out["labels"][:top]]
    out["notice"] = {"ja": tr("safety.notice", "ja"), "en": tr("safety.notice", "en")}
    return out


def error_json(path: str, exc: EcgError) -> dict[str, Any]:
    """The ``--json`` line of a file that cannot be analysed: the fields of a ``batch`` error row
    (``error`` is the English text)."""
    en = user_message(exc, "en")
    return {"file": path, "error": en, "error_en": en, "error_ja": user_message(exc, "ja"),
            "error_key": exc.message_key or None, "error_type": type(exc).__name__}


def _pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (a full-width character takes two), so
    that the scores of Japanese and English names line up."""
    return text + " " * max(0, width - text_columns(text))


def print_text(analysis: Analysis, top: int, meta: Any = None) -> None:
    lang = language()
    ref = analysis.referral
    print(f"== {printable_path(analysis.file)}")  # 田中.mwf, as info and the JSON (QA 53)
    reasons = ref.reasons(lang)
    print(f"{tr('analysis.referral')}: {ref.name(lang)}"
          + (f"  ({' / '.join(reasons)})" if reasons else ""))
    if analysis.quality.problems:  # unreadable, or a lead the record was read without
        for p in analysis.quality.problems:
            print(f"  {tr('analysis.quality')}: {p.text(lang)}")
    device_line = device_measurement_text(meta, lang) if meta is not None else ""
    m = analysis.measurements or {}
    if m:
        low = set(m.get("low_confidence") or ())
        mark = paren(tr("meas.conf_low_mark", lang), lang)

        def f(key: str) -> str:  # a low-confidence value is marked, as the header greys it
            v = m.get(key)
            return "—" if v is None else f"{v:.0f}" + (mark if key in low else "")
        print(f"HR {f('hr_bpm')} {unit_label('bpm', lang)}  PR {f('pr_ms')}  QRS {f('qrs_ms')}  QT {f('qt_ms')}  "
              f"QTc(B) {f('qtc_bazett_ms')}  QTc(F) {f('qtc_fridericia_ms')} ms  "
              + tr("analysis.axes", axes=f"{f('p_axis_deg')}/{f('qrs_axis_deg')}/{f('t_axis_deg')}°"))
    if device_line:  # the cart's own figures, when the file carries them
        print(device_line)
    if analysis.prediction is not None:
        shown = analysis.suggestions(top)
        window = model_window_text(analysis, lang)
        if window:  # a record longer than the model's 10 s (QA 51)
            print(window)
        if child := child_note(analysis, lang):  # adult criteria and model (QA 73)
            print(child)
        print((tr("analysis.suggestions_top", n=top) if len(shown) <= top else
               tr("analysis.suggestions_more", n=top, total=len(shown))) + ":")
        for s in shown:
            mark = "*" if s.above_threshold else " "
            name = s.ja if lang == "ja" else s.en
            if s.unvalidated:  # as the window and the PDF mark it (QA 41: the text had not)
                name += tr("suggest.unvalidated_mark", lang)
            score, thr = score_text(s, lang), f"{s.threshold:.2f}"
            if score == thr and not s.above_threshold:  # just under it (QA 41: read as "at it")
                score = f"< {thr}"
            print(f" {mark} {_pad(name, 30)} " + tr("analysis.score_line", sim=f"{s.similarity:+.3f}",
                                               score=score, thr=thr)
                  + f"  [{'—' if s.unvalidated else level_name(shown_level(s, analysis)).text(lang)}]")
            why = [evidence_text(e, lang) for e in measurement_evidence(s)]
            if why and (s.above_threshold or held_back(s)):
                print("      " + list_sep(lang).join(why))
    print(tr("safety.notice"))


def run(args: argparse.Namespace) -> int:
    try:
        analyzer = build_analyzer(args)
    except EcgError as exc:
        print(user_message(exc), file=sys.stderr)
        return 2
    status = 0
    unreadable: list[Path] = []  # candidates of --prior auto: one line at the end for all files
    for path in args.files:
        comparison = None
        prior_error: EcgError | None = None
        why_none = None  # why --prior auto made no comparison (compare.pair.why_reason)
        try:
            fs_hz = getattr(args, "fs_hz", None)
            record = read_ecg(path, **({} if fs_hz is None else {"fs_hz": fs_hz}))
            analysis = analyzer.analyze(record)
            if getattr(args, "prior", "none") not in (None, "none"):
                from ecg_viewer.compare.pair import compare_with_prior, why_reason
                from ecg_viewer.compare.referral import with_comparison

                try:
                    comparison, why = compare_with_prior(record, analysis, args.prior,
                                                         analyzer.analyze, with_medians=False,
                                                         unreadable=unreadable)
                    why_none = why_reason(record, why)
                except EcgError as exc:  # the prior named by hand: this ECG is still shown
                    prior_error, status = exc, 1
                    print(f"{path}: {user_message(exc)}", file=sys.stderr)
                analysis = with_comparison(analysis, comparison)
        except EcgReadError as exc:
            status = 1
            if args.json:
                print(json.dumps(printable(error_json(path, exc)), ensure_ascii=False))
            print(user_message(exc), file=sys.stderr)
            continue
        except EcgError as exc:  # the model refused this record (e.g. leads it needs are missing)
            status = 1
            if args.json:
                print(json.dumps(printable(error_json(path, exc)), ensure_ascii=False))
            print(f"{path}: {user_message(exc)}", file=sys.stderr)
            continue
        if args.json:
            out = analysis_json(analysis, args.top)
            if getattr(args, "prior", "none") not in (None, "none"):
                out["comparison"] = comparison.to_dict() if comparison is not None else None
                if why_none is not None:
                    out["comparison_note"] = {"key": why_none.key, "ja": why_none.text("ja"),
                                              "en": why_none.text("en")}
                if prior_error is not None:
                    out["comparison_error"] = {"ja": user_message(prior_error, "ja"),
                                               "en": user_message(prior_error, "en")}
            print(json.dumps(printable(out), ensure_ascii=False))
        else:
            print_text(analysis, args.top, record.meta)
            if comparison is not None:
                print(comparison.summary(language()))
            elif why_none is not None:
                print(tr("compare.why_none", why=why_none))
    if unreadable:
        from ecg_viewer.compare.pair import unreadable_note

        note = unreadable_note(unreadable)
        if note is not None:
            print(note.text(), file=sys.stderr)
    return status
