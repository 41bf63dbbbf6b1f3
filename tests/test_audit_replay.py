"""A review edited directly in the database is found (QA 2026-12-06: ``UPDATE reviews SET
final_level = 'A'`` left the hash chain intact and ``audit verify`` said 「改ざんなし」): the
audit trail is replayed against the review tables. Real SQLite files, the real CLI."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ecg_viewer.cli import main
from ecg_viewer.core.messages import set_language
from ecg_viewer.review import AuditContext, ReviewStore
from ecg_viewer.review.chain import inspect_file
from ecg_viewer.review.model import Annotation
from ecg_viewer.review.replay import replay

SHA, SHA2 = "c" * 64, "d" * 64
CTX = AuditContext(app_version="0.1.0", weights_sha256="f" * 64, catalog_version="cat-1")


def _full_db(path: Path) -> Path:
    """Every kind of review field changed at least once, some twice, through the store."""
    with ReviewStore(path) as s:
        s.confirm(SHA, "afib", CTX)
        s.reject(SHA, "lvh", CTX)
        s.undecide(SHA, "lvh", CTX)
        s.reject(SHA, "sinus_tachycardia", CTX)
        s.add_label(SHA, "brugada", CTX)
        s.add_label(SHA, "lqts", CTX)
        s.remove_label(SHA, "lqts", CTX)
        s.set_comment(SHA, "抗凝固療法を検討", CTX)
        s.set_levels(SHA, suggested="D", final="urgent", context=CTX)
        s.set_needs_exam(SHA, True, "心エコー", CTX)
        s.add_annotation(SHA, Annotation(kind="time", lead="II", t0_s=1.0, t1_s=1.6), CTX)
        s.set_comment(SHA2, "", CTX)  # a review row with nothing changed
        s.set_levels(SHA2, suggested="A", final="A", context=CTX)
        s.set_levels(SHA2, suggested="A", final=None, context=CTX)
    return path


def _verify(path: Path, capsys: pytest.CaptureFixture[str], lang: str = "en") -> tuple[int, str]:
    try:
        rc = main(["--lang", lang, "audit", "verify", "--db", str(path)])
    finally:
        set_language("ja")
    out = capsys.readouterr()
    return rc, out.out + out.err


def test_a_database_written_by_the_program_replays_exactly(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]):
    path = _full_db(tmp_path / "r.sqlite3")
    conn = sqlite3.connect(path)
    assert replay(conn) == []
    conn.close()
    rc, text = _verify(path, capsys)
    assert rc == 0 and "intact" in text


@pytest.mark.parametrize("sql, field", [
    ("UPDATE reviews SET final_level = 'A' WHERE sha256 = '{sha}'", "final_level"),
    ("UPDATE reviews SET comment = '問題なし' WHERE sha256 = '{sha}'", "comment"),
    ("UPDATE reviews SET needs_exam = 0 WHERE sha256 = '{sha}'", "needs_exam"),
    ("UPDATE reviews SET annotations_json = '[]' WHERE sha256 = '{sha}'", "annotations"),
    ("UPDATE label_decisions SET decision = 'rejected' WHERE label_id = 'afib'", "decision:afib"),
    ("DELETE FROM label_decisions WHERE label_id = 'sinus_tachycardia'",
     "decision:sinus_tachycardia"),
    ("INSERT INTO label_decisions VALUES ('{sha}', 'stemi', 'confirmed', 'x')", "decision:stemi"),
    ("DELETE FROM added_labels WHERE label_id = 'brugada'", "added_label:brugada"),
    ("INSERT INTO added_labels VALUES ('{sha}', 'lqts', 'x')", "added_label:lqts"),
])
def test_a_direct_edit_of_the_reviews_is_found(tmp_path: Path, sql: str, field: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = _full_db(tmp_path / "r.sqlite3")
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(sql.format(sha=SHA))
    conn.close()
    report = inspect_file(path)
    assert not report.faults and not report.problems  # the chain itself is intact ...
    assert not report.intact  # ... but the reviews are not what it says
    assert [(m.sha256, m.field) for m in report.mismatches] == [(SHA, field)]
    rc, text = _verify(path, capsys)
    assert rc == 1 and field in text and "differ from the audit trail" in text
    rc, text = _verify(path, capsys, "ja")
    assert rc == 1 and "監査証跡と一致しない判読結果 1 件" in text
    # the store that opens it sees the same
    with ReviewStore(path) as s:
        assert [m.field for m in s.verify_chain().mismatches] == [field]


def test_a_deleted_review_row_is_found(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    path = _full_db(tmp_path / "r.sqlite3")
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute(f"DELETE FROM reviews WHERE sha256 = '{SHA}'")
    conn.close()
    fields = {m.field for m in inspect_file(path).mismatches}
    assert {"final_level", "comment", "needs_exam", "annotations"} <= fields
    # SHA2's trail ends with its final level cleared, but its suggested level set: found too
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"DELETE FROM reviews WHERE sha256 = '{SHA2}'")
    conn.close()
    assert [(m.field, m.expected, m.stored) for m in inspect_file(path).mismatches
            if m.sha256 == SHA2] == [("suggested_level", "A", None)]


def test_a_save_during_the_check_is_not_taken_for_an_edit(tmp_path: Path, monkeypatch) -> None:
    """QA report 33: the trail and the tables were read at two moments; a save committed by
    another window in between (here: between the two reads, deterministically) was reported
    as a direct edit of the database. Both are now read from one snapshot."""
    from ecg_viewer.review import replay as replay_mod

    path = _full_db(tmp_path / "r.sqlite3")
    real = replay_mod._expected
    writes = []

    def expected_then_another_window_saves(conn):
        out = real(conn)
        with ReviewStore(path) as other:  # another process's connection
            other.set_comment(SHA, f"別の画面で保存 {len(writes)}", CTX)
        writes.append(1)
        return out

    monkeypatch.setattr(replay_mod, "_expected", expected_then_another_window_saves)
    for check in (lambda: inspect_file(path),
                  lambda: ReviewStore(path).verify_chain()):
        report = check()
        assert report.intact, [m.detail() for m in report.mismatches]
    assert len(writes) == 2
    monkeypatch.undo()
    assert inspect_file(path).intact  # and the saves themselves are in the trail
