"""The review database's schema, as numbered migrations (``PRAGMA user_version``).

Each migration moves the schema one version up and runs inside the caller's transaction. A
database written by an older version of the program is brought up to date when it is opened; one
written by a newer version is refused (it may hold data this version does not understand).
Never edit a migration that has shipped: add the next one.
"""

from __future__ import annotations

import sqlite3

# version n is reached by running MIGRATIONS[n - 1]
MIGRATIONS: tuple[str, ...] = (
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
            for statement in _statements(MIGRATIONS[version - 1]):
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
