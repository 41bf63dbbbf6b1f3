"""Files changed since their row in a batch results file, and taking those rows out.

Every row keeps ``source``: ``[[path, size, mtime_ns], ...]`` of the files it was made from
(``core.hashing.fingerprint``). A later run asks :func:`changed_files` which of its files changed
since (a size or time differs and the bytes do too, or a file it was made from is gone or has
appeared), takes their rows out with :func:`rewrite_without` and analyses them again.

A ``duplicate`` row holds no result of its own: it names, by sha256, the row of another file.
When that row goes, the duplicates that relied on it go too (and are analysed again), so no row
points at a result the file no longer holds.

The rewrite: the kept rows go to a temporary file beside the results file (beside the file a
symbolic link points to), with its mode and owner, locked, fsync'd and renamed over it; the lock
is held throughout. It is refused (``batch.rewrite_failed``, nothing changed) when the folder
cannot take a new file or when the results file is not UTF-8 (a CSV saved again by a
spreadsheet in Shift_JIS would otherwise lose its Japanese in every row kept).
"""

from __future__ import annotations

import csv
import io
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ecg_viewer.report.atomic import write_all

if TYPE_CHECKING:
    from ecg_viewer.report.batch_output import BatchOutput

log = logging.getLogger(__name__)


def changed_files(output: BatchOutput, paths: Iterable[str | Path]) -> list[str]:
    """Those of ``paths`` (absolute) whose row no longer describes them: the files it was
    made from changed (size or time, and then the bytes), or it is a duplicate of a result no
    row holds any more. Rows without ``source`` (older versions) count as unchanged."""
    from ecg_viewer.core.hashing import fingerprint, sha256_files
    from ecg_viewer.report.batch_output import abspath

    results = {sha for sha, _src, dup in output._made_from.values() if sha and not dup}
    out = []
    for path in paths:
        key = abspath(path)
        sha, source, duplicate = output._made_from.get(key, (None, None, False))
        if duplicate and sha and sha not in results:
            out.append(key)  # a duplicate of nothing (its result went in an earlier run)
            continue
        if not isinstance(source, list) or not source:
            continue
        try:
            files = [str(f[0]) for f in source]
            now = fingerprint(files)
            if all(list(a[1:]) == list(b[1:]) for a, b in zip(source, now, strict=True)):
                continue
            if sha and all(size >= 0 for _f, size, _t in now) and sha256_files(files) == sha:
                continue  # touched (copied back, restored) but the same bytes
        except (TypeError, ValueError, IndexError, OSError):
            pass  # a malformed source or a file that cannot be read now: analysed again
        out.append(key)
    return out


def rewrite_without(output: BatchOutput, files: Iterable[str]) -> int:
    """Take the rows of ``files`` out of ``output`` (and the duplicates of results that go
    with them); returns how many rows were taken out. Raises ``BatchOutputError``
    (``batch.rewrite_failed``) with the results file unchanged when it cannot be rewritten."""
    from ecg_viewer.report.batch_output import BatchOutputError, abspath

    drop = {abspath(f) for f in files}
    if not drop or not output._regular:
        return 0
    gone = {output._made_from[f][0] for f in drop
            if f in output._made_from and not output._made_from[f][2]}
    kept_results = {sha for f, (sha, _s, dup) in output._made_from.items()
                    if f not in drop and not dup}
    orphans = gone - kept_results - {None}
    drop |= {f for f, (sha, _s, dup) in output._made_from.items() if dup and sha in orphans}

    target = Path(os.path.realpath(output.path))  # a link's target is rewritten, not the link
    data = target.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BatchOutputError("batch.rewrite_failed", output.path, rows=output.rows,
                               reason="not UTF-8 (saved again by a spreadsheet?)") from exc
    kept, payload = _kept_rows(output, text, drop)
    removed = output.rows - len(kept)
    st = os.fstat(output._fd)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    old_fd = output._fd
    try:
        fd = os.open(tmp, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as exc:
        raise BatchOutputError("batch.rewrite_failed", output.path, rows=output.rows,
                               reason=exc.strerror or exc, errno_=exc.errno) from exc
    try:
        os.fchmod(fd, st.st_mode & 0o7777)  # the mode the user gave the results
        try:
            os.fchown(fd, st.st_uid, st.st_gid)
        except OSError:
            pass  # not ours to give away (the file's owner is someone else): keep ours
        write_all(fd, payload)
        os.fsync(fd)
        output._fd = fd
        output._lock()  # the new file is ours before it takes the name
        os.replace(tmp, target)
    except BaseException as exc:  # Ctrl-C included: no temporary copy of the results is left
        os.close(fd)
        output._fd = old_fd
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise BatchOutputError("batch.rewrite_failed", output.path, rows=output.rows,
                                   reason=exc.strerror or exc, errno_=exc.errno) from exc
        raise
    os.close(old_fd)  # the old file's lock goes with it
    output._forget()
    for row in kept:
        output.rows += 1
        output._note(row)
    log.info("%s: %d rows of changed files taken out", output.path, removed)
    return removed


def _kept_rows(output: BatchOutput, text: str, drop: set[str]
               ) -> tuple[list[dict[str, Any]], bytes]:
    from ecg_viewer.report.batch_output import _json_or_none, abspath

    kept: list[dict[str, Any]] = []
    out = io.StringIO()
    if output.kind == "jsonl":
        keep = []
        for line in text.splitlines(keepends=True):
            if not line.strip():
                continue
            row = _json_or_none(line)
            if row is not None and row.get("file") and abspath(row["file"]) in drop:
                continue
            keep.append(line)
            if row is not None:
                kept.append(row)
        return kept, "".join(keep).encode("utf-8")
    reader = csv.DictReader(io.StringIO(text))
    writer = csv.DictWriter(out, output.columns, extrasaction="ignore")
    writer.writeheader()
    for row in reader:
        if row.get("file") and abspath(row["file"]) in drop:
            continue
        writer.writerow(row)
        kept.append(row)
    return kept, out.getvalue().encode("utf-8-sig")
