"""``ecg-viewer info FILE [--json]``: format, leads, rate, duration, amplitudes and metadata."""

from __future__ import annotations

import argparse
import json
import sys

from ecg_viewer.core.errors import EcgReadError
from ecg_viewer.core.messages import tr
from ecg_viewer.io import read_ecg

HELP = "show what is in an ECG file (format, leads, rate, duration, amplitudes, metadata)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="ECG file (.hea, .mwf, .xml, .dcm, .scp, .edf, .csv ...)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--fs-hz", type=float, default=None, help="sampling rate for a CSV without one")


def run(args: argparse.Namespace) -> int:
    options = {"fs_hz": args.fs_hz} if args.fs_hz else {}
    try:
        rec = read_ecg(args.file, **options)
    except EcgReadError as exc:
        if args.json:
            print(json.dumps({"file": args.file, "error": exc.message_en, "error_ja": exc.message_ja},
                             ensure_ascii=False))
        print(exc.message(), file=sys.stderr)
        return 1
    summary = rec.summary()
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2, allow_nan=False))
        return 0
    print(f"file:      {summary['file']}")
    print(f"format:    {summary['format']}")
    print(f"sha256:    {summary['sha256']}")
    print(f"rate:      {summary['fs_hz']:g} Hz")
    print(f"duration:  {summary['duration_s']:.2f} s ({summary['n_samples']} samples)")
    print(f"leads:     {' '.join(summary['leads'])}")
    if summary["extra_leads"]:
        print(f"other:     {' '.join(summary['extra_leads'])}")
    if rec.derived_leads:
        print(tr("read.derived_leads", leads=", ".join(rec.derived_leads)))
    if rec.missing_leads:
        print(tr("read.missing_leads", leads=", ".join(rec.missing_leads)))
    print("range (mV):")
    for lead, (lo, hi) in summary["range_mv"].items():
        orig = rec.original_names.get(lead, lead)
        print(f"  {lead:>5} {lo:8.3f} .. {hi:7.3f}   (file: {orig}, {rec.original_units.get(lead, '')})")
    meta = {k: v for k, v in summary["meta"].items() if v not in (None, {}, [])}
    if meta:
        print("meta:")
        for k, v in meta.items():
            print(f"  {k}: {v}")
    return 0
