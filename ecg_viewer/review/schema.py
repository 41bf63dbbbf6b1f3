"""The review database's schema, as numbered migrations (``PRAGMA user_version``).

Each migration moves the schema one version up and runs inside the caller's transaction. A
database written by an older version of the program is brought up to date when it is opened; one
written by a newer version is refused (it may hold data this version does not understand).
Never edit a migration that has shipped: add the next one. A migration is SQL text, or a function
of the connection when it must compute something (the audit hash chain of version 3).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

from ecg_viewer.review.chain import (
    GENESIS,
    HASHED_FIELDS,
    MIGRATION_FIELD,
    TRIGGER_CHAIN_LINK,
    TRIGGER_NO_REPLACE,
    TRIGGER_NO_UPDATE,
    chain_rows,
    row_hash,
)


def _chain_existing_rows(conn: sqlite3.Connection) -> None:
    """Version 3: the audit hash chain. Rows written before it are chained now, in id order,
    and one audit row records that (how many, when): they were not protected before."""
    conn.execute("ALTER TABLE audit ADD COLUMN prev_hash TEXT")
    conn.execute("ALTER TABLE audit ADD COLUMN row_hash TEXT")
    conn.execute("DROP TRIGGER IF EXISTS audit_no_update")
    prev, n = GENESIS, 0
    rows = conn.execute(f"SELECT {', '.join(HASHED_FIELDS)} FROM audit ORDER BY id").fetchall()
    for values in rows:
        row = dict(zip(HASHED_FIELDS, values, strict=True))
        h = row_hash(row, prev)
        conn.execute("UPDATE audit SET prev_hash = ?, row_hash = ? WHERE id = ?",
                     (prev, h, row["id"]))
        prev, n = h, n + 1
    conn.execute(TRIGGER_NO_UPDATE)
    conn.execute(TRIGGER_NO_REPLACE)
    conn.execute(TRIGGER_CHAIN_LINK)
    if n == 0:  # a new database: nothing was unprotected
        return
    from ecg_viewer import __version__

    chain_rows(conn, [{
        "at": datetime.now(UTC).isoformat(timespec="milliseconds"), "who": "ecg-viewer",
        "sha256": "-", "field": MIGRATION_FIELD, "old": None,
        "new": json.dumps({"rows_chained": n}), "app_version": __version__,
        "weights_sha256": None, "catalog_version": None,
    }])


# version n is reached by running MIGRATIONS[n - 1]
MIGRATIONS: tuple[str | Callable[[sqlite3.Connection], None], ...] = (
    # --- 1: reviews, decisions per suggested label, added labels, audit trail, settings --------
    """
    CREATE TABLE reviews (
        sha256          TEXT PRIMARY KEY,
        file_path       TEXT,
        comment         TEXT NOT NULL DEFAULT '',
        suggested_level TEXT,
        final_level     TEXT,
        reviewer        TEXT,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        revision        INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE label_decisions (
        sha256     TEXT NOT NULL REFERENCES reviews(sha256),
        label_id   TEXT NOT NULL,
        decision   TEXT NOT NULL CHECK (decision IN ('confirmed', 'rejected')),
        decided_at TEXT NOT NULL,
        PRIMARY KEY (sha256, label_id)
    );
    CREATE TABLE added_labels (
        sha256   TEXT NOT NULL REFERENCES reviews(sha256),
        label_id TEXT NOT NULL,
        added_at TEXT NOT NULL,
        PRIMARY KEY (sha256, label_id)
    );
    CREATE TABLE audit (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        at             TEXT NOT NULL,
        who            TEXT NOT NULL,
        sha256         TEXT NOT NULL,
        field          TEXT NOT NULL,
        old            TEXT,
        new            TEXT,
        app_version    TEXT,
        weights_sha256 TEXT
    );
    CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT
    );
    """,
    # --- 2: "needs further examination" flag, calipers/annotations, catalog version in the
    #        audit trail, audit made append-only by triggers ---------------------------------
    """
    ALTER TABLE reviews ADD COLUMN needs_exam INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE reviews ADD COLUMN needs_exam_reason TEXT NOT NULL DEFAULT '';
    ALTER TABLE reviews ADD COLUMN annotations_json TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE audit ADD COLUMN catalog_version TEXT;
    CREATE INDEX audit_by_sha256 ON audit(sha256, id);
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
    """,
    # --- 3: hash chain over the audit rows (prev_hash, row_hash), REPLACE refused -------------
    _chain_existing_rows,
)

SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNewError(RuntimeError):
    def __init__(self, found: int) -> None:
        self.found = found
        super().__init__(
            f"the review database has schema version {found}; this program knows up to "
            f"{SCHEMA_VERSION}"
        )


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Bring the schema up to ``target`` inside one ``BEGIN IMMEDIATE`` transaction (so two
    processes opening a new database at once do not both create it). Returns the version before.

    ``conn`` must be in autocommit mode (``isolation_level=None``).
    """
    if not 0 <= target <= SCHEMA_VERSION:
        raise ValueError(f"target must be in 0..{SCHEMA_VERSION}, got {target}")
    conn.execute("BEGIN IMMEDIATE")
    try:
        before = schema_version(conn)
        if before > SCHEMA_VERSION:
            raise SchemaTooNewError(before)
        for version in range(before + 1, target + 1):
            step = MIGRATIONS[version - 1]
            if callable(step):
                step(conn)
                conn.execute(f"PRAGMA user_version = {version}")
                continue
            for statement in _statements(step):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return before


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (``executescript`` would commit on its own).
    Trigger bodies contain ``;`` so statements are completed with ``sqlite3.complete_statement``."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                out.append(buf.strip())
            buf = ""
    if buf.strip():
        raise ValueError(f"incomplete SQL statement in migration: {buf.strip()[:80]!r}")
    return out
