"""The prior ECG of a patient in another folder (QA 40): the window's reviews store where their
file lives, so the review database offers it as a prior; and the open worklist's files are
candidates too (day1/ and day2/ under one folder). Real PTB-XL records of one patient written
as HL7 aECG, the real window offscreen, a real SQLite database; measurements only."""

from __future__ import annotations

from pathlib import Path

import pytest
from compare_fixtures import Ptbxl

from ecg_viewer.compare.prior import database_files
from ecg_viewer.review import ReviewStore


@pytest.fixture
def win(make_window):
    from ecg_viewer.pipeline.analyze import Analyzer

    return make_window((1400, 900), use_stored_language=False,
                       analyzer_factory=lambda: Analyzer(load_model=False))


@pytest.fixture
def pair(shared_data: Path, tmp_path: Path) -> tuple[Path, Path]:
    p = Ptbxl(shared_data)
    (tmp_path / "day1").mkdir()
    (tmp_path / "day2").mkdir()
    return p.write(tmp_path / "day1", 581), p.write(tmp_path / "day2", 598)


def test_a_review_in_the_window_stores_its_file_for_the_prior_search(win, qtbot, pair,
                                                                     _isolated_review_db):
    prior, current = pair
    with qtbot.waitSignal(win.state.analysisChanged, timeout=60000):
        win.controller.open_file(str(prior))
    qtbot.waitUntil(lambda: win.review_dock.panel.analysis is not None, timeout=60000)
    assert win.review_dock.panel.set_final_level("D")  # the physician's level, as E does
    with ReviewStore(_isolated_review_db / "reviews.sqlite3") as store:
        stored = store.get(win.state.record.sha256)
        assert stored.file_path == str(prior)  # it had been NULL in every row
        assert [p.resolve() for p in database_files(store)] == [prior.resolve()]
    feats = win.comparison_features
    with qtbot.waitSignal(feats.compared, timeout=60000) as done:
        win.controller.open_file(str(current))
    cmp = done.args[0]
    assert Path(cmp.prior.file).resolve() == prior.resolve() and cmp.match == "database"


def test_the_worklists_files_are_searched_for_the_prior(win, qtbot, pair, tmp_path):
    prior, current = pair
    assert win.worklist.panel.open_folder(tmp_path) == 2
    qtbot.waitUntil(lambda: not win.worklist_service.running, timeout=120000)
    feats = win.comparison_features
    with qtbot.waitSignal(feats.compared, timeout=60000) as done:
        win.controller.open_file(str(current))
    cmp = done.args[0]
    # QA 44: it had read 「同じフォルダ内で自動照合」 with the name alone
    assert Path(cmp.prior.file).resolve() == prior.resolve() and cmp.match == "worklist"
    assert cmp.prior_file_text() == f"day1/{prior.name}"
    from ecg_viewer.core.messages import tr

    assert "別のフォルダ" in tr(f"compare.match.{cmp.match}", "ja")


def test_a_file_opened_by_a_relative_path_is_stored_absolute(pair, tmp_path, monkeypatch,
                                                            _isolated_review_db):
    """QA 44: ``ecg-viewer day1/x.xml`` stored 'day1/x.xml'; a session started from another
    folder never found that ECG as the prior. The store keeps the absolute path."""
    from dataclasses import replace

    prior, _current = pair
    monkeypatch.chdir(tmp_path)
    with ReviewStore(_isolated_review_db / "reviews.sqlite3") as store:
        store.update("b" * 64, lambda r: replace(r, final_level="D"),
                     file_path=str(Path("day1") / prior.name))
        stored = store.get("b" * 64)
        assert stored.file_path == str(prior)
        monkeypatch.chdir(tmp_path / "day2")  # the next session, started elsewhere
        assert [p.resolve() for p in database_files(store)] == [prior.resolve()]
