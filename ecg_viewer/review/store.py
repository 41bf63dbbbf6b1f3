"""The review database: SQLite in the user's data folder, keyed by the ECG file's sha256.

Nothing is ever written next to the ECG file. Every change is one ``BEGIN IMMEDIATE``
transaction that reads the freshest row, applies the change and appends one audit row per
changed field (old -> new, who, when, app version, weights hash, catalog version), so two
windows (or processes) editing at once neither corrupt the file (WAL) nor lose each other's
writes.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import logging
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ecg_viewer.core.errors import EcgError
from ecg_viewer.core.messages import Bilingual, tr
from ecg_viewer.core.printable import printable_path
from ecg_viewer.review.chain import ChainReport, chain_rows, is_json, missing_triggers, verify_chain
from ecg_viewer.review.model import CONFIRMED, REJECTED, Annotation, Review, review_changes
from ecg_viewer.review.schema import SCHEMA_VERSION, SchemaTooNewError, migrate, schema_version
from ecg_viewer.review.sqlite_open import (
    cannot_write,
    in_memory_upgrade,
    is_corrupt,
    is_full,
    quick_check_fails,
    read_only_connection,
)

log = logging.getLogger(__name__)

#: Environment variable naming the folder that holds the review database (tests, portable use).
DATA_DIR_ENV = "ECG_VIEWER_DATA_DIR"
DB_FILENAME = "reviews.sqlite3"
_BUSY_TIMEOUT_S = 30.0
NOT_WRITABLE = "review.not_writable"  # a problem: the folder cannot be written, reads go on


class ReviewStoreError(EcgError):
    """The review database cannot be opened or written."""


def default_data_dir() -> Path:
    """``$ECG_VIEWER_DATA_DIR`` if set, else the platform's per-user data folder."""
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("ecg-viewer", appauthor=False))


def default_db_path() -> Path:
    return default_data_dir() / DB_FILENAME


@dataclass(frozen=True)
class AuditContext:
    """What produced the suggestions the clinician is judging; written on every audit row."""

    app_version: str | None = None
    weights_sha256: str | None = None
    catalog_version: str | None = None


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    who: str
    sha256: str
    field: str
    old: Any
    new: Any
    app_version: str | None
    weights_sha256: str | None
    catalog_version: str | None
    fault: str | None = None  # "not_json" when a stored value is not JSON (shown raw)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def absolute_path(path: str | None) -> str | None:
    """``path`` made absolute against the working directory it was given in: a review stores
    where its file lives so that a later session, started from another folder, can offer it as
    the prior ECG (QA 44: ``ecg-viewer day1/x.xml`` stored 'day1/x.xml', found from nowhere
    else)."""
    return printable_path(os.path.abspath(path)) if path else path


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (containers, some services)
        return "unknown"


class ReviewStore:
    """Reviews keyed by sha256. One instance per thread (sqlite3 connections are per thread)."""

    def __init__(self, path: str | Path | None = None) -> None:
        """Open (and bring up to date) the database. It is checked first (``PRAGMA
        quick_check``, the audit triggers): a damaged database or one whose triggers are
        missing or altered is opened read-only, never written, and ``problems`` says why
        (message-table keys)."""
        self.path = Path(path) if path is not None else default_db_path()
        self.problems: list[str] = []
        self._reviewer: str | None = None  # who signs this store's writes (reviewer())
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(
                self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None
            )
            self._conn.execute(f"PRAGMA busy_timeout = {int(_BUSY_TIMEOUT_S * 1000)}")
            self._check_before_writing()
            if self.problems:
                self._conn.execute("PRAGMA query_only = ON")
                log.error("review database %s opened read-only: %s", self.path,
                          ", ".join(self.problems))
                return
            mode = self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                log.warning("review database %s is in journal mode %s, not WAL", self.path, mode)
            self._conn.execute("PRAGMA synchronous = FULL")
            self._conn.execute("PRAGMA foreign_keys = ON")
            before = migrate(self._conn)
        except SchemaTooNewError as exc:
            raise ReviewStoreError("review.too_new", path=self.path, version=exc.found) from exc
        except (sqlite3.Error, OSError) as exc:
            if not self.path.is_file() or is_corrupt(exc) or not cannot_write(exc):
                raise ReviewStoreError("review.open_failed", path=self.path, reason=exc) from exc
            self._open_read_only(exc)  # a folder that cannot be written: read, never write
            return
        if before and before != self.schema_version:
            log.info("review database %s migrated from v%d to v%d", self.path, before,
                     self.schema_version)

    def _open_read_only(self, why: BaseException) -> None:
        """The database in a folder it cannot be written in (the writable open failed with
        ``why``): opened read-only, checked as before, every write refused with the reason."""
        with contextlib.suppress(AttributeError, sqlite3.Error):
            self._conn.close()
        try:
            self._conn = read_only_connection(self.path, _BUSY_TIMEOUT_S)
            self._check_before_writing()
            if not self.problems and schema_version(self._conn) < SCHEMA_VERSION:
                # an older schema it cannot upgrade in place: read from an upgraded copy in
                # memory (QA 73: a v1 file lacked the columns the reads ask for, exit 70)
                self._conn = in_memory_upgrade(self._conn)
        except SchemaTooNewError as exc:
            raise ReviewStoreError("review.too_new", path=self.path, version=exc.found) from exc
        except (sqlite3.Error, OSError) as exc:
            raise ReviewStoreError("review.open_failed", path=self.path, reason=why) from exc
        self.problems.append(NOT_WRITABLE)
        log.error("review database %s opened read-only (%s): %s", self.path, why,
                  ", ".join(self.problems))

    def _check_before_writing(self) -> None:
        """Fill ``problems``: a damaged file, or audit triggers missing/altered. An error that
        is not damage (the file cannot be opened) is raised."""
        if quick_check_fails(self._conn):
            log.error("quick_check of %s failed", self.path)
            self.problems.append("review.damaged")
            return
        version = schema_version(self._conn)
        if version > SCHEMA_VERSION:
            raise SchemaTooNewError(version)
        missing = missing_triggers(self._conn, version)
        if missing:
            log.error("review database %s: audit triggers missing or altered: %s", self.path,
                      ", ".join(missing))
            self.problems.append("review.triggers_missing")

    @property
    def read_only(self) -> bool:
        """True when the database was found damaged or tampered with, or lies in a folder it
        cannot be written in (see ``problems``)."""
        return bool(self.problems)

    def verify_chain(self) -> ChainReport:
        """Recompute the audit hash chain (see :mod:`ecg_viewer.review.chain`); a folder that
        cannot be written is no fault of the trail."""
        report = verify_chain(self._conn)
        report.problems = list(dict.fromkeys(
            [*(p for p in self.problems if p != NOT_WRITABLE), *report.problems]))
        return report

    # --- housekeeping ------------------------------------------------------------------------
    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> ReviewStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def integrity_ok(self) -> bool:
        return self._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        if self.problems:
            raise ReviewStoreError("review.read_only", path=self.path, reason=Bilingual(
                "、".join(tr(k, "ja") for k in self.problems),
                ", ".join(tr(k, "en") for k in self.problems)))
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise ReviewStoreError("review.write_failed", path=self.path, reason=exc) from exc
        try:
            yield self._conn
            self._conn.execute("COMMIT")
        except BaseException as exc:
            # on a full disk or an I/O error SQLite has rolled back already: a ROLLBACK then
            # raised "no transaction is active", a bare sqlite3 error the window did not catch,
            # and the review dock stayed on the previous ECG (QA 72)
            if self._conn.in_transaction:
                try:
                    self._conn.execute("ROLLBACK")
                except sqlite3.Error:
                    log.exception("rollback on %s failed", self.path)
            if isinstance(exc, sqlite3.Error):
                key = "review.disk_full" if is_full(exc) else "review.write_failed"
                raise ReviewStoreError(key, path=self.path, reason=exc) from exc
            raise

    # --- who is reviewing ----------------------------------------------------------------------
    def reviewer(self) -> str:
        """Who signs this store's writes: the name set here (``set_reviewer``), else the name
        last typed in any window when this store first asked (kept from then on), else the OS
        user name. Each window and process has its own store, so a name typed in one never signs
        another's decisions (QA 66: with two windows on one database, B's comment and level
        were recorded under the name A typed last, while B's field still showed B's)."""
        if self._reviewer is None:
            row = self._conn.execute("SELECT value FROM settings WHERE key = 'reviewer'").fetchone()
            self._reviewer = row[0] if row and row[0] else _os_user()
        return self._reviewer

    def set_reviewer(self, name: str) -> None:
        """Sign this store's writes with ``name`` (blank: the OS user name); it is also kept as
        the name the next window starts with."""
        name = name.strip()
        with self._write() as c:
            c.execute("INSERT INTO settings(key, value) VALUES ('reviewer', ?) "
                      "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (name or None,))
        self._reviewer = name or _os_user()

    def data_version(self) -> int:
        """SQLite's ``PRAGMA data_version``: it changes when another connection (another window
        or process on this file) has committed, not on this connection's own writes."""
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    # --- reading -------------------------------------------------------------------------------
    def get(self, sha256: str) -> Review:
        """The review of the ECG with this sha256 (an empty one, revision 0, when none)."""
        return self._read(self._conn, sha256)

    def has(self, sha256: str) -> bool:
        return self._conn.execute("SELECT 1 FROM reviews WHERE sha256 = ?", (sha256,)).fetchone() \
            is not None

    def states(self, sha256s: Iterable[str]) -> dict[str, Review]:
        """Reviews of many ECGs at once (e.g. a worklist); missing ones are left out."""
        out = {}
        for sha in sha256s:
            if self.has(sha):
                out[sha] = self.get(sha)
        return out

    def audit(self, sha256: str | None = None) -> list[AuditEntry]:
        sql = ("SELECT id, at, who, sha256, field, old, new, app_version, weights_sha256, "
               "catalog_version FROM audit")
        rows = (self._conn.execute(sql + " WHERE sha256 = ? ORDER BY id", (sha256,))
                if sha256 else self._conn.execute(sql + " ORDER BY id"))
        out = []
        for r in rows:
            ok = is_json(r[5]) and is_json(r[6])
            if not ok:
                log.error("audit row %s of %s holds a value that is not JSON", r[0], self.path)
            old, new = (_loads(r[5]), _loads(r[6])) if ok else (r[5], r[6])
            out.append(AuditEntry(r[0], r[1], r[2], r[3], r[4], old, new, r[7], r[8], r[9],
                                  fault=None if ok else "not_json"))
        return out

    @staticmethod
    def _read(c: sqlite3.Connection, sha256: str) -> Review:
        row = c.execute(
            "SELECT file_path, comment, suggested_level, final_level, needs_exam, "
            "needs_exam_reason, annotations_json, reviewer, updated_at, revision "
            "FROM reviews WHERE sha256 = ?", (sha256,)).fetchone()
        if row is None:
            return Review(sha256=sha256)
        decisions = dict(c.execute(
            "SELECT label_id, decision FROM label_decisions WHERE sha256 = ? ORDER BY rowid",
            (sha256,)).fetchall())
        added = tuple(r[0] for r in c.execute(
            "SELECT label_id FROM added_labels WHERE sha256 = ? ORDER BY rowid", (sha256,)))
        if any(x in decisions for x in added):  # stored before 2026-12-06: one place per finding
            decisions, added = ReviewStore._one_place(c, sha256, decisions, added)
        return Review(
            sha256=sha256, decisions=decisions, added_labels=added, comment=row[1],
            suggested_level=row[2], final_level=row[3], needs_exam=bool(row[4]),
            needs_exam_reason=row[5],
            annotations=tuple(Annotation.from_dict(a) for a in json.loads(row[6])),
            file_path=row[0], reviewer=row[7], updated_at=row[8], revision=row[9],
        )

    @staticmethod
    def _one_place(c: sqlite3.Connection, sha256: str, decisions: dict[str, str],
                   added: tuple[str, ...]) -> tuple[dict[str, str], tuple[str, ...]]:
        """A finding both decided on and added (allowed before 2026-12-06) is shown as the
        later of the two made it: added after a rejection -> confirmed; rejected or confirmed
        after being added -> that decision. The audit trail says which came later."""
        decisions = dict(decisions)
        for label_id in [x for x in added if x in decisions]:
            when = dict(c.execute(
                "SELECT field, max(id) FROM audit WHERE sha256 = ? AND field IN (?, ?) "
                "GROUP BY field", (sha256, f"decision:{label_id}", f"added_label:{label_id}")))
            if (when.get(f"added_label:{label_id}") or 0) > (when.get(f"decision:{label_id}") or 0):
                decisions[label_id] = CONFIRMED
        return decisions, tuple(x for x in added if x not in decisions)

    # --- writing -------------------------------------------------------------------------------
    def note_location(self, sha256: str, file_path: str | None) -> bool:
        """Where a reviewed ECG's file is now (renamed, moved, opened from another folder): the
        review's ``file_path`` follows it, so the JSON names the file opened and the prior search
        finds it there (QA 66 F6). The review itself did not change: no audit row, and its
        reviewer, time and revision stay. False when nothing was written (no review, the same
        place, or a read-only database)."""
        path = absolute_path(file_path)
        if not path or self.read_only:
            return False
        row = self._conn.execute("SELECT file_path FROM reviews WHERE sha256 = ?",
                                 (sha256,)).fetchone()
        if row is None or row[0] == path:
            return False
        with self._write() as c:
            return c.execute("UPDATE reviews SET file_path = ? WHERE sha256 = ?",
                             (path, sha256)).rowcount > 0

    def update(self, sha256: str, change: Callable[[Review], Review],
               context: AuditContext | None = None, *, file_path: str | None = None) -> Review:
        """Apply ``change`` to the freshest stored review inside one write transaction, store
        what changed with audit rows, and return the stored review."""
        ctx = context or AuditContext()
        file_path = absolute_path(file_path)
        with self._write() as c:
            old = self._read(c, sha256)
            new = change(old)
            if new.sha256 != sha256:
                raise ValueError("a change must not alter the sha256 of a review")
            diffs = review_changes(old, new)
            if not diffs and (file_path is None or file_path == old.file_path):
                return old
            who, now = self.reviewer(), _now()
            self._store(c, old, new, now, who,
                        file_path or absolute_path(new.file_path) or old.file_path)
            chain_rows(c, [{"at": now, "who": who, "sha256": sha256, "field": f,
                            "old": _dumps(o), "new": _dumps(n), "app_version": ctx.app_version,
                            "weights_sha256": ctx.weights_sha256,
                            "catalog_version": ctx.catalog_version} for f, o, n in diffs])
            return self._read(c, sha256)

    def save(self, review: Review, context: AuditContext | None = None) -> Review:
        """Store ``review`` as it is (last writer wins field by field; prefer the small
        operations below, which apply to the freshest row)."""
        return self.update(review.sha256, lambda old: replace(
            review, file_path=review.file_path or old.file_path), context)

    def confirm(self, sha256: str, label_id: str, context: AuditContext | None = None, *,
                file_path: str | None = None) -> Review:
        return self.update(sha256, lambda r: r.with_decision(label_id, CONFIRMED), context,
                           file_path=file_path)

    def reject(self, sha256: str, label_id: str, context: AuditContext | None = None, *,
                file_path: str | None = None) -> Review:
        return self.update(sha256, lambda r: r.with_decision(label_id, REJECTED), context,
                           file_path=file_path)

    def undecide(self, sha256: str, label_id: str, context: AuditContext | None = None, *,
                file_path: str | None = None) -> Review:
        return self.update(sha256, lambda r: r.with_decision(label_id, None), context,
                           file_path=file_path)

    def add_label(self, sha256: str, label_id: str, context: AuditContext | None = None, *,
                file_path: str | None = None) -> Review:
        return self.update(sha256, lambda r: r.with_added_label(label_id), context,
                           file_path=file_path)

    def remove_label(self, sha256: str, label_id: str,
                     context: AuditContext | None = None, *,
                file_path: str | None = None) -> Review:
        return self.update(sha256, lambda r: r.without_added_label(label_id), context,
                           file_path=file_path)

    def set_comment(self, sha256: str, text: str, context: AuditContext | None = None, *,
                file_path: str | None = None) -> Review:
        return self.update(sha256, lambda r: replace(r, comment=text), context,
                           file_path=file_path)

    def set_levels(self, sha256: str, *, suggested: str | None = None,
                   final: str | None = None, context: AuditContext | None = None,
                   file_path: str | None = None) -> Review:
        """Record the suggested level (when given) and the clinician's final level."""
        return self.update(sha256, lambda r: replace(
            r, suggested_level=suggested if suggested is not None else r.suggested_level,
            final_level=final), context,
                           file_path=file_path)

    def set_needs_exam(self, sha256: str, flag: bool, reason: str = "",
                       context: AuditContext | None = None, *,
                file_path: str | None = None) -> Review:
        return self.update(sha256, lambda r: replace(r, needs_exam=flag,
                                                     needs_exam_reason=reason), context,
                           file_path=file_path)

    def add_annotation(self, sha256: str, annotation: Annotation,
                       context: AuditContext | None = None, *,
                file_path: str | None = None) -> Review:
        return self.update(sha256, lambda r: replace(
            r, annotations=(*r.annotations, annotation)), context,
                           file_path=file_path)

    def set_annotations(self, sha256: str, annotations: Iterable[Annotation],
                        context: AuditContext | None = None, *,
                file_path: str | None = None) -> Review:
        items = tuple(annotations)
        return self.update(sha256, lambda r: replace(r, annotations=items), context,
                           file_path=file_path)

    @staticmethod
    def _store(c: sqlite3.Connection, old: Review, new: Review, now: str, who: str,
               file_path: str | None) -> None:
        sha = new.sha256
        c.execute(
            "INSERT INTO reviews(sha256, file_path, comment, suggested_level, final_level, "
            "needs_exam, needs_exam_reason, annotations_json, reviewer, created_at, updated_at, "
            "revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) "
            "ON CONFLICT(sha256) DO UPDATE SET file_path = excluded.file_path, "
            "comment = excluded.comment, suggested_level = excluded.suggested_level, "
            "final_level = excluded.final_level, needs_exam = excluded.needs_exam, "
            "needs_exam_reason = excluded.needs_exam_reason, "
            "annotations_json = excluded.annotations_json, reviewer = excluded.reviewer, "
            "updated_at = excluded.updated_at, revision = reviews.revision + 1",
            (sha, file_path, new.comment, new.suggested_level, new.final_level,
             int(new.needs_exam), new.needs_exam_reason,
             json.dumps([a.to_dict() for a in new.annotations], ensure_ascii=False),
             who, now, now))
        for label_id in set(old.decisions) - set(new.decisions):
            c.execute("DELETE FROM label_decisions WHERE sha256 = ? AND label_id = ?",
                      (sha, label_id))
        for label_id, decision in new.decisions.items():
            if old.decisions.get(label_id) != decision:
                c.execute("INSERT INTO label_decisions(sha256, label_id, decision, decided_at) "
                          "VALUES (?, ?, ?, ?) ON CONFLICT(sha256, label_id) DO UPDATE SET "
                          "decision = excluded.decision, decided_at = excluded.decided_at",
                          (sha, label_id, decision, now))
        for label_id in set(old.added_labels) - set(new.added_labels):
            c.execute("DELETE FROM added_labels WHERE sha256 = ? AND label_id = ?",
                      (sha, label_id))
        for label_id in new.added_labels:
            if label_id not in old.added_labels:
                c.execute("INSERT INTO added_labels(sha256, label_id, added_at) VALUES (?, ?, ?)",
                          (sha, label_id, now))


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)
