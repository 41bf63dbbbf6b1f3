"""File names of one folder that share a long start and end stay apart in the worklist's narrow
file column (QA 2026-12-06: a cart's ``ECG_20261204_093012_cardiology_ward3_12lead.xml`` and
``..._093513_...`` both read ``ECG_2026…ead.xml``): the shared parts are dropped first."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStyleOptionViewItem

from ecg_viewer.gui.worklist_panel import display_names, distinct_elide
from tests.window_fixtures import opened_worklist

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")
FILE = 1
NAMES = [f"ECG_20261204_09{m:02d}12_cardiology_ward3_12lead.xml" for m in (30, 35, 41, 52)]


def _chars(n: int):
    """(fits, middle) for a column n characters wide (one character per unit)."""
    def middle(t: str) -> str:
        left = (n - 1 + 1) // 2
        return t if len(t) <= n else t[:left] + "…" + t[len(t) - (n - 1 - left):]
    return (lambda t: len(t) <= n), middle


def test_names_that_would_read_alike_drop_what_they_share() -> None:
    mixed = [*NAMES, "00017_hr.hea", "E07509.hea"]
    fits, middle = _chars(40)
    shown = display_names(mixed, fits, middle)
    assert shown["00017_hr.hea"] == "00017_hr.hea"  # fits: whole
    assert "093012" in shown[NAMES[0]] and len(set(shown.values())) == len(mixed)
    fits, middle = _chars(12)
    shown = display_names(mixed, fits, middle)
    assert shown[NAMES[0]] == "…093012…xml" and len(set(shown.values())) == len(mixed)
    # repeats (…_2.xml, -repeat): every row keeps what tells it from every other (QA report 33:
    # 「…rest.xml」 twice and 「…rest-repeat.xml」 twice)
    for names, width in ((["patient-001-rest.xml", "patient-001-rest-repeat.xml",
                           "patient-002-rest.xml", "patient-002-rest-repeat.xml"], 16),
                         (["ECG_20261204_093012_12lead.xml", "ECG_20261204_093012_12lead_2.xml",
                           "ECG_20261204_101500_12lead.xml", "ECG_20261204_101500_12lead_2.xml"],
                          20)):
        fits, middle = _chars(width)
        shown = display_names(names, fits, middle)
        assert len(set(shown.values())) == len(names), shown
        assert all(fits(text) for text in shown.values()), shown
    assert display_names(["a.hea"], *_chars(3)) == {"a.hea": "a…a"}
    assert distinct_elide("00017_hr.hea", 0, 0, _chars(5)[0]) is None
    # narrower than "00017…hea" (150 % scaling, QA 37: both read "00···ea"): the part that
    # differs alone
    shown = display_names(["00017_hr.hea", "00001_hr.hea"], *_chars(7))
    assert shown == {"00017_hr.hea": "00017…", "00001_hr.hea": "00001…"}, shown


def test_the_worklist_shows_each_name_apart(qtbot, tmp_path: Path, samples: Path) -> None:
    from ecg_viewer.review import ReviewStore

    folder = tmp_path / "ward"
    folder.mkdir()
    for name in NAMES:
        (folder / name).symlink_to(samples / "ge_muse" / "synthetic_muse.xml")
    # and a record of another naming, as a ward's folder holds (QA: the shared parts were
    # computed over all names, so one other name left the cart's names elided alike)
    (folder / "fda_Example_aECG.xml").symlink_to(samples / "hl7aecg" / "fda_Example_aECG.xml")
    store = ReviewStore(tmp_path / "db.sqlite3")
    try:
        with opened_worklist(qtbot, store, folder) as panel:
            t = panel.table
            fm = t.fontMetrics()
            assert fm.horizontalAdvance(NAMES[0]) > t.columnWidth(FILE)  # the names do not fit
            shown = []
            rows = [r for r in range(t.rowCount()) if t.item(r, FILE).text() in NAMES]
            assert len(rows) == len(NAMES)
            for r in rows:
                option = QStyleOptionViewItem()
                index = t.model().index(r, FILE)
                option.rect = t.visualRect(index)
                t.itemDelegateForColumn(FILE).initStyleOption(option, index)
                text = fm.elidedText(option.text, Qt.TextElideMode.ElideMiddle, t.columnWidth(FILE) - 6)
                shown.append(text)
                name = t.item(r, FILE).text()
                assert name[15:17] in text, (name, text)  # the minute that tells them apart
                assert t.item(r, FILE).toolTip().endswith(name)
            assert len(set(shown)) == len(NAMES), shown
    finally:
        store.close()
