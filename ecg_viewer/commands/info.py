"""``ecg-viewer info FILE [--json]``: format, leads, rate, duration, amplitudes and metadata."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ecg_viewer.core.errors import EcgReadError
from ecg_viewer.core.messages import MESSAGES, language, paren, text_columns, tr
from ecg_viewer.core.printable import printable, printable_path
from ecg_viewer.io import read_ecg
from ecg_viewer.report.content import device_filter_text, device_measurement_text, format_name
from ecg_viewer.signal.page import CLOCK_FROM_S, clock_text

HELP = "help.info"  # the message key of its one-line description


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help=tr("help.info.file"))
    p.add_argument("--json", action="store_true", help=tr("help.info.json"))
    p.add_argument("--fs-hz", type=float, default=None, metavar="HZ",
                   help=tr("help.fs_hz"))


def run(args: argparse.Namespace) -> int:
    options = {"fs_hz": args.fs_hz} if args.fs_hz is not None else {}
    try:
        rec = read_ecg(args.file, **options)
    except EcgReadError as exc:
        if args.json:
            print(json.dumps(printable({"file": args.file, "error": exc.message_en,
                                        "error_ja": exc.message_ja}), ensure_ascii=False))
        print(exc.message(), file=sys.stderr)
        return 1
    summary = rec.summary()
    if args.json:
        print(json.dumps(printable(summary), ensure_ascii=False, indent=2, allow_nan=False))
        return 0
    meta_obj = rec.meta
    rows = [(tr("info.file"), printable_path(summary["file"])),
            (tr("info.format"), format_name(summary["format"])),  # "WFDB", not its id (QA 67)
            ("sha256", summary["sha256"]), (tr("info.rate"), f"{summary['fs_hz']:g} Hz"),
            (tr("info.duration"), _duration_text(summary["duration_s"], summary["n_samples"])),
            (tr("info.leads"), " ".join(summary["leads"]))]
    if summary["extra_leads"]:
        rows.append((tr("info.other_leads"), " ".join(summary["extra_leads"])))
    _print_rows(rows)
    if rec.derived_leads:
        print(tr("read.derived_leads", leads=", ".join(rec.derived_leads)))
    if rec.missing_leads:
        print(tr("read.missing_leads", leads=", ".join(rec.missing_leads)))
    print(tr("info.range"))
    for lead, (lo, hi) in summary["range_mv"].items():
        where = tr("info.in_file", name=rec.original_names.get(lead, lead),
                   unit=rec.original_units.get(lead, "") or "—")
        print(f"  {lead:>5} {lo:8.3f} .. {hi:7.3f}   {paren(where).strip()}")
    _print_meta(meta_obj, summary["meta"])
    return 0


def _duration_text(seconds: float, n_samples: int) -> str:
    """The length as the page and the report give it: h:mm:ss from an hour on (QA 44)."""
    if seconds >= CLOCK_FROM_S:
        return tr("info.duration_value_clock", clock=clock_text(seconds), n=n_samples)
    return tr("info.duration_value", seconds=seconds, n=n_samples)


def _print_rows(rows: list[tuple[str, str]], indent: str = "") -> None:
    """``name: value`` lines, the values in one column (a full-width character is two columns)."""
    width = max((text_columns(name) for name, _ in rows), default=0) + 2
    for name, value in rows:
        print(f"{indent}{name}:{' ' * (width - text_columns(name) - 1)}{value}")


def _app_fields(extra: dict[str, Any]) -> list[tuple[str, str]]:
    """The fields of ``extra`` this app writes (not the file: the readers' notes on the cart's
    QTc formula and the waveform checksum), taken out of it and named in the language of the
    output (QA 67: 「checksum_valid: True」 and "not stated (MUSE QTCorrected)" in Japanese,
    under the heading for the file's own field names)."""
    rows = []
    formula = extra.pop("device_qtc_formula", None)
    if formula:
        formula = str(formula)
        if formula.startswith("not stated"):  # "not stated (MUSE QTCorrected)": the file's tag
            where = formula[len("not stated"):].strip().strip("()")
            formula = tr("info.qtc_formula_unstated") + (paren(where) if where else "")
        rows.append((tr("info.device_qtc_formula"), formula))  # Bazett, Fridericia: names
    checksum = extra.pop("checksum_valid", None)
    if checksum is not None:  # None: the file stores no checksum
        rows.append((tr("info.checksum"), tr("info.checksum_ok" if checksum else "info.checksum_bad")))
    return rows


def _print_meta(meta: Any, d: dict[str, Any]) -> None:
    """The file's patient and device data, named as the report names them; the cart's own
    measurements on one line; the file's other fields as the file names them."""
    lang = language()
    known = (("patient_id", "report.patient_id"), ("patient_name", "report.patient_name"),
             ("sex", "report.sex"), ("age_years", "report.age"), ("birth_date", "report.birth_date"),
             ("recorded_at", "report.recorded_at"), ("device", "report.device"))
    rows: list[tuple[str, str]] = []
    for key, name in known:
        v = d.get(key)
        if v in (None, ""):
            continue
        if key == "sex" and f"report.sex.{v}" in MESSAGES:
            v = tr(f"report.sex.{v}")
        elif key == "age_years":
            v = tr("report.age_value", age=float(v))
        rows.append((tr(name), str(v)))
    filters = device_filter_text(d.get("filters"), lang)
    if filters:
        rows.append((tr("report.device_filters"), filters))
    extra = dict(d.get("extra") or {})
    app_rows = _app_fields(extra)  # beside the cart's measurements, one a line
    measured = device_measurement_text(meta, lang)
    extra.pop("device_measurements", None)
    statements = [str(t) for t in d.get("interpretation") or () if str(t).strip()]
    if not (rows or measured or statements or extra or app_rows):
        return
    print(tr("info.meta"))
    _print_rows(rows, "  ")
    if measured:
        print(f"  {measured}")
    for name, value in app_rows:
        print(f"  {name}: {value}")
    if statements:
        print(f"  {tr('info.device_statements')}:")
        for t in statements:
            print(f"    - {t}")
    shown = {k: v for k, v in extra.items() if v not in (None, {}, [], "")}
    if shown:
        print(f"  {tr('info.other_meta')}:")
        for k, v in shown.items():
            print(f"    {k}: {json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v}")
