"""``ecg-viewer report FILE --out report.pdf [--json report.json] [--fhir report.fhir.json]``:
the ECG report (PDF, and optionally JSON and FHIR R4) with the analysis and the clinician's
review from the review database. Every file is written atomically."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from ecg_viewer.commands.model_args import add_model_arguments, build_analyzer
from ecg_viewer.compare.pair import (
    PRIOR_AUTO,
    PriorRefusedError,
    PriorUnreadableError,
    compare_with_prior,
    unreadable_note,
    why_reason,
)
from ecg_viewer.core.errors import EcgError, user_message
from ecg_viewer.core.messages import tr
from ecg_viewer.core.prediction import Analysis
from ecg_viewer.core.record import EcgRecord
from ecg_viewer.io import read_ecg
from ecg_viewer.pipeline.report_content import build_report_content
from ecg_viewer.report.content import ReportContent
from ecg_viewer.report.export import check_targets, write_reports
from ecg_viewer.review import ReviewStore, ReviewStoreError
from ecg_viewer.signal.filters import (
    HIGHPASS_CHOICES_HZ,
    LOWPASS_CHOICES_HZ,
    NOTCH_CHOICES_HZ,
    FilterSettings,
)
from ecg_viewer.signal.page import LAYOUTS, PageSettings

HELP = "help.report"  # the message key of its one-line description


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help=tr("help.file"))
    p.add_argument("--out", required=True, help=tr("help.report.out"))
    p.add_argument("--json", dest="json_out", default=None, help=tr("help.report.json"))
    p.add_argument("--fhir", dest="fhir_out", default=None,
                   help=tr("help.report.fhir"))
    p.add_argument("--layout", choices=LAYOUTS, default="3x4", help=tr("help.layout"))
    p.add_argument("--speed", type=float, default=25.0, help=tr("help.speed"))
    p.add_argument("--gain", type=float, default=10.0, help=tr("help.gain"))
    p.add_argument("--highpass", type=float, default=None, help=tr("help.report.highpass"))
    p.add_argument("--lowpass", type=float, default=None, help=tr("help.report.lowpass"))
    p.add_argument("--notch", type=float, default=None, help=tr("help.report.notch"))
    p.add_argument("--start", type=float, default=0.0, help=tr("help.start"))
    p.add_argument("--fs-hz", type=float, default=None, metavar="HZ",
                   help=tr("help.fs_hz"))
    p.add_argument("--db", default=None, help=tr("help.report.db"))
    p.add_argument("--no-review", action="store_true", help=tr("help.report.no_review"))
    add_model_arguments(p)
    p.add_argument("--embed-pdf", action="store_true",
                   help=tr("help.report.embed_pdf"))
    p.add_argument("--prior", default=PRIOR_AUTO, metavar="FILE|auto|none",
                   help=tr("help.report.prior"))


def _settings(args: argparse.Namespace) -> PageSettings:
    for option, value, choices in (("--highpass", args.highpass, HIGHPASS_CHOICES_HZ),
                                   ("--lowpass", args.lowpass, LOWPASS_CHOICES_HZ),
                                   ("--notch", args.notch, NOTCH_CHOICES_HZ)):
        if value is not None and float(value) not in choices:  # said before FilterSettings does
            raise ValueError(tr("cli.opt.choice", option=option, value=value,
                                choices=", ".join(f"{c:g}" for c in choices)))
    return PageSettings(
        layout=args.layout, speed_mm_s=args.speed, gain_limb_mm_mv=args.gain,
        gain_chest_mm_mv=args.gain, start_s=args.start,
        filters=FilterSettings(highpass_hz=args.highpass, notch_hz=args.notch,
                               lowpass_hz=args.lowpass),
    )


def build_content(path: str | Path, analyze: Callable[[EcgRecord], Analysis], *,
                  db: str | Path | None = None, with_review: bool = True,
                  settings: PageSettings | None = None,
                  prior: str | None = None, fs_hz: float | None = None,
                  unreadable: list[Path] | None = None) -> ReportContent:
    """Read, analyse and gather the review of one ECG (raises EcgReadError for a bad file).
    ``prior``: a file, "auto" or None/"none" (see ``compare.pair.compare_with_prior``); the
    comparison raises the referral flag (``compare.referral``). ``unreadable`` receives the
    files "auto" met that cannot be read."""
    record = read_ecg(path, **({} if fs_hz is None else {"fs_hz": fs_hz}))  # --fs-hz
    analysis = analyze(record)
    review = None
    need_review = with_review and bool(record.sha256)
    store = None
    if need_review or prior == PRIOR_AUTO:
        try:
            store = ReviewStore(db)
        except ReviewStoreError:
            if need_review:
                raise  # the prior search alone goes on without the database
    try:
        if store is not None and need_review and store.has(record.sha256 or ""):
            review = store.get(record.sha256 or "")
        comparison, why = compare_with_prior(record, analysis, prior, analyze, store=store,
                                             unreadable=unreadable)
    finally:
        if store is not None:
            store.close()
    return build_report_content(record, analysis, review=review, settings=settings,
                                comparison=comparison, comparison_note=why_reason(record, why))


def run(args: argparse.Namespace,
        analyze: Callable[[EcgRecord], Analysis] | None = None) -> int:
    try:
        settings = _settings(args)
    except ValueError as exc:  # an option out of range (a filter's in the chosen language)
        print(tr("cli.bad_option", detail=exc), file=sys.stderr)
        return 2
    try:  # a target that cannot be written is refused before the ECG is analysed
        check_targets(args.out, json_out=args.json_out, fhir_out=args.fhir_out, source=args.file)
    except EcgError as exc:
        print(user_message(exc), file=sys.stderr)
        return 2
    unreadable: list[Path] = []  # candidates of --prior auto: one line, not one per file
    try:
        fn = analyze or build_analyzer(args).analyze
        content = build_content(args.file, fn, db=args.db, with_review=not args.no_review,
                                settings=settings, prior=args.prior,
                                fs_hz=getattr(args, "fs_hz", None), unreadable=unreadable)
        written = write_reports(content, args.out, json_out=args.json_out,
                                fhir_out=args.fhir_out, embed_pdf=args.embed_pdf)
    except (PriorRefusedError, PriorUnreadableError) as exc:  # --prior FILE: about the prior
        print(tr("compare.cli.report_not_written", file=args.prior, error=user_message(exc)),
              file=sys.stderr)
        return 1
    except EcgError as exc:  # unreadable ECG, export failed, review database, model weights ...
        print(user_message(exc), file=sys.stderr)
        return 1
    note = unreadable_note(unreadable)
    if note is not None:
        print(note.text(), file=sys.stderr)
    notice = content.page_notice()
    if notice:  # the ECG sheet printed otherwise than asked (A4 at true scale)
        print(notice, file=sys.stderr)
    cmp = content.comparison
    if cmp is not None:
        print(tr("compare.cli.prior_used", file=cmp.prior.file, date=cmp.prior.date_text(),
                 how=tr(f"compare.match.{cmp.match}")))
    elif content.comparison_note is not None:  # as analyze says it
        print(tr("compare.why_none", why=content.comparison_note))
    for path in written:
        print(tr("report.written", path=path))
    return 0
