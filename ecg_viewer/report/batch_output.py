"""The results file of ``batch``: rows appended to .jsonl or .csv, all or nothing per row.

* Each row is one ``os.write`` loop (:func:`ecg_viewer.report.atomic.write_all`) followed by
  fsync. If the write or the fsync fails (full disk, quota, I/O error), the file is cut back to
  its size before the row and fsync'd again, so no half row is left; the error says how many rows
  are recorded.
* The file is locked (``flock``) while a run holds it: a second run into the same output is
  refused instead of analysing and writing every file a second time.
* Files are recorded by absolute path, so a run started from another folder still skips them.
* Each row keeps the size and modification time of the files it was made from (``source``;
  the CSV's last column, as JSON). A later run analyses a file again when those changed and its
  contents did too (the record's sha256 differs, or it cannot be read any more), and a duplicate
  whose result went: the old rows are taken out of the file (:meth:`BatchOutput.drop`), so a
  CSV never holds two rows for one file nor a duplicate of nothing.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import logging
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ecg_viewer.core.errors import EcgError, os_reason
from ecg_viewer.core.hashing import fingerprint, sha256_files
from ecg_viewer.core.messages import Bilingual, language, tr
from ecg_viewer.core.prediction import READING_ORDER, UNVALIDATED_THRESHOLD
from ecg_viewer.core.printable import on_disk, printable, printable_path
from ecg_viewer.report.atomic import ExportError, refuse_read_only, write_all

log = logging.getLogger(__name__)

CSV_COLUMNS = (
    "file", "patient_id", "recorded_at", "sha256", "status", "priority", "error", "quality_ok", "quality_problems",
    "referral_level", "referral_ja", "referral_en", "referral_because", "top1_id", "top1_ja",
    "top1_en", "top1_score", "top5", "top5_ja", "top5_en",
    "present", "present_ja", "present_en", "hr_bpm", "rr_ms", "pr_ms", "qrs_ms", "qt_ms", "qtc_bazett_ms",
    "qtc_fridericia_ms", "qrs_axis_deg", "low_confidence", "app_version", "weights_sha256",
    "catalog_version", "duplicate_of", "notice",
    "source",
)  # fmt: skip


class BatchOutputError(EcgError, OSError):
    """The results file cannot be opened or written; ``rows`` rows are recorded in it."""

    def __init__(self, key: str, out: str | Path, *, rows: int = 0, reason: object = "",
                 errno_: int | None = None) -> None:
        self.out, self.rows, self.errno_ = str(out), rows, errno_
        super().__init__(key, out=self.out, done=rows, reason=reason)


def abspath(path: str | Path) -> str:
    """The key a file is recorded under: absolute, symlinks kept as named, as its row names it
    (:func:`~ecg_viewer.core.printable.printable_path`: a Shift_JIS name as 田中.mwf)."""
    return printable_path(os.path.abspath(os.fspath(path)))


class BatchOutput:
    """Appends rows to a .jsonl or .csv file; knows which files/records it already holds."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.kind = self.path.suffix.lower().lstrip(".")
        if self.kind not in ("jsonl", "csv"):
            raise ValueError(f"output must end in .jsonl or .csv, got {self.path.name}")
        self.done_files: set[str] = set()
        self.done_sha: set[str] = set()
        # absolute path -> (sha256, source, is a duplicate row) of its row, for :meth:`changed`
        self._made_from: dict[str, tuple[str | None, Any, bool]] = {}
        # sha256 -> (file, referral dict or None) of the row that holds the ECG's result
        self._originals: dict[str, tuple[str, dict[str, Any] | None]] = {}
        self.rows = 0
        # the CSV columns of this file: CSV_COLUMNS, or the header of a file an earlier version
        # began (a resumed run appends rows under that header, never under another)
        self.columns: tuple[str, ...] = CSV_COLUMNS
        try:
            # a results file someone write-protected is neither appended to nor replaced, as
            # report and render refuse theirs (QA 49: root appended to a 0444 file)
            refuse_read_only(self.path)
        except ExportError as exc:
            raise BatchOutputError("batch.read_only_target", self.path) from exc
        try:
            self._fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o666)
        except OSError as exc:
            raise BatchOutputError("batch.write_failed", self.path,
                                   reason=os_reason(exc), errno_=exc.errno) from exc
        self._regular = stat.S_ISREG(os.fstat(self._fd).st_mode)
        try:
            self._lock()
            self._load_existing()
            if self.kind == "csv" and self._size() == 0:
                buf = io.StringIO()
                csv.DictWriter(buf, CSV_COLUMNS).writeheader()
                # with a byte-order mark: Excel then reads the Japanese columns as UTF-8
                self._append(buf.getvalue().encode("utf-8-sig"))
        except BaseException:
            os.close(self._fd)
            raise

    # --- opening --------------------------------------------------------------------------------
    def _lock(self) -> None:
        if not self._regular:
            return
        try:
            import fcntl
        except ImportError:  # Windows: no advisory lock; one run at a time is the user's job
            return
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            raise BatchOutputError("batch.in_use", self.path, errno_=exc.errno) from exc

    def _size(self) -> int:
        return os.fstat(self._fd).st_size if self._regular else 0

    def _load_existing(self) -> None:
        if not self._regular or self._size() == 0:  # a device or pipe is not read back
            return
        with open(self.path, "rb") as fh:
            data = fh.read()
        if not _is_results(data, self.kind):  # another file (an ECG export, a spreadsheet ...)
            raise BatchOutputError("batch.not_results", self.path)
        if data and not data.endswith(b"\n"):  # interrupted mid-row: drop the partial line
            cut = data.rfind(b"\n") + 1
            log.warning("%s: dropping a half-written last row (%d bytes)", self.path,
                        len(data) - cut)
            os.ftruncate(self._fd, cut)
            os.fsync(self._fd)
            data = data[:cut]
        text = data.decode("utf-8-sig", errors="replace")
        if self.kind == "jsonl":
            rows: Iterator[dict[str, Any] | None] = (_json_or_none(line)
                                                     for line in text.splitlines())
        else:
            reader = csv.DictReader(io.StringIO(text))
            if reader.fieldnames and "file" in reader.fieldnames:
                self.columns = tuple(reader.fieldnames)
            rows = iter(reader)
        for row in rows:
            if not row:
                continue
            self.rows += 1
            self._note(row)

    def _note(self, row: dict[str, Any]) -> None:
        if row.get("file"):
            self.done_files.add(abspath(row["file"]))
            source = row.get("source")
            if isinstance(source, str):  # the CSV column
                source = _json_or_none(source) if source.strip() else None
            duplicate = bool(row.get("duplicate")) or row.get("status") == "duplicate"
            self._made_from[abspath(row["file"])] = (row.get("sha256") or None, source,
                                                     duplicate)
        if row.get("sha256"):
            self.done_sha.add(row["sha256"])
            duplicate = bool(row.get("duplicate")) or row.get("status") == "duplicate"
            if row.get("file") and not duplicate:
                self._originals.setdefault(row["sha256"], (abspath(row["file"]),
                                                           _referral_of(row)))

    def fill_duplicate(self, row: dict[str, Any]) -> bool:
        """Name, in a duplicate ``row``, the file whose row holds the ECG (``duplicate_of``) and
        give it that row's referral level, so that sorting by priority keeps the copy beside
        its original (QA 40: a copy of a 要精査 ECG had no level and sorted below the unreadable
        files). False when no row holds the original yet (it is still being analysed)."""
        original = self._originals.get(row.get("sha256") or "")
        if original is None:
            return False
        row["duplicate_of"] = original[0]
        if original[1]:
            row["referral"] = dict(original[1])
        return True

    # --- files changed since their row -----------------------------------------------------------
    @property
    def tracks_changes(self) -> bool:
        """False for a CSV an older version began: its header has no ``source`` column, so
        no row (new ones included) records the files it was made from."""
        return self.kind != "csv" or "source" in self.columns

    def changed(self, paths: Iterable[str | Path]) -> list[str]:
        """Those of ``paths`` (absolute) whose row no longer describes them: the files it was
        made from changed (size or time, and then the bytes), or it is a duplicate of a result
        no row holds any more. Paths without a row, and rows without ``source`` (older
        versions), count as unchanged."""
        results = {sha for sha, _src, dup in self._made_from.values() if sha and not dup}
        out = []
        for path in paths:
            key = abspath(path)
            sha, source, duplicate = self._made_from.get(key, (None, None, False))
            if duplicate and sha and sha not in results:
                out.append(key)  # a duplicate of nothing (its result went in an earlier run)
                continue
            if not isinstance(source, list) or not source:
                continue
            try:
                files = [on_disk(str(f[0])) for f in source]
                now = fingerprint(files)
                if all(list(a[1:]) == list(b[1:]) for a, b in zip(source, now, strict=True)):
                    continue
                if sha and all(size >= 0 for _f, size, _t in now) and sha256_files(files) == sha:
                    continue  # touched (copied back, restored) but the same bytes
            except (TypeError, ValueError, IndexError, OSError):
                pass  # a malformed source or a file that cannot be read now: analysed again
            out.append(key)
        return out

    def drop(self, files: Iterable[str]) -> int:
        """Take the rows of ``files`` out of the results, and the duplicates of results that go
        with them (no row may point at a result no row holds); returns how many rows went.

        The kept rows go to a temporary file beside the results (beside the file a link points
        to), with its mode and owner, locked, fsync'd and renamed over it; the lock is held
        throughout. Raises ``batch.rewrite_failed`` with the results unchanged where the folder
        takes no new file or the results are not UTF-8 (a CSV saved again in Shift_JIS would
        lose its Japanese in every row kept)."""
        drop = {abspath(f) for f in files}
        if not drop or not self._regular:
            return 0
        gone = {self._made_from[f][0] for f in drop
                if f in self._made_from and not self._made_from[f][2]}
        kept_results = {sha for f, (sha, _s, dup) in self._made_from.items()
                        if f not in drop and not dup}
        orphans = gone - kept_results - {None}
        drop |= {f for f, (sha, _s, dup) in self._made_from.items() if dup and sha in orphans}

        target = Path(os.path.realpath(self.path))  # a link's target is rewritten, not the link
        try:
            text = target.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise BatchOutputError("batch.rewrite_failed", self.path, rows=self.rows,
                                   reason=Bilingual(
                                       "UTF-8 ではありません（表計算ソフトで保存し直しましたか？）",
                                       "not UTF-8 (saved again by a spreadsheet?)")) from exc
        kept, payload = self._kept_rows(text, drop)
        removed = self.rows - len(kept)
        st = os.fstat(self._fd)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        old_fd = self._fd
        try:
            fd = os.open(tmp, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC, 0o600)
        except OSError as exc:
            raise BatchOutputError("batch.rewrite_failed", self.path, rows=self.rows,
                                   reason=os_reason(exc), errno_=exc.errno) from exc
        try:
            os.fchmod(fd, st.st_mode & 0o7777)  # the mode the user gave the results
            try:
                os.fchown(fd, st.st_uid, st.st_gid)
            except OSError:
                pass  # not ours to give away (the file's owner is someone else): keep ours
            write_all(fd, payload)
            os.fsync(fd)
            self._fd = fd
            self._lock()  # the new file is ours before it takes the name
            os.replace(tmp, target)
        except BaseException as exc:  # Ctrl-C included: no temporary copy of the results is left
            os.close(fd)
            self._fd = old_fd
            tmp.unlink(missing_ok=True)
            if isinstance(exc, OSError):
                raise BatchOutputError("batch.rewrite_failed", self.path, rows=self.rows,
                                       reason=os_reason(exc), errno_=exc.errno) from exc
            raise
        os.close(old_fd)  # the old file's lock goes with it
        self.rows = 0
        self.done_files.clear()
        self.done_sha.clear()
        self._made_from.clear()
        self._originals.clear()
        for row in kept:
            self.rows += 1
            self._note(row)
        log.info("%s: %d rows of changed files taken out", self.path, removed)
        return removed

    def _kept_rows(self, text: str, drop: set[str]) -> tuple[list[dict[str, Any]], bytes]:
        """The rows not in ``drop`` and the file's new bytes (the lines kept as they were)."""
        kept: list[dict[str, Any]] = []
        if self.kind == "jsonl":
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
        out = io.StringIO()
        writer = csv.DictWriter(out, self.columns, extrasaction="ignore")
        writer.writeheader()
        for row in csv.DictReader(io.StringIO(text)):
            if row.get("file") and abspath(row["file"]) in drop:
                continue
            writer.writerow(row)
            kept.append(row)
        return kept, out.getvalue().encode("utf-8-sig")

    # --- writing --------------------------------------------------------------------------------
    def _append(self, data: bytes) -> None:
        """Append ``data`` completely or not at all (cut back on failure)."""
        before = self._size()
        try:
            write_all(self._fd, data)
            os.fsync(self._fd)
        except OSError as exc:
            clean = self._cut_back(before)
            full = exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
            key = "batch.disk_full" if full and clean else "batch.write_failed"
            log.error("batch output %s: write failed (%s); cut back to %d bytes: %s",
                      self.path, exc, before, clean)
            raise BatchOutputError(key, self.path, rows=self.rows, reason=os_reason(exc),
                                   errno_=exc.errno) from exc

    def _cut_back(self, size: int) -> bool:
        if not self._regular:
            return True  # nothing is kept on a device or a pipe
        try:
            os.ftruncate(self._fd, size)
            os.fsync(self._fd)
        except OSError as exc:
            log.error("could not cut %s back to %d bytes: %s", self.path, size, exc)
            return False
        return True

    def write(self, row: dict[str, Any]) -> None:
        # a file name that is not UTF-8 (Shift_JIS from a Windows ZIP) stopped the whole run
        # with a UnicodeEncodeError and no row (QA 45): every text of the row printable
        row = printable(row)
        if self.kind == "csv":
            buf = io.StringIO()
            csv.DictWriter(buf, self.columns, extrasaction="ignore").writerow(csv_row(row))
            line = buf.getvalue()
        else:
            if "referral" in row and "error" not in row and not row.get("duplicate"):
                # a result says what it is, as analyze --json does (QA 41)
                row = {**row, "notice": {"ja": tr("safety.notice", "ja"),
                                         "en": tr("safety.notice", "en")}}
            line = json.dumps(row, ensure_ascii=False) + "\n"
        self._append(line.encode("utf-8"))
        self.rows += 1
        self._note(row)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)  # also releases the lock
            self._fd = -1


def _is_results(data: bytes, kind: str) -> bool:
    """Whether a non-empty file begins as a results file of ``kind`` does: a CSV header with the
    "file" and "status" columns, or a JSON object with "file" on the first line. Anything else is
    never appended to (nor cut back)."""
    first = data.decode("utf-8-sig", errors="replace").split("\n", 1)[0].strip()
    if kind == "csv":
        try:
            header = next(csv.reader([first]))
        except (csv.Error, StopIteration):
            return False
        return "file" in header and "status" in header
    row = _json_or_none(first)
    return isinstance(row, dict) and "file" in row


def _json_or_none(line: str) -> dict[str, Any] | None:
    try:
        return json.loads(line) if line.strip() else None
    except json.JSONDecodeError:
        log.warning("skipping an unreadable line in the batch output")
        return None


def _referral_of(row: dict[str, Any]) -> dict[str, Any] | None:
    """The referral level (and its names) of a result row: a JSON line's ``referral``, or a CSV
    row's columns; None for an error row."""
    if "error" in row and row.get("error") or row.get("status") == "error":
        return None
    if isinstance(row.get("referral"), dict):
        r = row["referral"]
        return {k: r[k] for k in ("level", "ja", "en") if r.get(k)} or None
    if row.get("referral_level"):
        return {"level": row["referral_level"], "ja": row.get("referral_ja") or "",
                "en": row.get("referral_en") or ""}
    return None


def csv_row(row: dict[str, Any], lang: str | None = None) -> dict[str, Any]:
    """Flatten an output row into the CSV columns; the error and quality texts in ``lang``
    (default: the current language)."""
    out = _csv_row(row, (lang or language()) == "ja")
    out["source"] = json.dumps(row["source"], ensure_ascii=False) if row.get("source") else ""
    # sorting by this column in a spreadsheet gives the worklist's reading order (要至急 first);
    # sorting by referral_level sorts the level codes alphabetically (A, B, C, D, E, urgent)
    # a duplicate sorts with its original (its level, when it has one: fill_duplicate)
    level = "error" if "error" in row else (row.get("referral") or {}).get("level") or (
        None if row.get("duplicate") else "pending")
    out["priority"] = READING_ORDER[level] + 1 if level in READING_ORDER else ""
    return out


def _name(label: dict[str, Any], lang: str) -> str:
    """A label's name in a CSV cell, marked （未検証） where no validation set its threshold, as
    the window, the PDF and ``analyze`` mark it (QA 41: the CSV had listed such labels in its
    top 5 unmarked)."""
    name = label.get(lang) or label["id"]
    unvalidated = label.get("unvalidated")
    if unvalidated is None:  # a row of a version before the field
        unvalidated = float(label.get("threshold") or 0.0) >= UNVALIDATED_THRESHOLD
    return name + tr("suggest.unvalidated_mark", lang) if unvalidated else name


def _csv_row(row: dict[str, Any], ja: bool) -> dict[str, Any]:
    # whose ECG and when, where the file says (QA 73: a 要至急 row named only its file path)
    return {"patient_id": row.get("patient_id") or "", "recorded_at": row.get("recorded_at") or "",
            **_csv_cells(row, ja)}


def _csv_cells(row: dict[str, Any], ja: bool) -> dict[str, Any]:
    if "error" in row:
        return {"file": row["file"], "sha256": row.get("sha256") or "", "status": "error",
                "error": (row.get("error_ja") if ja else None) or row["error"]}
    if row.get("duplicate"):
        referral = row.get("referral") or {}
        return {"file": row["file"], "sha256": row.get("sha256") or "", "status": "duplicate",
                "duplicate_of": row.get("duplicate_of") or "",
                "referral_level": referral.get("level") or "",
                "referral_ja": referral.get("ja") or "", "referral_en": referral.get("en") or ""}
    labels = row.get("labels") or []
    meas = row.get("measurements") or {}
    model = row.get("model") or {}
    quality = row.get("quality") or {}
    referral = row.get("referral") or {}
    top = labels[0] if labels else {}
    present = [s for s in labels if s.get("above_threshold")]
    out = {
        "file": row["file"], "sha256": row.get("sha256"), "status": "ok", "error": "",
        "quality_ok": quality.get("ok"),
        "quality_problems": "; ".join(p.get("ja" if ja else "en", "")
                                      for p in quality.get("problems", [])),
        "referral_level": referral.get("level"), "referral_ja": referral.get("ja"),
        "referral_en": referral.get("en"),
        "referral_because": " ".join(referral.get("because", [])),
        "top1_id": top.get("id", ""), "top1_ja": _name(top, "ja") if top else "",
        "top1_en": _name(top, "en") if top else "", "top1_score": top.get("score", ""),
        "top5": " ".join(s["id"] for s in labels[:5]),
        "top5_ja": "、".join(_name(s, "ja") for s in labels[:5]),
        "top5_en": "; ".join(_name(s, "en") for s in labels[:5]),
        "present": " ".join(s["id"] for s in present),
        "present_ja": "、".join(s.get("ja", s["id"]) for s in present),
        "present_en": "; ".join(s.get("en", s["id"]) for s in present),
        "app_version": model.get("app_version", ""),
        "weights_sha256": model.get("weights_sha256", ""),
        "catalog_version": model.get("catalog_version", ""),
        # every result says what it is, as analyze --json and the report do (QA 41)
        "notice": tr("safety.notice", "ja" if ja else "en"),
    }
    values = ("hr_bpm", "rr_ms", "pr_ms", "qrs_ms", "qt_ms", "qtc_bazett_ms",
              "qtc_fridericia_ms", "qrs_axis_deg")
    for key in values:
        value = meas.get(key) if isinstance(meas, dict) else None
        out[key] = "" if value is None else value
    # the columns whose value the window and the report show greyed （参考値）: a spreadsheet
    # must not read them as measured alike (QA 35: an axis of 90° from a disconnected lead I)
    low = meas.get("low_confidence") if isinstance(meas, dict) else None
    out["low_confidence"] = " ".join(k for k in values if k in (low or ()) and out[k] != "")
    return out
