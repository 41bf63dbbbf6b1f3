"""How a review database is read when it cannot be written, and what an SQLite error means.

A folder that cannot be written (a read-only share, ``chmod -w``, a locked-down profile) holds
a database SQLite can still read, but not in WAL mode the usual way: the reader must create the
``-shm`` file beside it, and that fails with "unable to open database file". Such a failure is
not damage: it was reported as 「改ざんまたは破損」 by ``audit verify`` and stopped the viewer at
start (QA 72). Only SQLITE_CORRUPT and SQLITE_NOTADB say the file itself is damaged.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

_CORRUPT = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB
_FULL = 13  # SQLITE_FULL


def _code(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else int(code) & 0xFF  # the primary result code


def is_corrupt(exc: BaseException) -> bool:
    """Whether ``exc`` says the database file is damaged (not that it cannot be opened)."""
    code = _code(exc)
    if code is not None:
        return code in _CORRUPT
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text


_CANNOT_WRITE = {3, 8, 10, 13, 14}  # SQLITE_PERM, READONLY, IOERR, FULL, CANTOPEN


def cannot_write(exc: BaseException) -> bool:
    """Whether ``exc`` says the database (or its folder) cannot be written, so that reading it
    as it is makes sense; a busy or locked database is no such thing (another window writes)."""
    if isinstance(exc, OSError):
        return True
    code = _code(exc)
    if code is not None:
        return code in _CANNOT_WRITE
    text = str(exc).lower()
    return any(w in text for w in ("unable to open", "readonly", "read-only", "disk i/o",
                                   "disk is full"))


def is_full(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite's "database or disk is full"."""
    code = _code(exc)
    return code == _FULL if code is not None else "disk is full" in str(exc).lower()


def quick_check_fails(conn: sqlite3.Connection) -> bool:
    """Whether ``PRAGMA quick_check`` finds the file damaged; an error that is not damage (the
    file cannot be opened at all) is raised, never taken for damage."""
    try:
        return [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()] != ["ok"]
    except sqlite3.DatabaseError as exc:  # "database disk image is malformed"
        if not is_corrupt(exc):
            raise
        return True


def read_only_connection(path: Path, timeout_s: float = 5.0) -> sqlite3.Connection:
    """``path`` opened read-only (``mode=ro``). Where even that fails because the ``-shm`` file
    cannot be made, and no write-ahead log with content lies beside the file (so nothing
    committed is only in the log), it is opened ``immutable``: read as it is on disk."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=timeout_s, isolation_level=None)
    try:
        conn.execute("PRAGMA schema_version").fetchone()
        return conn
    except sqlite3.OperationalError:
        conn.close()
        wal = path.with_name(path.name + "-wal")
        if (wal.is_file() and wal.stat().st_size > 0) or not path.is_file():
            raise
    return sqlite3.connect(f"{uri}&immutable=1", uri=True, timeout=timeout_s,
                           isolation_level=None)


def in_memory_upgrade(conn: sqlite3.Connection) -> sqlite3.Connection:
    """A copy of ``conn``'s database in memory, its schema brought up to date (the store reads
    every column of the current one; the file itself is never written). ``conn`` is closed."""
    from ecg_viewer.review.schema import migrate

    mem = sqlite3.connect(":memory:", isolation_level=None)
    try:
        conn.backup(mem)
    finally:
        conn.close()
    migrate(mem)
    mem.execute("PRAGMA query_only = ON")
    return mem
