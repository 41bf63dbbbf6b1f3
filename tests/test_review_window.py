"""The review features in the real window (offscreen): confirm/reject/add/comment/level/flag
through the review dock into the real database, calipers kept with the review, export and print
of the report, the worklist sorted by referral level with review state."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from ecg_viewer.core.messages import set_language, tr
from ecg_viewer.io import read_ecg
from ecg_viewer.labels.catalog import default_catalog
from ecg_viewer.signal.calipers import Caliper
from tests.report_fixtures import analysis_for, fixture_analyze

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def _window(qtbot):
    from ecg_viewer.gui.launch import ensure_app
    from ecg_viewer.gui.main_window import MainWindow

    ensure_app()
    w = MainWindow()
    w.resize(1600, 950)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


@pytest.fixture
def win(qtbot):
    w = _window(qtbot)
    yield w
    w.close()
    set_language("ja")


def _open(qtbot, w, path: Path) -> None:
    with qtbot.waitSignal(w.controller.loadFinished, timeout=30000):
        w.controller.open_file(str(path))
    qtbot.waitUntil(lambda: not w.controller.is_loading(), timeout=5000)


def _export(qtbot, w, path: Path) -> list[Path]:
    """Export from the window (made on the report lane); the paths written."""
    with qtbot.waitSignal(w.report_jobs.exported, timeout=60000) as done:
        w.report_menu.export(path)
    return done.args[0]


def _af_analysis(path: Path):
    rec = read_ecg(path)
    return analysis_for(rec, default_catalog(), {"atrial_fibrillation": 0.83,
                                                 "sinus_tachycardia": 0.6})


def test_review_through_the_dock_is_stored_and_comes_back(qtbot, win, bundled_samples,
                                                          tmp_path) -> None:
    path = bundled_samples / "00017_hr.hea"
    _open(qtbot, win, path)
    panel = win.review_dock.panel
    assert "ui.menu.file" in [k for _m, k in win.actions_.menus]
    file_menu = next(m for m, k in win.actions_.menus if k == "ui.menu.file")
    texts = [a.text() for a in file_menu.actions()]
    assert "レポートを書き出す…" in texts and "レポートを印刷…" in texts
    win.state.set_analysis(_af_analysis(path))
    assert panel.table.rowCount() >= 5
    combo = panel.findChild(type(panel.level), "decision:atrial_fibrillation")
    combo.setCurrentIndex(1)  # 確認
    panel.findChild(type(panel.level), "decision:sinus_tachycardia").setCurrentIndex(2)  # 否定
    panel.search.setText("左室肥大")
    assert panel.hits.count() >= 1
    panel.search.returnPressed.emit()
    panel.reviewer.setText("山田 太郎")
    panel.reviewer.editingFinished.emit()
    panel.comment.setPlainText("抗凝固療法を検討。")
    panel.save_comment.click()
    panel.level.setCurrentIndex(panel.level.findData("urgent"))
    panel.reason.setText("心エコー")
    panel.needs_exam.setChecked(True)
    win.state.add_caliper(Caliper(kind="time", lead="II", t0_s=1.0, t1_s=1.6))

    sha = win.state.record.sha256
    r = win.store.get(sha)
    assert r.decisions == {"atrial_fibrillation": "confirmed", "sinus_tachycardia": "rejected"}
    assert r.added_labels == ("lvh",) and r.comment == "抗凝固療法を検討。"
    assert r.final_level == "urgent" and r.suggested_level == "D"
    assert r.needs_exam and r.needs_exam_reason == "心エコー"
    assert [a.kind for a in r.annotations] == ["time"] and r.annotations[0].interval_ms == pytest.approx(600)
    assert r.reviewer == "山田 太郎"
    audit = win.store.audit(sha)
    assert {e.field for e in audit} >= {"decision:atrial_fibrillation", "added_label:lvh",
                                        "comment", "final_level", "needs_exam", "annotations"}
    assert all(e.weights_sha256 == "0123456789abcdef" * 4 for e in audit)

    # export from the window: PDF, JSON, FHIR, written atomically
    pdf = _export(qtbot, win, tmp_path / "r.pdf")[0]
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    for s in ("心房細動", "抗凝固療法を検討。", "要至急", "山田 太郎", "600 ms（100 /分）"):
        assert s in text, s
    assert _export(qtbot, win, tmp_path / "r.json")[0].read_text(encoding="utf-8").count("心房細動") >= 1
    assert "11524-6" in _export(qtbot, win, tmp_path / "r.fhir.json")[0].read_text(encoding="utf-8")

    # a second window (a later session) shows the same review and the caliper again
    win.close()
    w2 = _window(qtbot)
    try:
        _open(qtbot, w2, path)
        p2 = w2.review_dock.panel
        assert p2.review.final_level == "urgent" and p2.comment.toPlainText() == "抗凝固療法を検討。"
        assert [c.interval_ms for c in w2.state.calipers] == [pytest.approx(600.0)]
        assert p2.state_label.text().startswith("確認済")
    finally:
        w2.close()


def test_print_renders_pdf_pages_on_the_printer(qtbot, win, bundled_samples, tmp_path) -> None:
    from PySide6.QtPrintSupport import QPrinter

    from ecg_viewer.gui.report_menu import print_pdf
    from ecg_viewer.report.pdf import pdf_bytes

    path = bundled_samples / "00017_hr.hea"
    _open(qtbot, win, path)
    win.state.set_analysis(_af_analysis(path))
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    assert print_pdf(pdf_bytes(win.report_jobs.content()), printer, max_dpi=100) == 2
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"Pages:\s+2\n", info)
    assert re.search(r"Page size:\s+(842 x 595|841.89 x 595.27)", info)  # A4 landscape


def test_worklist_sorted_by_level_with_review_state(qtbot, win, samples, tmp_path) -> None:
    from ecg_viewer.app.worklist_service import WorklistService
    from ecg_viewer.gui.worklist_panel import WorklistPanel
    from ecg_viewer.review import ReviewStore

    folder = tmp_path / "ward"
    folder.mkdir()
    picks = {"a_normal.hea": samples / "wfdb_ptbxl" / "00001_hr.hea",
             "b_af.xml": samples / "ge_muse" / "synthetic_muse.xml",
             "c_bad.SCP": samples / "scp_ecg" / "healforce_62.SCP"}
    for name, src in picks.items():
        (folder / name).symlink_to(src)
        if src.suffix == ".hea":
            (folder / "00001_hr.dat").symlink_to(src.with_suffix(".dat"))
            (folder / name).unlink()
            (folder / "00001_hr.hea").symlink_to(src)

    def analyze(record):
        if record.format == "ge_muse":  # this one gets an AF suggestion (要精査)
            return analysis_for(record, default_catalog(), {"atrial_fibrillation": 0.9})
        return fixture_analyze(record)

    store = ReviewStore(tmp_path / "db.sqlite3")
    muse_sha = read_ecg(folder / "b_af.xml").sha256
    store.set_levels(muse_sha, suggested="D", final="D")
    service = WorklistService(factory=lambda: (analyze, None))
    panel = WorklistPanel(store, service)
    qtbot.addWidget(panel)
    assert not panel.stop_button.isEnabled()  # nothing to stop yet
    with qtbot.waitSignal(service.finished, timeout=60000):
        assert panel.open_folder(folder) == 3
        assert panel.stop_button.isEnabled()
    assert not panel.stop_button.isEnabled() and panel.status.text().startswith("3 ")
    order = [panel.table.item(i, 1).text() for i in range(panel.table.rowCount())]
    assert order == ["b_af.xml", "00001_hr.hea", "c_bad.SCP"]  # 要精査, 異常なし, unreadable
    assert panel.table.item(0, 0).text() == "要精査"
    assert panel.table.item(0, 2).text() == "心房細動"
    assert panel.table.item(0, 4).text() == "✓ 要精査"
    assert panel.table.item(1, 4).text() == "未確認"
    assert panel.table.item(2, 0).text() == "読込不可"
    with qtbot.waitSignal(panel.openRequested) as sig:
        panel.table.cellDoubleClicked.emit(0, 1)
    assert sig.args == [str(folder / "b_af.xml")]
    # in English the level's name is long: the column shows its short name, whole on one line
    # and narrow enough for the findings to show in a ~250-px dock; the full name and the
    # findings are its tooltip (the full name wrapped onto two lines: half the rows in view)
    set_language("en")
    try:
        panel.retranslate()
        level = panel.table.item(0, 0)
        assert level.text() == "Further exam"
        assert not panel.table.wordWrap()
        for text in ("Further exam", "Urgent referral", "Minor abnormality", "Not assessable"):
            assert panel.table.fontMetrics().horizontalAdvance(text) + 12 <= 130, text
        assert panel.table.fontMetrics().horizontalAdvance(level.text()) < panel.table.columnWidth(0) <= 130
        assert level.toolTip() == "Further examination needed: atrial fibrillation"
    finally:
        set_language("ja")
    panel.shutdown()
    store.close()


def test_worklist_stop_keeps_the_rows_so_far_and_says_so(qtbot, samples, tmp_path) -> None:
    """Stop ends the run between files: the rows done stay, the button greys out, the status
    says where it stopped (not "analysed" as if it had finished)."""
    from ecg_viewer.app.worklist_service import WorklistService
    from ecg_viewer.gui.worklist_panel import WorklistPanel

    folder = tmp_path / "ward"
    folder.mkdir()
    for src in sorted((samples / "wfdb_cinc2021").glob("E075*.hea"))[:6]:
        (folder / src.name).symlink_to(src)
        (folder / src.with_suffix(".mat").name).symlink_to(src.with_suffix(".mat"))
    service = WorklistService(factory=lambda: (fixture_analyze, None))
    panel = WorklistPanel(None, service)
    qtbot.addWidget(panel)
    first: list[dict] = []

    def stop_at_first_row(row: dict) -> None:  # on the GUI thread, as a click would be
        if not first:
            first.append(row)
            panel.stop()

    service.rowReady.connect(stop_at_first_row)
    assert panel.open_folder(folder) == 6
    qtbot.waitUntil(lambda: bool(first), timeout=30000)
    service.wait(10000)
    qtbot.wait(100)
    done = len(panel.rows)
    assert 1 <= done < 6  # the rows so far stay; the run did not go on to the end
    assert not panel.stop_button.isEnabled()
    assert panel.status.text() == tr("worklist.stopped", done=done, total=6)
    panel.shutdown()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_review_panel_fits_the_dock_of_a_small_screen(qtbot, lang) -> None:
    """At 1366×768 the review dock is about 260 px wide: the panel's minimum width stays below it
    in both languages (the English "Physician's referral level" beside its combo box asked for
    277 px and gave the dock a horizontal scroll bar; the label now wraps)."""
    from ecg_viewer.gui.review_panel import ReviewPanel

    set_language(lang)
    try:
        panel = ReviewPanel(None)
        qtbot.addWidget(panel)
        panel.retranslate()
        assert panel.minimumSizeHint().width() <= 240
    finally:
        set_language("ja")


def test_a_finding_search_belongs_to_its_patient_and_a_double_click_adds_once(
        qtbot, bundled_samples: Path, tmp_path: Path) -> None:
    """QA 2026-12-06: the search text and its hits carried over to the next case (Enter there
    would have added the finding to the wrong patient), and a double-click on a hit raised an
    AttributeError (its activation came second, with no item left)."""
    from ecg_viewer.gui.review_panel import ReviewPanel
    from ecg_viewer.review import ReviewStore

    store = ReviewStore(tmp_path / "reviews.sqlite3")
    panel = ReviewPanel(store, default_catalog())
    qtbot.addWidget(panel)
    first, second = (read_ecg(bundled_samples / f"{n}.hea") for n in ("00009_hr", "E07509"))
    panel.set_record(first)
    panel.search.setText("QT")
    assert panel.hits.count() > 0
    panel.set_record(second)
    assert panel.search.text() == "" and panel.hits.count() == 0
    panel.search.setText("brugada")
    item = panel.hits.item(0)
    panel._add_hit(item)  # what a double-click sends first (itemDoubleClicked) ...
    panel._add_hit(None)  # ... then its activation, with the list already cleared: nothing
    review = store.get(second.sha256)
    assert review is not None and len(review.added_labels) == 1
    assert store.get(first.sha256) is None or not store.get(first.sha256).added_labels
    store.close()


def test_saving_the_view_as_an_image_says_so(win, qtbot, bundled_samples: Path,
                                             tmp_path: Path) -> None:
    """Ctrl+E wrote the image and left the status bar on a previous export's path (QA
    2026-12-06); it now says what it wrote."""
    from ecg_viewer.gui.view_image import save_view

    _open(qtbot, win, bundled_samples / "00009_hr.hea")
    win.statusBar().showMessage(tr("report.written", path="/elsewhere/old.fhir.json"))
    out = tmp_path / "view.png"
    assert save_view(win, str(out))
    assert out.stat().st_size > 1000
    assert win.statusBar().currentMessage() == tr("report.written", path=str(out))
    assert not save_view(win, str(tmp_path / "view.txt"))  # refused, with a notice
    assert not (tmp_path / "view.txt").exists()


@pytest.mark.parametrize(("kind", "written"), [("filter_pdf", "foo.pdf"), ("filter_fhir", "foo.fhir.json")])
def test_export_asks_before_replacing_the_file_it_writes(win, qtbot, bundled_samples, tmp_path,
                                                         monkeypatch, kind, written):
    """QA 66: 「foo」 typed with the PDF (or FHIR) filter replaced an existing foo.pdf
    (foo.fhir.json) without a question: the dialog had asked about "foo", which did not exist."""
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    _open(qtbot, win, bundled_samples / "00017_hr.hea")
    old = tmp_path / written
    old.write_text("PRECIOUS earlier report")
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(tmp_path / "foo"), tr(f"report.ui.{kind}"))))
    asked: list[str] = []

    def answer(reply):
        def question(_parent, _title, text, *_a, **_k):
            asked.append(text)
            return reply
        return staticmethod(question)

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.No))
    exported: list[object] = []
    win.report_jobs.exported.connect(exported.append)
    win.report_menu.export_dialog()
    qtbot.wait(300)
    assert asked and written in asked[0] and "置き換えますか" in asked[0]
    assert old.read_text() == "PRECIOUS earlier report" and not exported
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    with qtbot.waitSignal(win.report_jobs.exported, timeout=60000) as done:
        win.report_menu.export_dialog()
    assert done.args[0][0] == old and old.read_bytes() != b"PRECIOUS earlier report"


def test_another_ecg_opens_at_the_top_of_the_review_dock(qtbot, make_window, bundled_samples
                                                         ) -> None:
    """QA 69: after F the next case opened with the review dock scrolled to where the last case
    was left, its state and reviewer line out of view. Another ECG opens at the top; the same
    ECG analysed again keeps the place."""
    w = make_window((1366, 740), use_stored_language=False)
    bar = w.review_dock.scroll.verticalScrollBar()

    def open_(name: str) -> None:
        with qtbot.waitSignal(w.flow.analysed, timeout=180000):
            w.controller.open_file(str(bundled_samples / name))
        qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=10000)

    open_("E07509.hea")
    bar.setValue(bar.maximum())
    open_("E07505.hea")
    assert bar.value() == 0
    bar.setValue(bar.maximum())
    w.review_dock._record_changed(w.state.record)  # the same ECG again: the place is kept
    assert bar.value() == bar.maximum() > 0


def test_escape_leaves_the_comment_box_for_the_ecg(qtbot, win, bundled_samples) -> None:
    """QA 69: Esc stayed in the comment box (only Tab left it), so the arrow keys typed into the
    comment instead of scrolling the record. Esc now gives the keys back to the ECG page, the
    typed text kept; also from the review dock floating on its own."""
    from PySide6.QtCore import Qt

    _open(qtbot, win, bundled_samples / "00017_hr.hea")
    box = win.review_dock.panel.comment
    for floating in (False, True):
        win.review_dock.dock.setFloating(floating)
        box.window().activateWindow()
        box.setFocus()
        qtbot.waitUntil(box.hasFocus, timeout=3000)
        box.insertPlainText("前回と変化なし")  # QTest types ASCII only
        qtbot.keyClicks(box, " ok")
        qtbot.keyClick(box, Qt.Key.Key_Escape)
        qtbot.waitUntil(win.view.hasFocus, timeout=3000)
        assert box.toPlainText().endswith("前回と変化なし ok")
        box.clear()
    win.review_dock.dock.setFloating(False)


def test_a_closed_drop_down_does_not_store_each_arrow_step(qtbot, win, bundled_samples) -> None:
    """QA 72: ↓ ↓ on the closed level drop-down stored 要精査 and then 要経過観察 (two audit rows),
    past the second press W/E ask for on a flagged case; a wheel turned over a decision changed
    it. A closed drop-down now changes only when opened and an item chosen."""
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    _open(qtbot, win, bundled_samples / "00017_hr.hea")
    panel = win.review_dock.panel
    sha = win.state.record.sha256
    before = len(win.store.audit(sha))
    level = panel.level
    level.setFocus()
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Down, Qt.Key.Key_End, Qt.Key.Key_Up):
        qtbot.keyClick(level, key)
    wheel = QWheelEvent(QPointF(5, 5), QPointF(level.mapToGlobal(QPoint(5, 5))), QPoint(0, 0),
                        QPoint(0, -120), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(level, wheel)
    qtbot.waitUntil(lambda: panel.table.cellWidget(0, 2) is not None, timeout=60000)
    combo = panel.table.cellWidget(0, 2)
    QApplication.sendEvent(combo, wheel)
    assert level.currentIndex() == 0 and combo.currentIndex() == 0
    assert win.store.get(sha).final_level is None and len(win.store.audit(sha)) == before
    # opened and chosen: one change, one audit row
    level.showPopup()
    qtbot.waitUntil(level.view().isVisible, timeout=3000)
    qtbot.keyClick(level.view(), Qt.Key.Key_Down)
    qtbot.keyClick(level.view(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: win.store.get(sha).final_level is not None, timeout=3000)
    assert win.store.get(sha).final_level == level.itemData(1)  # the item chosen, once
    assert [e.field for e in win.store.audit(sha)[before:]].count("final_level") == 1
