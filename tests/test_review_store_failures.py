"""The review database when the disk is full or its folder cannot be written (QA 72).

- A full disk: SQLite rolls the transaction back itself; the store's own ROLLBACK then raised a
  bare "cannot rollback - no transaction is active", which the window did not catch: the review
  dock stayed on the previous ECG, and the next case's level and comment went into the previous
  patient's review. Now the write fails with 「ディスクの空きがない…」 and nothing else changes.
- A folder that cannot be written: SQLite cannot make the ``-shm`` file a WAL database needs,
  and "unable to open database file" was taken for damage: the viewer stopped at start and
  ``audit verify`` reported an intact trail as 「改ざんまたは破損」. Now it is read as it is and
  every write is refused with the reason. The failure is made real here with a directory where
  the ``-shm`` file would go (a read-only mount needs root; this gives SQLite the same error).
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ecg_viewer.core.errors import user_message
from ecg_viewer.review.chain import inspect_file
from ecg_viewer.review.store import ReviewStore, ReviewStoreError

A, B = "a" * 64, "b" * 64


def _fill_the_disk(store: ReviewStore) -> None:
    """No page more for this connection: the next write that needs one fails with SQLITE_FULL,
    "database or disk is full", as on a full disk."""
    pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
    store._conn.execute(f"PRAGMA max_page_count = {pages}")


def _free_the_disk(store: ReviewStore) -> None:
    store._conn.execute("PRAGMA max_page_count = 1073741823")


def test_a_full_disk_is_said_and_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    with ReviewStore(tmp_path / "r.sqlite3") as store:
        store.set_comment(A, "前回と変化なし")
        _fill_the_disk(store)
        with pytest.raises(ReviewStoreError) as err:
            store.set_comment(A, "長いコメント" * 20000)
        assert err.value.key == "review.disk_full"
        assert "ディスクの空きがない" in user_message(err.value, "ja")
        assert "disk is full" in user_message(err.value, "en")
        assert not store._conn.in_transaction
        assert store.get(A).comment == "前回と変化なし"  # nothing half written
        _free_the_disk(store)
        store.set_comment(A, "空きを作って保存")  # the store goes on working
        assert store.get(A).comment == "空きを作って保存"
        assert store.verify_chain().intact


def test_after_a_failed_save_the_review_dock_follows_the_next_ecg(qtbot, tmp_path: Path) -> None:
    """QA 72 finding 1: a comment typed on ECG A, the disk full, the next ECG B opened: the dock
    must show B, and what is decided next must go into B's review, never A's."""
    from dataclasses import replace

    from ecg_viewer.core.messages import set_language
    from ecg_viewer.gui.review_panel import ReviewPanel
    from ecg_viewer.io import read_ecg

    set_language("ja")
    samples = Path(__file__).resolve().parent.parent / "resources" / "samples"
    rec = read_ecg(samples / "00017_hr.hea")
    rec_a, rec_b = replace(rec, sha256=A), replace(rec, sha256=B)
    store = ReviewStore(tmp_path / "r.sqlite3")
    panel = ReviewPanel(store=store)
    qtbot.addWidget(panel)
    failures: list[str] = []
    panel.failed.connect(failures.append)
    panel.set_record(rec_a)
    panel.comment.setPlainText("A のコメント")
    _fill_the_disk(store)
    panel.comment.setPlainText("A のコメント" + "。" * 100000)
    panel.set_record(rec_b)  # leaving A saves what is typed: the disk is full
    assert panel.sha256 == B
    assert failures and "ディスクの空きがない" in failures[-1], failures
    _free_the_disk(store)
    panel.comment.setPlainText("B のコメント")
    panel.save_pending()
    assert store.get(B).comment == "B のコメント"
    assert store.get(A).comment == ""
    store.close()


@pytest.fixture
def unwritable_db(tmp_path: Path) -> Path:
    """An intact review database (WAL mode, two changes) whose ``-shm`` file cannot be made."""
    path = tmp_path / "review.sqlite3"
    with ReviewStore(path) as store:
        store.set_comment(A, "読めること")
        store.set_levels(A, final="D")
    assert not path.with_name(path.name + "-wal").exists()  # closed cleanly
    path.with_name(path.name + "-shm").mkdir()
    conn = sqlite3.connect(path)
    try:
        with pytest.raises(sqlite3.OperationalError):  # what SQLite itself says to a write
            conn.execute("INSERT INTO settings(key, value) VALUES ('probe', 'x')")
    finally:
        conn.close()
    return path


def test_a_folder_that_cannot_be_written_is_read_never_written(unwritable_db: Path) -> None:
    store = ReviewStore(unwritable_db)
    try:
        assert store.read_only and store.problems == ["review.not_writable"]
        assert store.get(A).comment == "読めること" and store.get(A).final_level == "D"
        assert store.reviewer()  # the reads the window makes at start
        with pytest.raises(ReviewStoreError) as err:
            store.set_comment(A, "書けないこと")
        assert "書き込めません" in user_message(err.value, "ja")
        assert "cannot be written" in user_message(err.value, "en")
        assert "書き込めません" not in user_message(err.value, "en")  # one language
        report = store.verify_chain()
        assert report.intact and report.rows >= 2  # no fault of the trail
    finally:
        store.close()
    report = inspect_file(unwritable_db)
    assert report.intact and not report.problems, report.problems


def test_audit_verify_of_a_folder_that_cannot_be_written(unwritable_db: Path, tmp_path: Path
                                                         ) -> None:
    run = subprocess.run([sys.executable, "-m", "ecg_viewer", "audit", "verify", "--db",
                          str(unwritable_db), "--lang", "ja"],
                         capture_output=True, text=True, timeout=120,
                         env={**__import__("os").environ, "HOME": str(tmp_path)})
    assert run.returncode == 0, run.stderr
    assert "ハッシュチェーンは完全です" in run.stdout and "改ざん" not in run.stderr


def test_damage_is_still_damage(tmp_path: Path) -> None:
    """The read-only fallback is for a file that cannot be opened, not for a damaged one."""
    path = tmp_path / "review.sqlite3"
    with ReviewStore(path) as store:
        store.set_comment(A, "x")
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the first page's b-tree header: garbage
    path.write_bytes(bytes(data))
    try:
        store = ReviewStore(path)
    except ReviewStoreError as exc:
        assert exc.key == "review.open_failed"
    else:
        try:
            assert "review.damaged" in store.problems and "review.not_writable" not in store.problems
        finally:
            store.close()


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True, timeout=30).returncode == 0


def test_a_read_only_mount_as_qa_72_made_it(tmp_path: Path) -> None:
    """The folder really read-only (a tmpfs remounted ``ro``: root only, else skipped): the
    viewer had stopped at start (「予期しないエラー（OperationalError）」) and ``audit verify``
    reported the intact trail as 「改ざんまたは破損」."""
    import os
    import shutil

    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a read-only mount needs root")
    mnt = tmp_path / "ro"
    mnt.mkdir()
    if not _mount("-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mnt)):
        pytest.skip("mount is not allowed here")
    try:
        path = mnt / "review.sqlite3"
        with ReviewStore(path) as store:
            store.set_comment(A, "読めること")
        assert _mount("-o", "remount,ro", str(mnt))
        store = ReviewStore(path)
        try:
            assert store.problems == ["review.not_writable"] and store.reviewer()
            assert store.get(A).comment == "読めること"
            with pytest.raises(ReviewStoreError):
                store.set_comment(A, "x")
        finally:
            store.close()
        report = inspect_file(path)
        assert report.intact and not report.problems, report.problems
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True, timeout=30)


def test_an_older_schema_in_a_folder_that_cannot_be_written(tmp_path: Path) -> None:
    """QA 73: a schema-v1 database where it cannot be upgraded: every read asked for columns of
    v2 on ("no such column: needs_exam"), `report` exited 70 and the window showed 予期しない
    エラー. It is now read from an upgraded copy in memory; the file is never written."""
    import json

    from ecg_viewer.review.schema import migrate

    path = tmp_path / "review.sqlite3"
    c = sqlite3.connect(path, isolation_level=None)
    c.execute("PRAGMA journal_mode = WAL")
    migrate(c, target=1)
    now = "2026-11-23T01:02:03.000+00:00"
    c.execute("INSERT INTO reviews(sha256, file_path, comment, suggested_level, final_level, "
              "reviewer, created_at, updated_at, revision) VALUES (?,?,?,?,?,?,?,?,?)",
              (A, "/data/a.xml", "旧版のコメント", "B", "A", "山田", now, now, 1))
    c.execute("INSERT INTO label_decisions VALUES (?,?,?,?)", (A, "afib", "confirmed", now))
    c.execute("INSERT INTO audit(at, who, sha256, field, old, new, app_version, weights_sha256) "
              "VALUES (?,?,?,?,?,?,?,?)", (now, "山田", A, "comment", json.dumps(""),
                                          json.dumps("旧版のコメント"), "0.1.0", "w" * 64))
    c.close()
    before = path.read_bytes()
    path.with_name(path.name + "-shm").mkdir()  # the folder, to SQLite, cannot be written
    store = ReviewStore(path)
    try:
        assert store.problems == ["review.not_writable"]
        review = store.get(A)
        assert review.comment == "旧版のコメント" and review.decisions == {"afib": "confirmed"}
        assert review.needs_exam is False  # a column of v2: its default
        assert [e.field for e in store.audit(A)][0] == "comment"
        with pytest.raises(ReviewStoreError):
            store.set_comment(A, "x")
    finally:
        store.close()
    assert path.read_bytes() == before


def test_audit_verify_of_an_earlier_versions_database(tmp_path: Path) -> None:
    """QA 73: a schema-v2 database not opened by this version yet read 「監査記録が改ざんまたは
    破損しています: 1 件の異常（0 行中）」. It has no chain to check: said so, its rows counted,
    exit 3; once the app has opened it (the chain made), intact."""
    import json
    import os

    from ecg_viewer.review.schema import migrate

    path = tmp_path / "review.sqlite3"
    c = sqlite3.connect(path, isolation_level=None)
    migrate(c, target=2)
    c.execute("INSERT INTO reviews(sha256, file_path, comment, reviewer, created_at, updated_at, "
              "revision) VALUES (?,?,?,?,?,?,?)", (A, "/data/a.xml", "3", "山田",
                                                    "2026-11-23T01:02:03.000+00:00",
                                                    "2026-11-23T01:02:03.000+00:00", 3))
    for i in range(3):
        c.execute("INSERT INTO audit(at, who, sha256, field, old, new, app_version, "
                  "weights_sha256, catalog_version) VALUES (?,?,?,?,?,?,?,?,?)",
                  ("2026-11-23T01:02:03.000+00:00", "山田", A, "comment", json.dumps(str(i)),
                   json.dumps(str(i + 1)), "0.1.0", "w" * 64, "c"))
    c.close()

    def verify(lang: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "ecg_viewer", "audit", "verify", "--db",
                               str(path), "--lang", lang], capture_output=True, text=True,
                              timeout=120, env={**os.environ, "HOME": str(tmp_path)})

    ja = verify("ja")
    assert ja.returncode == 3, (ja.stdout, ja.stderr)
    assert "以前の版の形式" in ja.stdout and "3 行" in ja.stdout and "改ざん" not in ja.stderr
    assert "earlier version's format" in verify("en").stdout
    ReviewStore(path).close()  # this version opens it: the chain is made
    after = verify("ja")
    assert after.returncode == 0 and "ハッシュチェーンは完全です" in after.stdout


def test_only_a_write_failure_is_read_as_a_folder_that_cannot_be_written(tmp_path: Path) -> None:
    """A database another window holds locked is no read-only folder: the fallback (reads only,
    「書き込めません」) is for SQLite's can't-open / read-only / I/O / full errors."""
    from ecg_viewer.review.sqlite_open import cannot_write, is_corrupt

    path = tmp_path / "r.sqlite3"
    a = sqlite3.connect(path, isolation_level=None)
    a.execute("CREATE TABLE t(x)")
    a.execute("BEGIN IMMEDIATE")
    b = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        with pytest.raises(sqlite3.OperationalError) as busy:
            b.execute("BEGIN IMMEDIATE")
        assert not cannot_write(busy.value) and not is_corrupt(busy.value)
    finally:
        a.execute("ROLLBACK")
        a.close()
        b.close()
    assert cannot_write(PermissionError(13, "Permission denied"))
