"""The worklist in a ~270-px dock (1366×768) shows the level, the file name and the review state
without sideways scrolling (QA 2026-12).

Before: only 判定 and ファイル were in view; 主な所見, HR and 確認 were cut or behind a horizontal
scroll bar, and a long English file name was cut without an ellipsis. Now the file name elides
in its middle (its number and extension stay; the whole path on hover), the level and the state
keep their width first, the main finding takes what is left, elided."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QStyleOptionViewItem

from ecg_viewer.core.messages import set_language, tr
from ecg_viewer.io import read_ecg
from ecg_viewer.review import ReviewStore
from tests.window_fixtures import opened_worklist

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")
LEVEL, FILE, FINDING, HR, REVIEW = range(5)


@pytest.fixture
def ward(tmp_path: Path, samples: Path, bundled_samples: Path) -> Path:
    """Real files under long names, as a ward's export names them."""
    folder = tmp_path / "ward"
    folder.mkdir()
    picks = {
        "3191723_ZZDEMOPTONLY_1-04_orig.xml": samples / "philips_xml" / "3191723_ZZDEMOPTONLY_1-04_orig.xml",
        "cardiology_outpatients_2026-11-30_synthetic_muse.xml": samples / "ge_muse" / "synthetic_muse.xml",
        "fda_Example_aECG.xml": samples / "hl7aecg" / "fda_Example_aECG.xml",
    }
    for name, src in picks.items():
        (folder / name).symlink_to(src)
    for ext in (".hea", ".mat"):
        (folder / f"E07509{ext}").symlink_to(bundled_samples / f"E07509{ext}")
    return folder


@pytest.fixture
def worklist(qtbot, ward: Path, tmp_path: Path):
    """The real worklist (the shipped model) in a dock 270 px wide, one ECG reviewed."""
    store = ReviewStore(tmp_path / "db.sqlite3")
    reviewed = read_ecg(ward / "fda_Example_aECG.xml").sha256
    store.set_levels(reviewed, suggested="D", final="D")
    with opened_worklist(qtbot, store, ward) as panel:
        yield panel
    store.close()
    set_language("ja")


def _in_view(panel, col: int) -> bool:
    t = panel.table
    head = t.horizontalHeader()
    x = head.sectionViewportPosition(col)
    return not head.isSectionHidden(col) and x >= 0 and x + head.sectionSize(col) <= t.viewport().width()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_level_file_and_review_state_in_view_without_sideways_scrolling(worklist, qtbot, lang) -> None:
    panel = worklist
    set_language(lang)
    panel.retranslate()
    qtbot.wait(50)
    t = panel.table
    assert 230 <= t.width() <= 270, t.width()
    assert t.horizontalScrollBar().maximum() == 0 and not t.horizontalScrollBar().isVisible()
    for col in (LEVEL, FILE, REVIEW):
        assert _in_view(panel, col), (lang, col, t.horizontalHeader().sectionSize(col))
    # the review state right after the file name, the finding in what is left
    head = t.horizontalHeader()
    assert [head.logicalIndex(v) for v in range(3)] == [LEVEL, FILE, REVIEW]
    if not head.isSectionHidden(FINDING):
        assert _in_view(panel, FINDING)
    fm = t.fontMetrics()
    for r in range(t.rowCount()):
        # the short level name whole; the longest, English "Minor abnormality", beside a long
        # file name may lose its end
        level = t.item(r, LEVEL).text()
        shown = fm.elidedText(level, Qt.TextElideMode.ElideRight, t.columnWidth(LEVEL) - 6)
        assert shown == level or (level == "Minor abnormality" and len(shown) >= 11), (level, shown)
        assert t.item(r, LEVEL).toolTip().startswith(level.split()[0])
        state = t.item(r, REVIEW).data(Qt.ItemDataRole.UserRole + 1)  # the state, whole
        assert fm.horizontalAdvance(state) + 6 <= t.columnWidth(REVIEW), (state, t.columnWidth(REVIEW))
        assert t.item(r, REVIEW).toolTip()
    # the long file names: elided in the middle, the whole path on hover
    assert t.columnWidth(FILE) >= 70
    names = {t.item(r, FILE).text(): r for r in range(t.rowCount())}
    long_name = "cardiology_outpatients_2026-11-30_synthetic_muse.xml"
    assert fm.horizontalAdvance(long_name) > t.columnWidth(FILE)
    index = t.model().index(names[long_name], FILE)
    option = QStyleOptionViewItem()
    t.itemDelegateForColumn(FILE).initStyleOption(option, index)
    assert option.textElideMode == Qt.TextElideMode.ElideMiddle
    assert t.item(names[long_name], FILE).toolTip().endswith(long_name)
    # the reviewed ECG says so, with the reader's level; the others are not reviewed yet
    reviewed = t.item(names["fda_Example_aECG.xml"], REVIEW)
    assert reviewed.data(Qt.ItemDataRole.UserRole + 1) == tr("ui.worklist.done")
    assert reviewed.text() == {"ja": "✓ 要精査", "en": "✓ Exam"}[lang]
    assert reviewed.toolTip() == {"ja": "確認済（要精査）",
                                  "en": "Reviewed (Further examination needed)"}[lang]
    other = t.item(names["E07509.hea"], REVIEW)
    assert other.text() == tr("ui.worklist.unreviewed")
    assert other.toolTip() == tr("review.ui.state.unreviewed")


def test_wider_dock_shows_the_finding_and_heart_rate(worklist, qtbot) -> None:
    """Given room (a large screen's 420-px column), the finding and the heart rate come back."""
    panel = worklist
    dock = panel.parentWidget()
    while not isinstance(dock, QDockWidget):
        dock = dock.parentWidget()
    dock.window().resizeDocks([dock], [480], Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: panel.table.width() > 400, timeout=3000)
    qtbot.wait(50)
    for col in (LEVEL, FILE, REVIEW, FINDING, HR):
        assert _in_view(panel, col), col
    assert panel.table.horizontalScrollBar().maximum() == 0
