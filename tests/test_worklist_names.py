"""File names of one folder that share a long start and end stay apart in the worklist's narrow
file column (QA 2026-12-06: a cart's ``ECG_20261204_093012_cardiology_ward3_12lead.xml`` and
``..._093513_...`` both read ``ECG_2026…ead.xml``): the shared parts are dropped first."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QStyleOptionViewItem

from ecg_viewer.gui.worklist_panel import distinct_elide, shared_ends

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")
FILE = 1
NAMES = [f"ECG_20261204_09{m:02d}12_cardiology_ward3_12lead.xml" for m in (30, 35, 41, 52)]


def test_distinct_elide_drops_the_shared_parts_first() -> None:
    ends = shared_ends([*NAMES, "00017_hr.hea", "E07509.hea"])  # a folder of mixed names
    pre, suf = ends[NAMES[0]]
    assert NAMES[0][:pre] == "ECG_20261204_093" and NAMES[0][-suf:] == "12_cardiology_ward3_12lead.xml"
    width = lambda n: lambda t: len(t) <= n  # noqa: E731 - one character per unit
    assert distinct_elide(NAMES[0], pre, suf, width(99)) == NAMES[0]  # fits: whole
    assert distinct_elide(NAMES[0], pre, suf, width(40)) == "…093012_cardiology_ward3_12lead.xml"
    assert distinct_elide(NAMES[0], pre, suf, width(12)) == "…093012…xml"
    assert distinct_elide(NAMES[0], pre, suf, width(4)) is None  # the caller elides
    assert shared_ends(["a.hea"]) == {"a.hea": (0, 0)}
    assert ends["E07509.hea"] == (1, 4)  # "E" with the ECG_ names, ".hea" with 00017_hr.hea
    assert distinct_elide("00017_hr.hea", 0, 0, width(5)) is None
    # an end never eats into the start: "ab.xml", "abb.xml"
    pre, suf = shared_ends(["ab.xml", "abb.xml"])["ab.xml"]
    assert pre + suf <= len("ab.xml")


def test_the_worklist_shows_each_name_apart(qtbot, tmp_path: Path, samples: Path) -> None:
    from ecg_viewer.app.worklist_service import WorklistService
    from ecg_viewer.gui.launch import ensure_app
    from ecg_viewer.gui.worklist_panel import WorklistPanel
    from ecg_viewer.review import ReviewStore

    folder = tmp_path / "ward"
    folder.mkdir()
    for name in NAMES:
        (folder / name).symlink_to(samples / "ge_muse" / "synthetic_muse.xml")
    # and a record of another naming, as a ward's folder holds (QA: the shared parts were
    # computed over all names, so one other name left the cart's names elided alike)
    (folder / "fda_Example_aECG.xml").symlink_to(samples / "hl7aecg" / "fda_Example_aECG.xml")
    ensure_app()
    store = ReviewStore(tmp_path / "db.sqlite3")
    win = QMainWindow()
    qtbot.addWidget(win)
    service = WorklistService(parent=win)
    panel = WorklistPanel(store, service)
    dock = QDockWidget("worklist", win)
    dock.setWidget(panel)
    win.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
    win.setCentralWidget(QMainWindow())
    win.resize(1000, 700)
    win.show()
    win.resizeDocks([dock], [270], Qt.Orientation.Horizontal)
    qtbot.waitExposed(win)
    try:
        with qtbot.waitSignal(service.finished, timeout=240000):
            panel.open_folder(folder)
        qtbot.wait(100)
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
        panel.shutdown()
        store.close()
