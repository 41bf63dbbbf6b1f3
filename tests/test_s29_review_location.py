"""QA 66 F6 (left open in session 28): after a reviewed ECG's file was renamed or moved, the
JSON's ``review.file_path`` kept the old path until the next edit, and the prior search through
the review database did not find the file where it is now."""

from __future__ import annotations

import shutil
from pathlib import Path

from ecg_viewer.compare.prior import database_files
from ecg_viewer.io import read_ecg
from ecg_viewer.review import ReviewStore


def _copy(bundled: Path, folder: Path, stem: str = "00009_hr") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for f in bundled.glob(f"{stem}.*"):
        shutil.copy(f, folder / f.name)
    return folder / f"{stem}.hea"


def _copy_hl7(samples: Path, folder: Path) -> Path:
    """An HL7 aECG file (it names its patient: the prior search reads files that do)."""
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(samples / "hl7aecg" / "fda_Example_aECG.xml", folder / "ecg.xml"))


def test_the_store_notes_a_new_location_without_touching_the_review(bundled_samples: Path,
                                                                     tmp_path: Path) -> None:
    a = _copy(bundled_samples, tmp_path / "a")
    rec = read_ecg(a)
    store = ReviewStore(tmp_path / "db.sqlite3")
    store.set_reviewer("Suzuki")
    before = store.set_comment(rec.sha256, "checked", file_path=str(a))
    audit = len(store.audit())
    b = tmp_path / "b" / "renamed.hea"
    assert not store.note_location("0" * 64, str(b))  # no review: nothing to follow
    assert store.note_location(rec.sha256, str(b))
    after = store.get(rec.sha256)
    assert after.file_path == str(b.resolve())
    assert (after.reviewer, after.updated_at, after.revision, after.comment) == \
        (before.reviewer, before.updated_at, before.revision, before.comment)
    assert len(store.audit()) == audit and store.verify_chain().intact
    assert not store.note_location(rec.sha256, str(b))  # already there
    store.close()


def test_opening_a_moved_reviewed_file_moves_its_review(qtbot, samples: Path,
                                                         tmp_path: Path) -> None:
    from ecg_viewer.gui.review_panel import ReviewPanel
    from ecg_viewer.labels.catalog import default_catalog

    a = _copy_hl7(samples, tmp_path / "ward")
    store = ReviewStore(tmp_path / "db.sqlite3")
    rec = read_ecg(a)
    store.set_comment(rec.sha256, "前回", file_path=str(a))
    b = _copy_hl7(samples, tmp_path / "archive")  # moved: the old folder is gone
    shutil.rmtree(tmp_path / "ward")
    assert database_files(store) == []
    panel = ReviewPanel(store, default_catalog())
    qtbot.addWidget(panel)
    panel.set_record(read_ecg(b))
    assert store.get(rec.sha256).file_path == str(b.resolve())
    assert panel.review.file_path == str(b.resolve())
    assert database_files(store) == [b.resolve()]
    store.close()


def test_a_location_noted_by_another_window_is_no_change_there(qtbot, samples: Path,
                                                               tmp_path: Path) -> None:
    """Two windows on one database, the ECG opened from two folders: the second window notes
    its folder; the first does not announce that as a change made elsewhere."""
    from ecg_viewer.gui.review_panel import ReviewPanel
    from ecg_viewer.labels.catalog import default_catalog

    a, b = _copy_hl7(samples, tmp_path / "a"), _copy_hl7(samples, tmp_path / "b")
    db = tmp_path / "db.sqlite3"
    s1, s2 = ReviewStore(db), ReviewStore(db)
    s1.set_comment(read_ecg(a).sha256, "x", file_path=str(a))
    p1, p2 = ReviewPanel(s1, default_catalog()), ReviewPanel(s2, default_catalog())
    qtbot.addWidget(p1)
    qtbot.addWidget(p2)
    p1.set_record(read_ecg(a))
    p1.check_elsewhere()  # the first look only takes the database's version
    said: list[object] = []
    p1.changedElsewhere.connect(said.append)
    p2.set_record(read_ecg(b))
    assert s1.get(p1.sha256).file_path == str(b.resolve())
    assert p1.check_elsewhere() and said == [None]
    s1.close()
    s2.close()
