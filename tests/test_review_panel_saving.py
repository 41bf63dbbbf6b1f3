"""What the review panel says it saved is what the database holds (QA 2026-12-06):

- a comment typed but not saved was overwritten by the stored one as soon as another review
  control was used (a decision, the level: the panel is filled again and the comment box had
  lost the focus), so the typed text vanished;
- on a read-only (damaged or tampered) database the reading desk's E/U/W still said
  「判定を…にしました（保存済み）」 and C/X named the decision, over the failure message, and the
  drop-downs kept showing the unsaved choice.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from ecg_viewer.core.messages import tr
from ecg_viewer.io import read_ecg
from ecg_viewer.labels.catalog import default_catalog
from ecg_viewer.review import ReviewStore
from tests.report_fixtures import analysis_for
from tests.window_fixtures import main_window

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

SCORES = {"atrial_fibrillation": 0.83, "sinus_tachycardia": 0.6}


def _panel(qtbot, store):
    from ecg_viewer.gui.review_panel import ReviewPanel

    panel = ReviewPanel(store, default_catalog())
    qtbot.addWidget(panel)
    return panel


def _read_only_db(folder: Path) -> Path:
    """A review database whose audit trigger was dropped: the store opens it read-only."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "reviews.sqlite3"
    ReviewStore(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TRIGGER audit_no_update")
    conn.close()
    return path


def test_a_typed_comment_survives_other_review_controls(qtbot, bundled_samples, tmp_path):
    store = ReviewStore(tmp_path / "reviews.sqlite3")
    panel = _panel(qtbot, store)
    rec = read_ecg(bundled_samples / "00017_hr.hea")
    panel.set_record(rec)
    panel.set_analysis(analysis_for(rec, default_catalog(), SCORES))
    panel.comment.setPlainText("抗凝固療法を検討。")  # typed, not saved
    panel.findChild(type(panel.level), "decision:atrial_fibrillation").setCurrentIndex(1)
    assert store.get(rec.sha256).decisions == {"atrial_fibrillation": "confirmed"}
    panel.level.setCurrentIndex(panel.level.findData("D"))
    panel.set_analysis(analysis_for(rec, default_catalog(), SCORES))  # a new analysis result
    assert panel.comment.toPlainText() == "抗凝固療法を検討。"
    assert store.get(rec.sha256).comment == ""  # only the save button (or leaving) stores it
    panel.save_comment.click()
    assert store.get(rec.sha256).comment == "抗凝固療法を検討。"
    # once saved, a comment changed elsewhere (another window) is shown on the next fill
    store.set_comment(rec.sha256, "別の端末で更新", context=panel.context())
    panel.review = store.get(rec.sha256)
    panel._fill()
    assert panel.comment.toPlainText() == "別の端末で更新"
    # the next ECG starts with its own (empty) comment
    other = read_ecg(bundled_samples / "E07509.hea")
    panel.set_record(other)
    assert panel.comment.toPlainText() == ""
    store.close()


def test_a_read_only_database_is_never_reported_saved(qtbot, bundled_samples, tmp_path,
                                                      monkeypatch):
    _read_only_db(tmp_path / "db")
    win = main_window(qtbot, monkeypatch, tmp_path / "db")
    try:
        assert win.store.read_only
        path = bundled_samples / "00017_hr.hea"
        with qtbot.waitSignal(win.controller.loadFinished, timeout=30000):
            win.controller.open_file(str(path))
        qtbot.waitUntil(lambda: not win.controller.is_loading(), timeout=5000)
        win.state.set_analysis(analysis_for(win.state.record, default_catalog(), SCORES))
        panel = win.review_dock.panel
        desk = win.reading_desk
        sha = win.state.record.sha256

        assert desk.set_level("D") is False
        message = win.statusBar().currentMessage()
        assert "読み取り専用" in message and "保存済み" not in message
        assert panel.level.currentData() is None  # the drop-down shows what is stored

        win.statusBar().clearMessage()
        assert desk.decide("confirmed") is None
        message = win.statusBar().currentMessage()
        assert "読み取り専用" in message
        assert not message.startswith(tr("desk.decided.confirmed", label="")[:3])
        combo = panel.findChild(type(panel.level), f"decision:{panel._row_ids[0]}")
        assert combo.currentData() is None
        # the ★ of a score at or above its threshold is explained on hover (QA 61)
        stars = [panel.table.item(r, 1) for r in range(panel.table.rowCount())
                 if "★" in panel.table.item(r, 1).text()]
        assert stars and all("★：しきい値以上" in it.toolTip() for it in stars)

        qtbot.keyClick(win, Qt.Key.Key_W)
        assert "保存済み" not in win.statusBar().currentMessage()
        assert win.store.get(sha).final_level is None and not win.store.get(sha).decisions
    finally:
        win.close()


def test_review_times_are_local(qtbot, bundled_samples, tmp_path, monkeypatch):
    """The database keeps UTC; the panel and the status bar said 00:30 for a review saved at
    09:30 in Tokyo (QA 2026-12-06)."""
    import time
    from datetime import datetime, timedelta

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        store = ReviewStore(tmp_path / "reviews.sqlite3")
        panel = _panel(qtbot, store)
        rec = read_ecg(bundled_samples / "00017_hr.hea")
        panel.set_record(rec)
        store.set_comment(rec.sha256, "x")
        panel.set_record(None)
        panel.set_record(rec)
        stored = datetime.fromisoformat(store.get(rec.sha256).updated_at)
        tokyo = (stored + timedelta(hours=9)).strftime("%Y-%m-%d %H:%M")
        utc = stored.strftime("%Y-%m-%d %H:%M")
        assert tokyo in panel.state_label.text() and utc not in panel.state_label.text()
        store.close()
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_a_change_from_another_window_is_shown(qtbot, bundled_samples, tmp_path):
    """Two windows (two processes) on one database: what one stores, the other shows within a
    few seconds (QA 2026-12-06: it kept showing the old decisions and level until the ECG was
    opened again, and the worklist's review column too); a comment being typed stays."""
    path = tmp_path / "reviews.sqlite3"
    store = ReviewStore(path)
    other = ReviewStore(path)  # the other window's own connection
    panel = _panel(qtbot, store)
    rec = read_ecg(bundled_samples / "00017_hr.hea")
    panel.set_record(rec)
    panel.set_analysis(analysis_for(rec, default_catalog(), SCORES))
    assert panel.check_elsewhere() is False  # the first look only notes where the file is
    panel.comment.setPlainText("入力途中")
    store.reject(rec.sha256, "sinus_tachycardia")  # this window's own write: not "elsewhere"
    assert panel.check_elsewhere() is False
    other.confirm(rec.sha256, "atrial_fibrillation")
    other.set_levels(rec.sha256, suggested="D", final="urgent")
    with qtbot.waitSignal(panel.changedElsewhere, timeout=10000) as seen:
        pass  # the panel's timer looks every WATCH_MS
    assert seen.args[0] is not None and seen.args[0].final_level == "urgent"
    combo = panel.findChild(type(panel.level), "decision:atrial_fibrillation")
    assert combo.currentData() == "confirmed" and panel.level.currentData() == "urgent"
    assert panel.comment.toPlainText() == "入力途中"
    other.close()
    store.close()


def test_a_comment_saved_elsewhere_is_never_overwritten_by_the_one_being_typed(
        qtbot, bundled_samples, tmp_path):
    """QA 66: window A saved 「A: STに注意、至急循環器コンサルト」 while B was typing; B's refresh kept
    B's text and hid A's, and B's save replaced it (it survived only in the audit table)."""
    path = tmp_path / "reviews.sqlite3"
    store, other = ReviewStore(path), ReviewStore(path)
    panel = _panel(qtbot, store)
    said: list[str] = []
    panel.failed.connect(said.append)
    rec = read_ecg(bundled_samples / "00017_hr.hea")
    panel.set_record(rec)
    panel.check_elsewhere()
    panel.comment.setPlainText("B: 経過観察でよい")  # typed in B, not saved
    other.set_comment(rec.sha256, "A: STに注意、至急循環器コンサルト")
    assert panel.check_elsewhere()  # B's periodic look: A's comment shown beside B's text
    assert panel.comment.toPlainText() == "A: STに注意、至急循環器コンサルト\nB: 経過観察でよい"
    assert said[-1] == tr("review.ui.comment_merged")
    assert store.get(rec.sha256).comment == "A: STに注意、至急循環器コンサルト"  # nothing saved yet
    panel.save_comment.click()
    assert store.get(rec.sha256).comment == "A: STに注意、至急循環器コンサルト\nB: 経過観察でよい"
    # A saves again before B's next look: B's save does not go over it either
    panel.comment.setPlainText(panel.comment.toPlainText() + "\n追記B")
    other.set_comment(rec.sha256, "A: 改訂")
    panel.save_comment.click()
    assert store.get(rec.sha256).comment == "A: 改訂"
    assert "A: 改訂" in panel.comment.toPlainText() and "追記B" in panel.comment.toPlainText()
    panel.save_comment.click()
    assert store.get(rec.sha256).comment == panel.comment.toPlainText()
    other.close()
    store.close()


def test_a_reason_and_a_name_being_typed_survive_another_windows_change(
        qtbot, bundled_samples, tmp_path):
    """QA report 33: the 2-s refresh after another window's save wiped a 要精査 reason and a
    reviewer name still being typed (the saves after it then went under the OS user)."""
    path = tmp_path / "reviews.sqlite3"
    store, other = ReviewStore(path), ReviewStore(path)
    panel = _panel(qtbot, store)
    rec = read_ecg(bundled_samples / "00017_hr.hea")
    panel.set_record(rec)
    panel.check_elsewhere()
    panel.reason.insert("心エコーで左室機能を評価")  # as typed (an input method's commit)
    panel.reviewer.selectAll()
    panel.reviewer.insert("循環器 山田")
    assert panel.reason.isModified() and panel.reviewer.isModified()
    other.set_levels(rec.sha256, suggested="D", final="D")
    assert panel.check_elsewhere()
    assert panel.level.currentData() == "D"
    assert panel.reason.text() == "心エコーで左室機能を評価"
    assert panel.reviewer.text() == "循環器 山田"
    panel.reviewer.editingFinished.emit()
    assert store.reviewer() == "循環器 山田"
    panel.needs_exam.setChecked(True)  # saves the flag with the reason typed
    assert store.get(rec.sha256).needs_exam_reason == "心エコーで左室機能を評価"
    other.set_needs_exam(rec.sha256, True, "ホルター心電図")  # then changed elsewhere: shown
    assert panel.check_elsewhere() and panel.reason.text() == "ホルター心電図"
    other.close()
    store.close()


def test_a_level_set_in_another_window_is_not_replaced_without_a_word(qtbot, bundled_samples,
                                                                      tmp_path):
    """QA 40: two windows on one database opened the same case; one set 要至急 and the other,
    0.1 s later and before its panel looked again, set 要精査 over it without being told."""
    path = tmp_path / "reviews.sqlite3"
    store, other = ReviewStore(path), ReviewStore(path)
    panel = _panel(qtbot, store)
    rec = read_ecg(bundled_samples / "00017_hr.hea")
    panel.set_record(rec)
    panel.set_analysis(analysis_for(rec, default_catalog(), SCORES))
    other.set_levels(rec.sha256, suggested="D", final="urgent")  # the other reader, just now
    with qtbot.waitSignal(panel.failed, timeout=5000) as said:
        assert panel.set_final_level("D") is False  # E pressed here: not stored
    assert "要至急" in said.args[0] and "もう一度" in said.args[0]
    assert store.get(rec.sha256).final_level == "urgent" and panel.level.currentData() == "urgent"
    assert panel.set_final_level("D") is True  # chosen again, knowing: stored
    assert store.get(rec.sha256).final_level == "D"
    assert panel.set_final_level("C") is True  # its own earlier level is no reason to stop
    assert store.get(rec.sha256).final_level == "C"
    other.close()
    store.close()


def test_tab_reaches_every_review_control(qtbot, bundled_samples, tmp_path):
    """QA 43: Tab went round the findings table and its rows' menus only; the comment, the
    search, the save button and the final level could not be reached from the keyboard, and
    Tab in the comment typed a tab."""
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    store = ReviewStore(tmp_path / "reviews.sqlite3")
    panel = _panel(qtbot, store)
    panel.resize(300, 900)
    panel.show()
    qtbot.waitExposed(panel)
    rec = read_ecg(bundled_samples / "00017_hr.hea")
    panel.set_record(rec)
    panel.set_analysis(analysis_for(rec, default_catalog(), SCORES))
    panel.activateWindow()
    panel.table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is panel.table, timeout=5000)
    seen = []
    for _ in range(40):
        w = QApplication.focusWidget()
        assert w is not None
        seen.append(w)
        QTest.keyClick(w, Qt.Key.Key_Tab)
    for control in (panel.comment, panel.search, panel.save_comment, panel.level,
                    panel.needs_exam, panel.reviewer):
        assert control in seen, type(control).__name__
    combos = [w for w in seen if w.objectName().startswith("decision:")]
    assert combos and seen.index(combos[0]) == seen.index(panel.table) + 1  # the rows next
    assert "\t" not in panel.comment.toPlainText()
    store.close()


def _open_with_evidence(qtbot, win, bundled_samples, scores: dict[str, float], label: str,
                        evidence: list[tuple[str, str]]) -> None:
    """E07509 open in ``win`` with an analysis of ``scores`` whose ``label`` carries ``evidence``
    ((key, label id): the parts a conjunction or a derived label is made of)."""
    import dataclasses

    from ecg_viewer.core.prediction import Evidence, Prediction

    with qtbot.waitSignal(win.controller.loadFinished, timeout=30000):
        win.controller.open_file(str(bundled_samples / "E07509.hea"))
    qtbot.waitUntil(lambda: not win.controller.is_loading(), timeout=5000)
    a = analysis_for(win.state.record, default_catalog(), scores)
    labels = tuple(dataclasses.replace(s, evidence=tuple(Evidence(k, v, "", "") for k, v in evidence))
                   if s.id == label else s for s in a.prediction.labels)
    win.state.set_analysis(dataclasses.replace(a, prediction=Prediction(labels, a.prediction.model)))


def _decide(panel, label: str, decision: str) -> None:
    """Choose ``decision`` ("confirmed", "rejected") in the review row of ``label``."""
    combo = panel.findChild(type(panel.level), f"decision:{label}")
    combo.setCurrentIndex(combo.findData(decision))


def test_confirming_a_finding_whose_part_is_rejected_is_said(qtbot, bundled_samples, tmp_path,
                                                             monkeypatch):
    """QA 50: 左脚後枝ブロック rejected, then 二枝ブロック (CRBBB + LPFB) confirmed: both were saved
    with 「確認結果を保存しました」 and printed in the signed report."""
    win = main_window(qtbot, monkeypatch, tmp_path / "db")
    try:
        _open_with_evidence(qtbot, win, bundled_samples,
                            {"crbbb": 0.9, "lpfb": 0.6, "bifascicular_block": 0.6},
                            "bifascicular_block", [("conjunction_of", "crbbb"),
                                                   ("conjunction_of", "lpfb")])
        panel = win.review_dock.panel
        _decide(panel, "lpfb", "rejected")
        assert "保存しました" in win.statusBar().currentMessage()
        _decide(panel, "bifascicular_block", "confirmed")
        message = win.statusBar().currentMessage()
        assert "「二枝ブロック」" in message and "否定した「左脚後枝ブロック」" in message  # QA 54
        assert win.store.get(win.state.record.sha256).decisions == {
            "lpfb": "rejected", "bifascicular_block": "confirmed"}  # saved as decided
        # the reading desk's keys keep the warning (QA 53: 「確認: …」 replaced it at once)
        assert win.reading_desk.decide("confirmed") is not None  # the next suggestion
        assert "否定した「左脚後枝ブロック」" in win.statusBar().currentMessage()
    finally:
        win.close()


def test_rejecting_a_finding_made_of_a_confirmed_one_is_said(qtbot, bundled_samples, tmp_path,
                                                             monkeypatch):
    """QA 69: 下壁心筋梗塞 confirmed, then 心筋梗塞 (scored from it) rejected with C, C, X: saved
    without a word, and the signed PDF printed both decisions side by side."""
    win = main_window(qtbot, monkeypatch, tmp_path / "db")
    try:
        _open_with_evidence(qtbot, win, bundled_samples, {"imi": 0.6, "mi": 0.6}, "mi",
                            [("derived_from", "imi")])
        panel = win.review_dock.panel
        _decide(panel, "imi", "confirmed")
        assert "保存しました" in win.statusBar().currentMessage()
        _decide(panel, "mi", "rejected")
        message = win.statusBar().currentMessage()
        assert "否定した「心筋梗塞」" in message and "確認した「下壁心筋梗塞」" in message, message
        assert win.store.get(win.state.record.sha256).decisions == {
            "imi": "confirmed", "mi": "rejected"}  # saved as decided
    finally:
        win.close()
