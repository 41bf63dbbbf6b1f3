"""The audit trail is tamper-evident: hash chain, REPLACE refused, triggers and file integrity
checked on open (read-only when not right), ``ecg-viewer audit verify``. Real SQLite files."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from ecg_viewer.cli import main
from ecg_viewer.core.messages import set_language
from ecg_viewer.review import AuditContext, ReviewStore, ReviewStoreError
from ecg_viewer.review.chain import GENESIS
from ecg_viewer.review.schema import migrate

SHA = "b" * 64
CTX = AuditContext(app_version="0.1.0", weights_sha256="f" * 64, catalog_version="cat-1")


def _db_with_rows(path: Path, n: int = 6) -> Path:
    with ReviewStore(path) as s:
        for i in range(n):
            s.confirm(SHA, f"L{i}", CTX)
            s.set_comment(SHA, f"コメント {i} " + "x" * 200, CTX)
    return path


def _verify(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        rc = main(["--lang", "en", "audit", "verify", "--db", str(path)])
    finally:
        set_language("ja")  # --lang is process-wide
    out = capsys.readouterr()
    return rc, out.out + out.err


def test_rows_are_chained_and_verify_says_intact(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = _db_with_rows(tmp_path / "r.sqlite3", 3)
    with ReviewStore(path) as s:
        rows = s._conn.execute("SELECT id, prev_hash, row_hash FROM audit ORDER BY id").fetchall()
        report = s.verify_chain()
    assert len(rows) == 6 and rows[0][1] == GENESIS
    assert all(rows[i][1] == rows[i - 1][2] for i in range(1, len(rows)))
    assert report.intact and report.rows == 6 and report.head_hash == rows[-1][2]
    rc, text = _verify(path, capsys)
    assert rc == 0 and "intact" in text and rows[-1][2] in text


def test_replace_into_is_refused(tmp_path: Path) -> None:
    path = _db_with_rows(tmp_path / "r.sqlite3", 1)
    conn = sqlite3.connect(path, isolation_level=None)
    for sql in ("REPLACE INTO audit(id, at, who, sha256, field, old, new) "
                "VALUES (1, 'x', 'mallory', 'x', 'comment', '1', '2')",
                "INSERT OR REPLACE INTO audit(id, at, who, sha256, field, old, new) "
                "VALUES (2, 'x', 'mallory', 'x', 'comment', '1', '2')",
                "INSERT INTO audit(id, at, who, sha256, field, old, new) "
                "VALUES (1, 'x', 'mallory', 'x', 'comment', '1', '2') "
                "ON CONFLICT(id) DO UPDATE SET who = 'mallory'"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only|link to the last"):
            conn.execute(sql)
    # a row that does not link to the last one is refused too
    with pytest.raises(sqlite3.IntegrityError, match="link"):
        conn.execute("INSERT INTO audit(at, who, sha256, field, old, new, prev_hash, row_hash) "
                     f"VALUES ('x', 'm', 'x', 'f', '1', '2', '{GENESIS}', '{'0' * 64}')")
    assert conn.execute("SELECT count(*) FROM audit WHERE who = 'mallory'").fetchone()[0] == 0
    conn.close()


def test_drop_trigger_then_update_is_found(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = _db_with_rows(tmp_path / "r.sqlite3", 3)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("UPDATE audit SET new = '\"rejected\"' WHERE id = 3")
    conn.close()
    with ReviewStore(path) as s:
        assert s.read_only and s.problems == ["review.triggers_missing"]
        with pytest.raises(ReviewStoreError) as info:
            s.confirm(SHA, "NEW", CTX)
        assert "読み取り専用" in info.value.message_ja
        report = s.verify_chain()
    assert not report.intact
    assert [(f.id, f.kind) for f in report.faults] == [(3, "hash")]
    rc, text = _verify(path, capsys)
    assert rc == 1 and "row 3: row content changed" in text and "triggers" in text


def test_trigger_replaced_by_a_harmless_one_is_found(tmp_path: Path) -> None:
    path = _db_with_rows(tmp_path / "r.sqlite3", 1)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TRIGGER audit_no_delete")
    conn.execute("CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT 1; END")
    conn.close()
    with ReviewStore(path) as s:
        assert s.problems == ["review.triggers_missing"]


def test_deleted_row_breaks_the_link(tmp_path: Path) -> None:
    path = _db_with_rows(tmp_path / "r.sqlite3", 3)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TRIGGER audit_no_delete")
    conn.execute("DELETE FROM audit WHERE id = 2")
    conn.close()
    conn = sqlite3.connect(path)
    from ecg_viewer.review.chain import verify_chain

    report = verify_chain(conn)
    conn.close()
    assert [(f.id, f.kind) for f in report.faults] == [(3, "link")]


def test_flipped_page_bytes_open_read_only_and_never_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _db_with_rows(tmp_path / "r.sqlite3", 30)
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big") or 65536
    assert len(data) >= 4 * page, "the test needs a database of several pages"
    for n in range(1, len(data) // page):  # every b-tree page header after the first page
        for k in range(8):
            data[n * page + k] ^= 0xA5
    path.write_bytes(bytes(data))
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with ReviewStore(path) as s:
        assert s.read_only and s.problems == ["review.damaged"]
        with pytest.raises(ReviewStoreError):
            s.set_comment(SHA, "書き込めてはいけない", CTX)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    rc, text = _verify(path, capsys)
    assert rc == 1 and "damaged" in text
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_non_json_row_is_a_fault_not_an_exception(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = _db_with_rows(tmp_path / "r.sqlite3", 2)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("UPDATE audit SET old = '{not json' WHERE id = 2")
    conn.close()
    with ReviewStore(path) as s:
        rows = s.audit(SHA)  # no JSONDecodeError
        report = s.verify_chain()
    assert rows[1].fault == "not_json" and rows[1].old == "{not json"
    assert {(f.id, f.kind) for f in report.faults} == {(2, "hash"), (2, "not_json")}
    rc, text = _verify(path, capsys)
    assert rc == 1 and "not JSON" in text


def test_migration_chains_existing_rows_and_records_it(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "v2.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=2)
    for i in range(3):
        conn.execute("INSERT INTO audit(at, who, sha256, field, old, new, app_version) "
                     f"VALUES ('2025-01-0{i + 1}', 'old', ?, 'comment', 'null', '\"c{i}\"', "
                     "'0.0.9')", (SHA,))
    # the review those rows describe (as the version that wrote them stored it)
    conn.execute("INSERT INTO reviews(sha256, comment, created_at, updated_at, revision) "
                 "VALUES (?, 'c2', '2025-01-01', '2025-01-03', 3)", (SHA,))
    conn.close()
    with ReviewStore(path) as s:
        assert not s.read_only
        report = s.verify_chain()
        assert report.intact and report.rows == 4 and report.migrated_rows == 3
        assert s.audit()[-1].field == "audit_chain:migrated"
        s.confirm(SHA, "AFIB", CTX)  # new rows link on
        assert s.verify_chain().intact
    rc, text = _verify(path, capsys)
    assert rc == 0 and "3 chained at migration" in text


def test_v2_database_with_a_dropped_trigger_is_not_migrated(tmp_path: Path) -> None:
    path = tmp_path / "v2.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=2)
    conn.execute("DROP TRIGGER audit_no_update")
    conn.close()
    with ReviewStore(path) as s:
        assert s.read_only and s.schema_version == 2


def test_verify_without_a_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, text = _verify(tmp_path / "none.sqlite3", capsys)
    assert rc == 2 and "No review database" in text
    assert not (tmp_path / "none.sqlite3").exists()


def test_verify_never_migrates_or_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "v2.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=2)
    conn.execute("INSERT INTO audit(at, who, sha256, field, old, new) "
                 "VALUES ('2025-01-01', 'old', 'x', 'comment', 'null', '\"c\"')")
    conn.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    rc, text = _verify(path, capsys)
    assert rc == 3 and "no hash chain" in text  # an earlier format, not tampering (QA 73)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    conn.close()
