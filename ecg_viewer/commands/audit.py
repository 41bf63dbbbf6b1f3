"""``ecg-viewer audit verify [--db PATH]``: recompute the review database's audit hash chain and
say whether it is intact (exit 0) or not (exit 1: a row changed, removed or inserted, a value
that is not JSON, a damaged file, protecting triggers missing, a review whose stored values are
not what its audit trail says — edited in the database by hand). Never writes to the database."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ecg_viewer.core.messages import tr

HELP = "help.audit"  # the message key of its one-line description


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=("verify",), help=tr("help.audit.action"))
    p.add_argument("--db", default=None, help=tr("help.audit.db"))


def run(args: argparse.Namespace) -> int:
    import sqlite3

    from ecg_viewer.review.chain import inspect_file
    from ecg_viewer.review.store import default_db_path

    path = Path(args.db) if args.db else default_db_path()
    if not path.is_file():  # opening would create an empty database
        print(tr("audit.verify.no_db", path=path), file=sys.stderr)
        return 2
    try:
        report = inspect_file(path)  # read-only: not migrated, never written
    except sqlite3.Error as exc:
        print(tr("review.open_failed", path=path, reason=exc), file=sys.stderr)
        return 1
    if report.problems == ["review.chain_absent"] and not report.faults:
        # an older version's database, not upgraded yet: no chain to check, no tampering found
        # (QA 73: 「改ざんまたは破損しています: 1 件の異常（0 行中）」 for 9 rows)
        print(tr("audit.verify.old_schema", rows=report.rows, path=path))
        return 3
    if report.intact:
        print(tr("audit.verify.intact", rows=report.rows, migrated=report.migrated_rows,
                 head_id=report.head_id if report.head_id is not None else "-",
                 head_hash=report.head_hash or "-", path=path))
        print(tr("audit.verify.tail_note"))
        return 0
    print(tr("audit.verify.broken",
             n=len(report.faults) + len(report.problems) + len(report.mismatches),
             rows=report.rows, path=path), file=sys.stderr)
    for key in report.problems:
        print("  " + tr(key), file=sys.stderr)
    for fault in report.faults:
        print(tr("audit.verify.fault", id=fault.id, kind=tr(f"audit.fault.{fault.kind}")),
              file=sys.stderr)
    if report.mismatches:
        print(tr("audit.verify.mismatch_head", n=len(report.mismatches)), file=sys.stderr)
        for m in report.mismatches:
            print("    " + m.detail(), file=sys.stderr)
    return 1

