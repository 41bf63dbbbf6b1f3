"""The audit trail's hash chain and the triggers that keep it append-only.

Each audit row carries ``prev_hash`` (the ``row_hash`` of the row before it; 64 zeros for the
first) and ``row_hash`` = sha256 of the canonical JSON (sorted keys, no spaces, UTF-8) of the row's
stored fields and ``prev_hash``. Changing, removing, inserting or reordering a row breaks the
chain from that row on, and :func:`verify_chain` finds it.

What the chain does not show: rows cut off at the end (the last rows deleted, with the triggers
dropped first). :func:`verify_chain` reports the head (last id and hash) so it can be noted
elsewhere (a printout, another system) and compared later. Someone who can rewrite the file can
also recompute every hash; the chain makes a change visible, it does not make it impossible.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GENESIS = "0" * 64

#: the stored fields that are hashed, in the order they are selected
HASHED_FIELDS = ("id", "at", "who", "sha256", "field", "old", "new", "app_version",
                 "weights_sha256", "catalog_version")

# --- triggers (the same text is created by the migrations and checked on open) ---------------
TRIGGER_NO_UPDATE = """CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"""
TRIGGER_NO_DELETE = """CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"""
# REPLACE INTO / INSERT OR REPLACE delete the old row without firing the delete trigger:
# refuse any insert whose id is not after the last row (an auto id reads -1 here).
TRIGGER_NO_REPLACE = """CREATE TRIGGER audit_no_replace BEFORE INSERT ON audit
        WHEN NEW.id <> -1 AND NEW.id <= (SELECT coalesce(max(id), 0) FROM audit)
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"""
# a new row must link to the last one
TRIGGER_CHAIN_LINK = """CREATE TRIGGER audit_chain_link BEFORE INSERT ON audit
        WHEN NEW.row_hash IS NULL OR length(NEW.row_hash) <> 64
          OR NEW.prev_hash IS NOT coalesce(
               (SELECT row_hash FROM audit ORDER BY id DESC LIMIT 1), '""" + GENESIS + """')
        BEGIN SELECT RAISE(ABORT, 'an audit row must link to the last one'); END"""

TRIGGERS_BY_VERSION: dict[int, dict[str, str]] = {
    2: {"audit_no_update": TRIGGER_NO_UPDATE, "audit_no_delete": TRIGGER_NO_DELETE},
    3: {"audit_no_update": TRIGGER_NO_UPDATE, "audit_no_delete": TRIGGER_NO_DELETE,
        "audit_no_replace": TRIGGER_NO_REPLACE, "audit_chain_link": TRIGGER_CHAIN_LINK},
}


def _norm(sql: str | None) -> str:
    return " ".join((sql or "").replace(";", " ; ").split()).lower()


def missing_triggers(conn: sqlite3.Connection, version: int) -> list[str]:
    """Names of the triggers schema ``version`` must have that are absent or altered."""
    expected = TRIGGERS_BY_VERSION.get(min(version, max(TRIGGERS_BY_VERSION)), {}) \
        if version >= 2 else {}
    found = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                              "AND tbl_name = 'audit'").fetchall())
    return [name for name, sql in expected.items() if _norm(found.get(name)) != _norm(sql)]


# --- hashing -----------------------------------------------------------------------------------
def row_hash(row: dict[str, Any], prev_hash: str) -> str:
    """sha256 over the canonical JSON of the stored fields and ``prev_hash``."""
    payload = {k: row.get(k) for k in HASHED_FIELDS}
    payload["prev_hash"] = prev_hash
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def last_link(conn: sqlite3.Connection) -> tuple[int, str]:
    """(next id, hash the next row must link to)."""
    row = conn.execute("SELECT id, row_hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    seq = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit'").fetchone()
    last_id = max(row[0] if row else 0, seq[0] if seq else 0)
    return last_id + 1, (row[1] if row else GENESIS) or GENESIS


def chain_rows(conn: sqlite3.Connection, rows: Iterable[dict[str, Any]]) -> None:
    """Insert audit rows (dicts of the hashed fields but ``id``) linked to the current head.
    Must run inside the caller's write transaction."""
    next_id, prev = last_link(conn)
    for row in rows:
        full = {**row, "id": next_id}
        h = row_hash(full, prev)
        conn.execute(
            "INSERT INTO audit(id, at, who, sha256, field, old, new, app_version, "
            "weights_sha256, catalog_version, prev_hash, row_hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*(full[k] for k in HASHED_FIELDS), prev, h))
        prev, next_id = h, next_id + 1


# --- verification -------------------------------------------------------------------------------
@dataclass
class ChainFault:
    id: int
    kind: str  # "hash" (row changed), "link" (row removed/inserted/reordered), "not_json"
    detail: str = ""


@dataclass
class ChainReport:
    rows: int = 0
    head_id: int | None = None
    head_hash: str | None = None
    migrated_rows: int = 0  # rows written before the chain existed, chained at migration
    faults: list[ChainFault] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # store-level: damaged, triggers missing
    # the review tables where they differ from the trail (review.replay): edited by hand
    mismatches: list[Any] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.faults and not self.problems and not self.mismatches


def verify_chain(conn: sqlite3.Connection) -> ChainReport:
    """Walk the audit rows in id order, recompute every hash and link, then replay the trail
    against the review tables (:mod:`ecg_viewer.review.replay`); never raises for a bad row (a
    non-JSON value is a fault, not an exception)."""
    report = ChainReport()
    # one read transaction: the trail and the review tables are read from one snapshot (WAL),
    # so a save another window commits meanwhile is never taken for a direct edit
    own = not conn.in_transaction
    try:
        if own:
            conn.execute("BEGIN")
        _walk(conn, report)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if {"reviews", "label_decisions", "added_labels", "audit"} <= tables:
            from ecg_viewer.review.replay import replay

            report.mismatches = replay(conn)
    except sqlite3.DatabaseError:  # the file is damaged where the rows are
        report.problems.append("review.damaged")
    finally:
        if own and conn.in_transaction:
            conn.execute("ROLLBACK")  # nothing was written: only the snapshot ends
    return report


def _walk(conn: sqlite3.Connection, report: ChainReport) -> None:
    cols = {r[1] for r in conn.execute("PRAGMA table_info(audit)")}
    if "row_hash" not in cols:
        report.problems.append("review.chain_absent")
        report.rows = int(conn.execute("SELECT COUNT(*) FROM audit").fetchone()[0])
        return
    prev = GENESIS
    sql = f"SELECT {', '.join(HASHED_FIELDS)}, prev_hash, row_hash FROM audit ORDER BY id"
    for values in conn.execute(sql):
        row = dict(zip(HASHED_FIELDS, values[:-2], strict=True))
        stored_prev, stored_hash = values[-2], values[-1]
        report.rows += 1
        if stored_prev != prev:
            report.faults.append(ChainFault(row["id"], "link", "prev_hash does not match"))
        if row_hash(row, stored_prev or "") != stored_hash:
            report.faults.append(ChainFault(row["id"], "hash", "row content changed"))
        for name in ("old", "new"):
            if not is_json(row[name]):
                report.faults.append(ChainFault(row["id"], "not_json", name))
        if row["field"] == MIGRATION_FIELD and is_json(row["new"]):
            report.migrated_rows += int((json.loads(row["new"]) or {}).get("rows_chained", 0))
        prev = stored_hash or ""
        report.head_id, report.head_hash = row["id"], stored_hash


def inspect_file(path: str | Path) -> ChainReport:
    """Check a review database without writing to it (opened read-only, not migrated): file
    integrity (``PRAGMA quick_check``), the audit triggers, and the hash chain."""
    from ecg_viewer.review.sqlite_open import quick_check_fails, read_only_connection

    # a folder that cannot be written is read as it is; an error that is not damage (the file
    # cannot be opened at all) is raised, never reported as tampering (QA 72)
    conn = read_only_connection(Path(path))
    problems: list[str] = []
    try:
        if quick_check_fails(conn):
            problems.append("review.damaged")
        else:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if missing_triggers(conn, version):
                problems.append("review.triggers_missing")
        report = verify_chain(conn)
    finally:
        conn.close()
    report.problems = list(dict.fromkeys([*problems, *report.problems]))
    return report


def is_json(text: str | None) -> bool:
    if text is None:
        return True
    try:
        json.loads(text)
    except (ValueError, TypeError):
        return False
    return True


MIGRATION_FIELD = "audit_chain:migrated"
