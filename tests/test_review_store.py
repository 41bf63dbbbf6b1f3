"""The review database: round trips, audit rows, migrations, two processes writing at once.

Real SQLite files in tmp_path (never the user's data folder)."""

from __future__ import annotations

import multiprocessing as mp
import sqlite3
from pathlib import Path

import pytest

from ecg_viewer.review import (
    Annotation,
    AuditContext,
    Review,
    ReviewStore,
    ReviewStoreError,
    default_db_path,
)
from ecg_viewer.review.schema import SCHEMA_VERSION, migrate

SHA = "a" * 64
CTX = AuditContext(app_version="0.1.0", weights_sha256="f" * 64, catalog_version="cat-1")


@pytest.fixture
def store(tmp_path: Path) -> ReviewStore:
    s = ReviewStore(tmp_path / "reviews.sqlite3")
    yield s
    s.close()


def test_data_dir_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECG_VIEWER_DATA_DIR", str(tmp_path / "data"))
    assert default_db_path() == tmp_path / "data" / "reviews.sqlite3"
    with ReviewStore() as s:
        assert s.path == tmp_path / "data" / "reviews.sqlite3"
        assert s.path.is_file()


def test_wal_and_schema(store: ReviewStore) -> None:
    mode = store._conn.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    assert store.schema_version == SCHEMA_VERSION
    assert store.integrity_ok()


def test_empty_review(store: ReviewStore) -> None:
    r = store.get(SHA)
    assert r == Review(sha256=SHA)
    assert r.state == "unreviewed" and r.revision == 0
    assert not store.has(SHA)


def test_round_trip_everything(tmp_path: Path) -> None:
    path = tmp_path / "reviews.sqlite3"
    cal = Annotation(kind="time", t0_s=1.0, t1_s=1.2, lead="II")
    amp = Annotation(kind="amplitude", t0_s=2.5, v0_mv=0.0, v1_mv=1.5, lead="V2")
    note = Annotation(kind="note", t0_s=3.0, lead="V1", text="ST上昇？")
    with ReviewStore(path) as s:
        s.set_reviewer("山田 太郎")
        s.confirm(SHA, "AFIB", CTX)
        s.reject(SHA, "NORM", CTX)
        s.add_label(SHA, "LVH", CTX)
        s.set_comment(SHA, "心房細動。前回と比較のこと。", CTX)
        s.set_levels(SHA, suggested="D", final="urgent", context=CTX)
        s.set_needs_exam(SHA, True, "心エコー", CTX)
        for a in (cal, amp, note):
            s.add_annotation(SHA, a, CTX)
    with ReviewStore(path) as s:  # a fresh connection reads it all back
        r = s.get(SHA)
    assert r.decisions == {"AFIB": "confirmed", "NORM": "rejected"}
    assert r.confirmed == ("AFIB",) and r.rejected == ("NORM",)
    assert r.added_labels == ("LVH",)
    assert r.comment == "心房細動。前回と比較のこと。"
    assert (r.suggested_level, r.final_level) == ("D", "urgent")
    assert r.needs_exam and r.needs_exam_reason == "心エコー"
    assert r.annotations == (cal, amp, note)
    assert r.annotations[0].interval_ms == pytest.approx(200.0)
    assert r.annotations[0].rate_bpm == pytest.approx(300.0)
    assert r.reviewer == "山田 太郎" and r.state == "done"
    assert r.revision == 9
    assert Review.from_dict(r.to_dict()) == r


def test_undo_and_change_decisions(store: ReviewStore) -> None:
    store.confirm(SHA, "AFIB")
    store.reject(SHA, "AFIB")
    assert store.get(SHA).decisions == {"AFIB": "rejected"}
    store.undecide(SHA, "AFIB")
    store.add_label(SHA, "LVH")
    store.remove_label(SHA, "LVH")
    r = store.get(SHA)
    assert r.decisions == {} and r.added_labels == ()


def test_audit_rows(store: ReviewStore) -> None:
    store.set_reviewer("佐藤")
    store.confirm(SHA, "AFIB", CTX)
    store.reject(SHA, "AFIB", CTX)
    store.set_comment(SHA, "要再検", CTX)
    store.set_comment(SHA, "要再検", CTX)  # no change: no row
    store.set_levels(SHA, final="C", context=CTX)
    rows = store.audit(SHA)
    assert [(r.field, r.old, r.new) for r in rows] == [
        ("decision:AFIB", None, "confirmed"),
        ("decision:AFIB", "confirmed", "rejected"),
        ("comment", "", "要再検"),
        ("final_level", None, "C"),
    ]
    assert all(r.who == "佐藤" for r in rows)
    assert all((r.app_version, r.weights_sha256, r.catalog_version)
               == ("0.1.0", "f" * 64, "cat-1") for r in rows)
    assert all(r.at.endswith("+00:00") for r in rows)


def test_audit_is_append_only(store: ReviewStore) -> None:
    store.confirm(SHA, "AFIB", CTX)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store._conn.execute("UPDATE audit SET who = 'x'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store._conn.execute("DELETE FROM audit")
    assert len(store.audit(SHA)) == 1


def test_reviewer_defaults_to_os_user(store: ReviewStore) -> None:
    import getpass

    assert store.reviewer() == getpass.getuser()


def test_invalid_values_refused(store: ReviewStore) -> None:
    with pytest.raises(ValueError):
        store.set_levels(SHA, final="Z")
    with pytest.raises(ValueError):
        Annotation(kind="time", t0_s=1.0)
    assert not store.has(SHA)  # the failed change left nothing behind


def test_migrates_from_version_1(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=1)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    # data as version 1 of the program wrote it
    conn.execute("INSERT INTO reviews(sha256, file_path, comment, suggested_level, final_level, "
                 "reviewer, created_at, updated_at, revision) VALUES (?, '/old/a.hea', "
                 "'旧コメント', 'D', 'C', 'old', '2025-01-01T00:00:00+00:00', "
                 "'2025-01-01T00:00:00+00:00', 3)", (SHA,))
    conn.execute("INSERT INTO label_decisions VALUES (?, 'AFIB', 'confirmed', '2025-01-01')",
                 (SHA,))
    conn.execute("INSERT INTO added_labels VALUES (?, 'LVH', '2025-01-01')", (SHA,))
    conn.execute("INSERT INTO audit(at, who, sha256, field, old, new, app_version, "
                 "weights_sha256) VALUES ('2025-01-01', 'old', ?, 'comment', '\"\"', "
                 "'\"旧コメント\"', '0.0.9', 'abc')", (SHA,))
    conn.close()

    with ReviewStore(path) as s:
        assert s.schema_version == SCHEMA_VERSION
        r = s.get(SHA)
        assert r.comment == "旧コメント" and r.decisions == {"AFIB": "confirmed"}
        assert r.added_labels == ("LVH",) and r.final_level == "C" and r.revision == 3
        assert r.needs_exam is False and r.annotations == ()
        old_rows = s.audit(SHA)
        assert len(old_rows) == 1 and old_rows[0].catalog_version is None
        s.set_needs_exam(SHA, True, "ホルター心電図", CTX)
        assert s.get(SHA).needs_exam and s.get(SHA).revision == 4
        assert s.audit(SHA)[-1].catalog_version == "cat-1"
        assert s.integrity_ok()


def test_refuses_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    ReviewStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(ReviewStoreError) as info:
        ReviewStore(path)
    assert "新しい版" in info.value.message_ja


def test_unwritable_location_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ReviewStoreError) as info:
        ReviewStore(blocker / "sub" / "reviews.sqlite3")
    assert "データベースを開けません" in info.value.message_ja


N_WRITES = 40


def _writer(path: str, tag: str, n: int, start) -> None:
    with ReviewStore(path) as s:
        start.wait(60)  # both processes hold an open store before either writes
        for i in range(n):
            s.confirm(SHA, f"{tag}{i}", AuditContext(app_version=tag))
            s.add_annotation(SHA, Annotation(kind="note", t0_s=float(i), text=f"{tag}{i}"))


def test_two_processes_write_at_once(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.sqlite3")
    ReviewStore(path).close()
    ctx = mp.get_context("spawn")
    start = ctx.Barrier(2)
    procs = [ctx.Process(target=_writer, args=(path, tag, N_WRITES, start)) for tag in "AB"]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    with ReviewStore(path) as s:
        assert s.integrity_ok()
        r = s.get(SHA)
        # every write of both processes is there: nothing lost to a read-modify-write race
        assert len(r.decisions) == 2 * N_WRITES
        assert len(r.annotations) == 2 * N_WRITES
        assert {a.text for a in r.annotations} == {f"{t}{i}" for t in "AB" for i in range(N_WRITES)}
        assert r.revision == 4 * N_WRITES
        assert len(s.audit(SHA)) == 4 * N_WRITES


def test_a_finding_is_never_both_rejected_and_added(store: ReviewStore) -> None:
    """QA 2026-12-06: rejecting a suggestion and then adding the same finding by search stored
    it as rejected and added at once (the PDF listed it among the reader's findings and the
    rejected ones)."""
    sha = "e" * 64
    store.reject(sha, "afib")
    r = store.add_label(sha, "afib")  # the reader changed their mind: confirmed, not added
    assert r.decisions == {"afib": "confirmed"} and r.added_labels == ()
    assert store.add_label(sha, "afib").revision == r.revision  # already present: nothing
    r = store.add_label(sha, "lvh")
    assert r.added_labels == ("lvh",)
    r = store.reject(sha, "lvh")  # rejected after adding it: no longer added
    assert r.decisions == {"afib": "confirmed", "lvh": "rejected"} and r.added_labels == ()
    r = store.add_label(sha, "brugada")
    r = store.confirm(sha, "brugada")  # confirmed: in one place, the decisions
    assert r.decisions["brugada"] == "confirmed" and "brugada" not in r.added_labels
    fields = [(a.field, a.old, a.new) for a in store.audit(sha)]
    assert ("added_label:lvh", "added", None) in fields and ("decision:lvh", None, "rejected") in fields
    for label in r.decisions:
        assert not (r.decisions[label] == "rejected" and label in r.added_labels)


def test_a_review_stored_both_rejected_and_added_reads_in_one_place(tmp_path: Path) -> None:
    """QA report 33: reviews stored before the one-place rule as rejected *and* added kept
    the contradiction (PDF 「［医師否定］」 and 「医師が追加」 for the same finding). Made here as
    the earlier version stored them (its rows and audit rows, written directly)."""
    import sqlite3

    from ecg_viewer.review.chain import chain_rows

    path = tmp_path / "r.sqlite3"
    sha = "f" * 64
    with ReviewStore(path) as s:
        s.set_comment(sha, "旧版", CTX)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    rows = []
    for label, first, second in (("afl", "decision", "added_label"),  # rejected, then added
                                 ("lvh", "added_label", "decision")):  # added, then rejected
        for kind in (first, second):
            if kind == "decision":
                conn.execute("INSERT INTO label_decisions VALUES (?, ?, 'rejected', 'x')",
                             (sha, label))
                rows.append({"field": f"decision:{label}", "old": "null", "new": '"rejected"'})
            else:
                conn.execute("INSERT INTO added_labels VALUES (?, ?, 'x')", (sha, label))
                rows.append({"field": f"added_label:{label}", "old": "null", "new": '"added"'})
    chain_rows(conn, [{"at": "2026-12-01T00:00:00", "who": "old", "sha256": sha,
                       "app_version": "0.0.9", "weights_sha256": None, "catalog_version": None,
                       **r} for r in rows])
    conn.execute("COMMIT")
    conn.close()
    with ReviewStore(path) as s:
        r = s.get(sha)
        assert r.decisions == {"afl": "confirmed", "lvh": "rejected"} and r.added_labels == ()
        assert s.verify_chain().intact  # what is stored still agrees with the trail
        r = s.add_label(sha, "brugada", CTX)  # a later change stores the rest unchanged
        assert r.decisions == {"afl": "confirmed", "lvh": "rejected"}
        assert r.added_labels == ("brugada",)


def test_each_store_signs_with_its_own_reviewer(tmp_path: Path) -> None:
    """QA 66: two windows on one database; the name typed last in either had signed both
    windows' writes (the audit trail, the review's reviewer, the PDF's 確認者)."""
    path = tmp_path / "reviews.sqlite3"
    with ReviewStore(path) as first:
        first.set_reviewer("前の医師")  # the name a new window starts with
    with ReviewStore(path) as a, ReviewStore(path) as b:
        b.set_reviewer("医師B 鈴木")
        a.set_reviewer("医師A 佐藤")
        assert b.reviewer() == "医師B 鈴木" and a.reviewer() == "医師A 佐藤"
        b.set_comment(SHA, "B: 正常範囲", CTX)
        b.set_levels(SHA, suggested="A", final="A", context=CTX)
        a.confirm(SHA, "AFIB", CTX)
        who = a._conn.execute("SELECT who, field FROM audit ORDER BY id").fetchall()
        assert ("医師B 鈴木", "comment") in who and ("医師A 佐藤", "comment") not in who
        assert [w for w, f in who if f.startswith("decision")] == ["医師A 佐藤"]
        with ReviewStore(path) as c:  # a window opened later starts with the last name typed
            assert c.reviewer() == "医師A 佐藤"
        with ReviewStore(path) as d:  # one that never typed a name keeps the one it started with
            assert d.reviewer() == "医師A 佐藤"
            b.set_reviewer("医師B 鈴木")
            assert d.reviewer() == "医師A 佐藤"
