"""Session 29: the last two places where English showed Japanese spacing or a reader's id.

- the review dock: "Reviewed　root 12:00" (a full-width space) and "Complete RBBB　(完全右脚ブロック)"
- the status bar after opening a file: "Opened 00009_hr.hea (wfdb, 500 Hz, 10.0 s)"
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ecg_viewer.core.messages import set_language
from ecg_viewer.io import read_ecg
from ecg_viewer.labels.catalog import default_catalog

WIDE = "\u3000"


@pytest.fixture
def english():
    set_language("en")
    yield
    set_language("ja")


def _reviewed_panel(qtbot, bundled_samples: Path, tmp_path: Path, reviewer: str):
    """The review dock on 00009_hr, which ``reviewer`` has commented on."""
    from ecg_viewer.gui.review_panel import ReviewPanel
    from ecg_viewer.review import ReviewStore

    store = ReviewStore(tmp_path / "reviews.sqlite3")
    store.set_reviewer(reviewer)
    rec = read_ecg(bundled_samples / "00009_hr.hea")
    store.set_comment(rec.sha256, "checked")
    panel = ReviewPanel(store, default_catalog())
    qtbot.addWidget(panel)
    panel.set_record(rec)
    return store, panel


def test_review_dock_spaces_in_english(qtbot, english, bundled_samples: Path,
                                       tmp_path: Path) -> None:
    store, panel = _reviewed_panel(qtbot, bundled_samples, tmp_path, "Suzuki")
    state = panel.state_label.text()
    assert "Suzuki" in state and WIDE not in state, state
    panel.search.setText("right bundle")
    hits = [panel.hits.item(i).text() for i in range(panel.hits.count())]
    assert hits and all(WIDE not in h and " (" in h for h in hits), hits
    assert panel.sugg_label.text().count(WIDE) == 0
    store.close()


def test_review_dock_keeps_japanese_spacing(qtbot, bundled_samples: Path, tmp_path: Path) -> None:
    set_language("ja")
    store, panel = _reviewed_panel(qtbot, bundled_samples, tmp_path, "鈴木")
    assert f"{WIDE}鈴木" in panel.state_label.text()
    panel.search.setText("右脚ブロック")
    assert panel.hits.count() and all("（" in panel.hits.item(i).text()
                                      for i in range(panel.hits.count()))
    store.close()


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_status_bar_names_the_format_not_the_reader_id(qtbot, bundled_samples: Path,
                                                       lang: str) -> None:
    from ecg_viewer.app.controller import Controller
    from ecg_viewer.app.state import ViewerState

    set_language(lang)
    try:
        path = str(bundled_samples / "00009_hr.hea")
        c = Controller(ViewerState())
        said: list[str] = []
        c.info.connect(said.append)
        c._loaded(path, read_ecg(path))
        assert said and "WFDB" in said[-1] and "wfdb" not in said[-1], said
        c.shutdown()
    finally:
        set_language("ja")
