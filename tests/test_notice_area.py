"""The window collects failures in one notice area: no message box per failed file, a count and
a details list; the catch-all turns an unexpected exception into a notice plus a logged
traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from ecg_viewer.core.messages import set_language

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


@pytest.fixture
def win(make_window):
    return make_window()


def _bad_files(folder: Path, n: int) -> list[Path]:
    makers = [
        (".hea", "not a header\n\x00\x01"), (".xml", "<AnnotatedECG><broken"),
        (".csv", "a,b\nx,y\n"), (".dcm", "DICM" * 10), (".mwf", "\x00" * 7),
        (".edf", "0       garbage"), (".scp", "\x01\x02\x03"), (".hea", ""),
    ]
    out = []
    for i in range(n):
        ext, text = makers[i % len(makers)]
        p = folder / f"bad_{i:02d}{ext}"
        p.write_text(text, encoding="latin-1")
        out.append(p)
    return out


def _top_level_visible() -> set[int]:
    return {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()}


def test_many_quick_opens_collect_in_one_notice_area(win, qtbot, bundled_samples: Path,
                                                     tmp_path: Path) -> None:
    good = tmp_path / "good"
    good.mkdir()
    for ext in (".hea", ".dat"):
        shutil.copy(bundled_samples / f"00009_hr{ext}", good)
    bad = _bad_files(tmp_path, 48)
    windows_before = _top_level_visible()
    assert not win.notices.isVisible() and win.notices.count == 0

    # the first few one by one: each one adds a notice
    for i, path in enumerate(bad[:4], start=1):
        with qtbot.waitSignal(win.controller.loadFailed, timeout=20000):
            win.controller.open_file(str(path))
        qtbot.waitUntil(lambda: not win.controller.is_loading(), timeout=5000)
        assert win.notices.count == i
    # then the rest as fast as they can be clicked, the good file last
    for path in bad[4:]:
        win.controller.open_file(str(path))
    with qtbot.waitSignal(win.controller.loadFinished, timeout=30000):
        win.controller.open_file(str(good / "00009_hr.hea"))
    qtbot.waitUntil(lambda: not win.controller.is_loading(), timeout=10000)
    qtbot.wait(200)

    assert win.state.record is not None and win.state.path.endswith("00009_hr.hea")
    assert win.notices.isVisible() and win.notices.count >= 4
    assert win.notices.details.count() == win.notices.count
    assert str(win.notices.count) in win.notices.count_label.text()
    assert _top_level_visible() == windows_before  # no new window, no message box
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
    win.notices.details_button.click()
    assert win.notices.details.isVisible()
    win.notices.clear()
    assert win.notices.count == 0 and not win.notices.isVisible()


def test_window_catch_all_makes_a_notice_and_logs_the_traceback(
        win, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        _isolated_review_db: Path) -> None:
    from ecg_viewer.gui.notice_area import window_excepthook

    try:
        {}["missing"]
    except KeyError as exc:
        window_excepthook(type(exc), exc, exc.__traceback__)
    # no class name in the clinician's notice (QA 67); the log names it
    assert win.notices.count == 1 and "KeyError" not in win.notices.messages()[-1]
    assert "予期しないエラー" in win.notices.messages()[-1]
    err = capsys.readouterr()
    assert "Traceback" not in err.err + err.out
    log = (_isolated_review_db / "logs" / "errors.log").read_text(encoding="utf-8")
    assert "Traceback" in log and "KeyError: 'missing'" in log


def test_notice_list_is_bounded(qtbot) -> None:
    from ecg_viewer.gui.notice_area import MAX_NOTICES, NoticeArea

    area = NoticeArea()
    qtbot.addWidget(area)
    for i in range(MAX_NOTICES + 50):
        area.notify(f"notice {i}")
    assert area.count == MAX_NOTICES + 50
    assert len(area.messages()) == area.details.count() == MAX_NOTICES
    assert area.latest.full_text() == f"notice {MAX_NOTICES + 49}"  # shown elided to its width


def test_notices_follow_the_language_and_a_record_bound_one_goes_with_its_ecg(qtbot) -> None:
    """QA 50: after Language → English the notices stayed Japanese; a refused comparison's
    notice stayed above every ECG opened after it."""
    from ecg_viewer.core.messages import tr
    from ecg_viewer.gui.notice_area import NoticeArea

    area = NoticeArea()
    qtbot.addWidget(area)
    area.notify("plain text")
    area.notify(lambda lang: tr("ui.open.kept_previous", lang), record_bound=True)
    try:
        set_language("en")
        area.retranslate()
        assert area.messages()[-1] == tr("ui.open.kept_previous", "en")
        assert area.latest.full_text() == tr("ui.open.kept_previous", "en")
        assert area.details.item(1).text().endswith(tr("ui.open.kept_previous", "en"))
        assert area.details.item(0).text().endswith("plain text")
    finally:
        set_language("ja")
    area.show()
    area.record_changed()
    assert not area.isVisible() and area.count == 2 and len(area.messages()) == 2
    area.notify("not bound")
    area.record_changed()
    assert area.isVisible()


# --- the commands' catch-all ------------------------------------------------------------------
@pytest.mark.parametrize("lang, expected", [("ja", "予期しないエラー"), ("en", "unexpected error")])
def test_command_catch_all_prints_one_line_and_logs(
        lang: str, expected: str, bundled_samples: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        _isolated_review_db: Path) -> None:
    from ecg_viewer.cli import EXIT_UNEXPECTED, main
    from ecg_viewer.commands import render

    def broken(*a, **kw):
        raise ZeroDivisionError("a bug deep inside")

    monkeypatch.setattr(render, "read_ecg", broken)
    try:
        rc = main(["--lang", lang, "render", str(bundled_samples / "00009_hr.hea"),
                   "--out", str(tmp_path / "p.png")])
    finally:
        set_language("ja")
    err = capsys.readouterr()
    assert rc == EXIT_UNEXPECTED
    lines = [line for line in err.err.splitlines() if line.strip()]
    assert len(lines) == 1 and expected in lines[0] and "ZeroDivisionError" in lines[0]
    assert "Traceback" not in err.err + err.out and "a bug deep inside" not in err.err
    log = (_isolated_review_db / "logs" / "errors.log").read_text(encoding="utf-8")
    assert "Traceback" in log and "a bug deep inside" in log and "command render" in log


def test_tampered_review_database_is_announced_in_the_window(qtbot, _isolated_review_db: Path
                                                               ) -> None:
    import sqlite3

    from ecg_viewer.gui.launch import ensure_app
    from ecg_viewer.gui.main_window import MainWindow
    from ecg_viewer.review import ReviewStore

    db = _isolated_review_db / "reviews.sqlite3"
    ReviewStore(db).close()
    conn = sqlite3.connect(db)
    conn.execute("DROP TRIGGER audit_no_delete")
    conn.close()
    ensure_app()
    w = MainWindow()
    qtbot.addWidget(w)
    assert w.notices.count == 1
    assert "読み取り専用" in w.notices.messages()[0] and "トリガー" in w.notices.messages()[0]
    w.store.close()


def test_a_long_notice_never_widens_the_window(win, qtbot, samples: Path) -> None:
    """A reader's message with a long path asked for its whole width: the window grew wider than
    a 1366-px screen. The strip now elides the line in its middle (the whole text: tooltip and
    details list) and the window keeps its minimum width."""
    set_language("en")
    try:
        before = win.minimumSizeHint().width()
        bad = samples / "scp_ecg" / "healforce_62.SCP"  # non-conforming: refused with its reason
        with qtbot.waitSignal(win.controller.loadFailed, timeout=20000):
            win.controller.open_file(str(bad))
        qtbot.waitUntil(lambda: win.notices.isVisible(), timeout=5000)
        long_text = "The file is damaged: " + "/very/long/folder" * 40 + "/record.SCP (reason)"
        win.notices.notify(long_text)
        assert win.minimumSizeHint().width() <= max(before, 1366)
        win.resize(1000, 700)
        qtbot.waitUntil(lambda: win.notices.latest.width() < 1000, timeout=5000)
        shown = win.notices.latest.text()
        assert "…" in shown and shown.startswith("The file is damaged") and shown.endswith("(reason)")
        assert win.notices.latest.toolTip() == long_text
        assert win.notices.latest.full_text() == long_text
    finally:
        set_language("ja")


def test_long_header_fields_elide_instead_of_squeezing_the_window(win, samples: Path) -> None:
    """A long file name or device string asked for its whole width in the header and squeezed
    the review dock off its columns; the header's minimum width no longer grows with them (they
    are elided, the whole text on hover and in ``HeaderWidget.text()``)."""
    from ecg_viewer.gui.elided_label import ElidedLabel
    from ecg_viewer.gui.header import HeaderWidget
    from ecg_viewer.io import read_ecg

    header = win.findChild(HeaderWidget)
    rec = read_ecg(samples / "ge_muse" / "guangxi_teaching_sinus_rhythm.xml")
    widths = []
    for n in (4, 40):
        header.set_record(rec, "/tmp/" + "a_long_file_name_" * n + ".xml")
        widths.append(header.minimumSizeHint().width())
        assert "a_long_file_name_" * n in header.text()  # the whole name, whatever is shown
    assert isinstance(header.values["file"], ElidedLabel) and widths[0] == widths[1]


def _window_with_status_field(qtbot, field, width: int):
    """A shown window ``width`` px wide whose eliding status bar holds ``field`` (permanent)."""
    from PySide6.QtWidgets import QMainWindow

    from ecg_viewer.gui.notice_area import ElidingStatusBar

    win = QMainWindow()
    qtbot.addWidget(win)
    bar = ElidingStatusBar(win)
    win.setStatusBar(bar)
    bar.addPermanentWidget(field)
    win.resize(width, 300)
    win.show()
    qtbot.waitExposed(win)
    return win, bar


def test_a_long_status_message_is_cut_before_the_fields(qtbot) -> None:
    """QA 50: a long read error ran under the permanent fields: 「…/wl/healforc9/10 件目」."""
    from PySide6.QtWidgets import QLabel, QStatusBar

    field = QLabel("9/10 件目　確認済 1/10　倍率 48%")
    win, bar = _window_with_status_field(qtbot, field, 600)
    text = "ファイルが壊れているか、SCP-ECG (.scp) 形式として読めません: " + "/tmp/wl/" * 20 + "x.SCP"
    bar.showMessage(text, 5000)
    shown = QStatusBar.currentMessage(bar)
    assert shown.endswith("…") and shown.startswith("ファイルが壊れているか")
    assert bar.fontMetrics().horizontalAdvance(shown) <= bar.width() - field.width()
    assert bar.currentMessage() == text and bar.toolTip() == text  # the whole of it
    win.resize(1400, 300)  # wider: cut again to the room there is (QA 53)
    qtbot.waitUntil(lambda: len(QStatusBar.currentMessage(bar)) > len(shown), timeout=3000)
    assert bar.currentMessage() == text
    bar.showMessage("短い", 5000)
    assert QStatusBar.currentMessage(bar) == "短い" and bar.toolTip() == ""
    bar.clearMessage()
    assert bar.currentMessage() == ""


def test_a_status_message_is_cut_again_when_a_field_grows(qtbot) -> None:
    """QA 69: 「129DYPRG.xml を開きました（Philips Sierra XML、500 Hz、10.0 秒）」 was cut to the
    room there was when it came, then the case counter beside it grew (「1/15 件目 確認済
    0/15 …」, set as the case opened) and ran over it: 「…10.0 ｷ1/15 件目」."""
    from PySide6.QtWidgets import QLabel, QStatusBar

    counter = QLabel()
    counter.setVisible(False)
    _win, bar = _window_with_status_field(qtbot, counter, 700)
    text = "129DYPRG.xml を開きました（Philips Sierra XML、500 Hz、10.0 秒）"
    bar.showMessage(text, 8000)
    assert QStatusBar.currentMessage(bar) == text  # it fits while the counter is hidden
    counter.setText("1/15 件目　確認済 0/15　要精査 3　要至急 1　倍率 48%")
    counter.setVisible(True)

    def clear_of_the_counter() -> bool:
        shown = QStatusBar.currentMessage(bar)
        return shown.endswith("…") and \
            bar.fontMetrics().horizontalAdvance(shown) <= counter.x() - 4

    qtbot.waitUntil(clear_of_the_counter, timeout=3000)
    assert bar.currentMessage() == text and bar.toolTip() == text
    counter.setVisible(False)  # the room back: the whole message again
    qtbot.waitUntil(lambda: QStatusBar.currentMessage(bar) == text, timeout=3000)
