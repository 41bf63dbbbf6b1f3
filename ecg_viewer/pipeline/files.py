"""Which files of a folder are ECGs: one answer for next/previous in the window, the worklist and
``ecg-viewer batch``.

A file is listed when a reader claims it by extension or by its first bytes; hidden files and
folders are left out; a WFDB record is listed once, by its header (the signal files it names,
``.dat``/``.mat``/``.xyz`` ..., are left out); the text files that sit beside ECGs and are not
ECGs (LICENSE, README, CHANGELOG ...) are left out by name, and a ``.txt``/``.csv``/``.tsv`` is
listed only when its first lines are a table as the CSV reader reads one (a header row, then rows
of numbers with as many fields): notes, exports of other tables and licences under any name are
not ECGs. Only the first few KiB of such a file are read.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
from pathlib import Path

from ecg_viewer.core.errors import EcgError
from ecg_viewer.io import detect_format, supported_extensions
from ecg_viewer.io.wfdb_header import read_header

log = logging.getLogger(__name__)

#: companion files that are never opened by themselves when a header of the same name exists
_COMPANIONS = {".dat", ".mat", ".atr", ".xyz"}
#: name starts of text files that sit beside ECGs and are not ECGs
NOT_ECG_NAMES = ("license", "readme", "changelog", "notice", "copying", "attribution")
#: extensions of text tables: listed only when their first lines are a numeric table
TEXT_TABLES = (".txt", ".csv", ".tsv")
#: bytes read to decide whether a text file is a numeric table
TABLE_SNIFF_BYTES = 8192


def find_ecg_files(folder: str | Path, recursive: bool = False,
                   not_tables: list[Path] | None = None) -> list[Path]:
    """The ECG files in ``folder`` (and its sub-folders with ``recursive``), sorted by path.
    An unreadable candidate is listed (its error is reported when it is opened).

    ``not_tables``, when given, receives the ``.csv``/``.tsv``/``.txt`` files left out because
    their first lines are not a numeric table (an empty file, decimal commas, an empty cell ...),
    other than the notes left out by name and batch results files: ``batch`` records each of
    them as an error row with the reader's reason instead of leaving it out silently."""
    root = Path(folder)
    exts = set(supported_extensions())

    def listed(p: Path) -> bool:
        # a link to a file that is gone (a PACS mount not there) is listed by an ECG extension:
        # opening it says the file is not found, where it had been left out silently (QA 45)
        return p.is_file() or (p.is_symlink() and not p.exists() and p.suffix.lower() in exts)

    try:
        found = root.rglob("*") if recursive else root.iterdir()
        candidates = sorted(p for p in found if listed(p)
                            and not any(part.startswith(".") for part in p.relative_to(root).parts))
    except OSError as exc:
        log.warning("cannot list %s: %s", root, exc)
        return []
    companions: set[Path] = set()
    headers: set[tuple[Path, str]] = set()
    for path in candidates:
        if path.suffix.lower() == ".hea":
            headers.add((path.parent, path.stem))
            companions.update(path.parent / name for name in _wfdb_signal_files(path))
    out = []
    for path in candidates:
        if path in companions or path.name.lower().startswith(NOT_ECG_NAMES):
            continue
        if path.suffix.lower() in _COMPANIONS and (path.parent, path.stem) in headers:
            continue
        if path.suffix.lower() in TEXT_TABLES:
            if looks_like_numeric_table(path):
                out.append(path)
            elif not_tables is not None and not _is_batch_results(path):
                not_tables.append(path)
            continue
        if path.suffix.lower() in exts:
            out.append(path)
            continue
        try:
            if detect_format(path) is not None:
                out.append(path)
        except OSError:
            out.append(path)
    return out


def looks_like_numeric_table(path: Path) -> bool:
    """Whether the first lines of ``path`` are a CSV/TSV ECG as the CSV reader reads one: a
    header row, then up to three rows whose every field is a number, as many as the header's
    (blank and ``#`` lines skipped; UTF-8 or Shift_JIS). A file that cannot be read is listed
    (its error is reported when it is opened)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(TABLE_SNIFF_BYTES)
            complete = not fh.read(1)
    except OSError:
        return True
    text = None
    for enc in ("utf-8-sig", "cp932"):
        try:
            text = codecs.getincrementaldecoder(enc)().decode(head, final=complete)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        return False
    lines = text.splitlines()
    if not complete:
        lines = lines[:-1]  # the last line may be cut
    lines = [ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        return False
    try:
        delim = csv.Sniffer().sniff(lines[0], delimiters=",;\t").delimiter
    except csv.Error:
        delim = ","
    rows = list(csv.reader(io.StringIO("\n".join(lines[:4])), delimiter=delim))
    if len(rows[0]) > 1 and not rows[0][-1].strip():  # Excel: every row ends with a delimiter
        rows = [r[:-1] if r and not r[-1].strip() else r for r in rows]
    n_fields = len(rows[0])
    if len(rows) == 1:  # a header only (or a very wide one): a table if it has several columns
        return n_fields >= 2 and not complete
    for row in rows[1:]:
        if len(row) != n_fields:
            return False
        try:
            [float(v) for v in row]
        except ValueError:
            return False
    return True


def _is_batch_results(path: Path) -> bool:
    """Whether ``path`` begins as a ``batch`` results file (a CSV header with ``file`` and
    ``status``, or a JSON line with ``file``): an earlier run's output, not an ECG."""
    try:
        with open(path, "rb") as fh:
            first = fh.readline(4096).decode("utf-8-sig", errors="replace")
    except OSError:
        return False
    fields = {f.strip().strip('"') for f in first.split(",")}
    return {"file", "status"} <= fields or first.lstrip().startswith('{"file"')


def _wfdb_signal_files(header: Path) -> set[str]:
    """The signal file names a WFDB header lists (read with the reader's own header parser); none
    for a header that does not parse (its same-name ``.dat``/``.mat`` are still left out)."""
    try:
        return {s.file_name for s in read_header(header).signals if s.file_name != "~"}
    except (EcgError, OSError, ValueError) as exc:
        # the file's own row says what is wrong, in the reader's language: here only for the
        # log (QA 40: this English line was printed twice on a Japanese terminal, once per listing)
        log.info("header %s does not parse (%s): listed, its signal files unknown", header, exc)
        return set()


def error_sources(path: Path) -> list[Path]:
    """The files an unreadable file's row is made from: the file, and for a WFDB header the
    signal files it names (missing ones included: when one appears, the row is redone)."""
    if path.suffix.lower() != ".hea":
        return [path]
    return [path, *(path.parent / name for name in sorted(_wfdb_signal_files(path)))]
