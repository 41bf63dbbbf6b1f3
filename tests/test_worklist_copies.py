"""A copy of an ECG in the worklist says so (QA 40: two rows of one file read alike, each a
flagged case of its own, and a review of one ticked both without a word)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.window_fixtures import opened_worklist

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")
FILE, FINDING = 1, 2


def _cells(qtbot, tmp_path: Path, folder: Path) -> dict[str, str]:
    """File name -> finding cell of each row, the worklist opened on ``folder`` in a dock."""
    from ecg_viewer.review import ReviewStore

    store = ReviewStore(tmp_path / "db.sqlite3")
    try:
        with opened_worklist(qtbot, store, folder) as panel:
            t = panel.table
            return {t.item(r, FILE).toolTip(): t.item(r, FINDING).text()
                    for r in range(t.rowCount())}
    finally:
        store.close()


def test_a_copy_names_the_file_it_is_read_with(qtbot, tmp_path: Path, samples: Path) -> None:
    folder = tmp_path / "ward"
    (folder / "again").mkdir(parents=True)
    src = samples / "philips_xml" / "129DYPRG.xml"
    shutil.copy2(src, folder / "129DYPRG.xml")
    shutil.copy2(src, folder / "again" / "129DYPRG_copy.xml")
    shutil.copy2(samples / "ge_muse" / "synthetic_muse.xml", folder / "other.xml")
    cells = {Path(k).name: v for k, v in _cells(qtbot, tmp_path, folder).items()}
    copy_of = {n: c for n, c in cells.items() if "と同じ心電図" in c}
    assert len(copy_of) == 1, cells
    (name, text), = copy_of.items()
    other = ({"129DYPRG.xml", "129DYPRG_copy.xml"} - {name}).pop()
    assert other in text and "確認はそちらと共通" in text
    assert "と同じ心電図" not in cells[other] and "と同じ心電図" not in cells["other.xml"]


def test_a_copy_of_the_same_name_is_named_with_its_folder(qtbot, tmp_path: Path,
                                                          bundled_samples: Path) -> None:
    folder = tmp_path / "ward"
    for day in ("day1", "day2"):
        (folder / day).mkdir(parents=True)
        for f in bundled_samples.glob("E07509.*"):
            shutil.copy2(f, folder / day / f.name)
    texts = list(_cells(qtbot, tmp_path, folder).values())
    copy = [x for x in texts if "と同じ心電図" in x]
    assert len(copy) == 1 and copy[0].startswith("day1/E07509.hea と同じ心電図"), texts


def test_a_text_file_that_is_no_ecg_has_a_row_as_in_batch(qtbot, tmp_path: Path,
                                                         bundled_samples: Path) -> None:
    """QA 40: the worklist left out a folder's memo.txt and メモ.csv without a word, while the
    batch sheet of the same folder lists them as errors: the two did not add up."""
    folder = tmp_path / "ward"
    folder.mkdir()
    for f in bundled_samples.glob("E07509.*"):
        shutil.copy2(f, folder / f.name)
    (folder / "memo.txt").write_text("明日再検", encoding="utf-8")
    (folder / "メモ.csv").write_text("名前,コメント\n山田,再検\n", encoding="utf-8")
    cells = {Path(k).name: v for k, v in _cells(qtbot, tmp_path, folder).items()}
    assert set(cells) == {"E07509.hea", "memo.txt", "メモ.csv"}, cells
    assert cells["memo.txt"] and cells["メモ.csv"]  # what is wrong with them, in the finding cell
