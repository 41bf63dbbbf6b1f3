"""QA 51: a file whose name is Shift_JIS bytes (田中.mwf from a ZIP made on Japanese Windows; on
Linux the name holds lone surrogates) is named 田中 in every message a person reads — a reader's
error, ``info``'s text, the window's status bar, notices, header, title and recent files — not
``\\udc93c\\udc92\\udc86`` or 「c.mwf」 (Qt drops the surrogates). The file is still opened by its
name on disk. Real files, the real readers, command and window."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from ecg_viewer.core.errors import EcgReadError, user_message
from ecg_viewer.io import read_ecg

pytestmark = [pytest.mark.filterwarnings("ignore::RuntimeWarning"),
              pytest.mark.skipif(sys.platform == "win32", reason="file names are text on Windows")]

SJIS = "田中".encode("cp932")  # 93 63 92 86


def _named(folder: Path, raw: bytes) -> str:
    """The path of ``folder``/``raw`` as Python gives it (lone surrogates for the Shift_JIS)."""
    return os.fsdecode(os.path.join(os.fsencode(folder), raw))


@pytest.fixture
def files(samples: Path, tmp_path: Path) -> tuple[str, str]:
    """(good, broken): copies of an MFER file named 田中.mwf and 田中_broken.mwf in Shift_JIS."""
    source = samples / "mfer" / "mferorg_ECG02.mwf"
    good, broken = _named(tmp_path, SJIS + b".mwf"), _named(tmp_path, SJIS + b"_broken.mwf")
    shutil.copy(source, good)
    with open(source, "rb") as f, open(broken, "wb") as out:
        out.write(f.read(1000))  # cut short
    assert "\udc93" in good
    return good, broken


def _readable(text: str) -> bool:
    return not any("\udc80" <= c <= "\udcff" for c in text) and "\\x93" not in text


def test_a_reader_error_names_the_file_readably(files: tuple[str, str], tmp_path: Path) -> None:
    with pytest.raises(EcgReadError) as caught:
        read_ecg(files[1])
    for lang in ("ja", "en"):
        text = caught.value.message(lang)
        assert f"{tmp_path}/田中_broken.mwf" in text and _readable(text), text
        assert user_message(caught.value, lang) == text
    missing = _named(tmp_path, SJIS + b"_gone.mwf")  # an OS error names it so too
    with pytest.raises(OSError) as caught_os:
        open(missing, "rb")
    assert "田中_gone.mwf" in user_message(caught_os.value, "ja")


def test_an_error_detail_names_the_folder_readably(tmp_path: Path) -> None:
    """A technical detail that holds a path (weights in a folder named in Shift_JIS)."""
    from ecg_viewer.model.errors import WeightsError
    from ecg_viewer.model.weights import MANIFEST, read_manifest

    folder = Path(_named(tmp_path, SJIS))
    folder.mkdir()
    (folder / MANIFEST).write_text("{not json", encoding="utf-8")
    with pytest.raises(WeightsError) as caught:
        read_manifest(folder)
    for lang in ("ja", "en"):
        text = caught.value.message(lang)
        assert f"{tmp_path}/田中/{MANIFEST}" in text and _readable(text), text


def test_info_names_the_file_readably(files: tuple[str, str], tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    from ecg_viewer.cli import main

    assert main(["info", files[0]]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("ファイル:") and first.endswith(f"{tmp_path}/田中.mwf"), first
    assert main(["info", files[1]]) == 1
    err = capsys.readouterr().err
    assert "田中_broken.mwf" in err and _readable(err), err


def test_analyze_text_and_the_log_name_the_file_readably(files: tuple[str, str], tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """QA 53: `analyze` printed 「== …/\udc93c\udc92\udc86.mwf」 while info, the JSON and the window
    said 田中.mwf; a log line naming such a file was dropped (「詳細はログ」 led to an empty log)."""
    import logging

    from ecg_viewer.cli import main
    from ecg_viewer.core.crash_log import _LogFileHandler

    assert main(["analyze", "--no-model", "--prior", "none", files[0]]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == f"== {tmp_path}/田中.mwf", first
    handler = _LogFileHandler(tmp_path / "x.log")
    log = logging.getLogger("ecg_viewer.test_sjis_log")
    log.addHandler(handler)
    try:
        log.warning("cannot read %s", files[1])
    finally:
        log.removeHandler(handler)
        handler.close()
    assert "cannot read" in (tmp_path / "x.log").read_text(encoding="utf-8")


def test_the_window_names_the_file_readably(make_window, qtbot, files: tuple[str, str]) -> None:
    good, broken = files
    win = make_window((1500, 950))
    said: list[str] = []
    win.controller.loadStarted.connect(said.append)
    win.controller.loadFinished.connect(said.append)
    with qtbot.waitSignal(win.controller.loadFinished, timeout=30000):
        win.controller.open_file(good)
    qtbot.waitUntil(lambda: not win.controller.is_loading(), timeout=5000)
    assert said == [good, good]  # opened by its name on disk, and said so (a str signal: c.mwf)
    assert win.state.path == good
    assert win.statusBar().currentMessage().startswith("田中.mwf を開きました")
    assert win.header.values["file"].full_text() == "田中.mwf"
    assert win.header.values["file"].toolTip().endswith("/田中.mwf")
    assert win.windowTitle().startswith("田中.mwf — ")
    recent = [a.text() for a in win.recent_menu.actions() if a.text()]
    assert recent[0].endswith("/田中.mwf"), recent
    win.recent_menu.actions()[0].trigger()  # the recent file opens the file on disk
    qtbot.waitUntil(lambda: not win.controller.is_loading(), timeout=30000)
    assert win.notices.count == 0 and win.state.path is not None
    assert os.fsencode(win.state.path).endswith(SJIS + b".mwf")
    assert win.recent_menu.actions()[0].text().endswith("/田中.mwf")

    with qtbot.waitSignal(win.controller.loadFailed, timeout=20000):
        win.controller.open_file(broken)
    qtbot.waitUntil(lambda: not win.controller.is_loading(), timeout=5000)
    assert "/田中_broken.mwf" in win.last_error and _readable(win.last_error)
    assert win.notices.count == 1 and "/田中_broken.mwf" in win.notices.messages()[-1]
    assert "田中_broken.mwf" in win.statusBar().currentMessage()

    os.remove(good)  # gone since: its recent entry goes when it fails to open (by its name)
    opening = [a for a in win.recent_menu.actions() if a.text().endswith("/田中.mwf")]
    with qtbot.waitSignal(win.controller.loadFailed, timeout=20000) as failed:
        opening[0].trigger()
    assert os.fsencode(failed.args[0]).endswith(SJIS + b".mwf")
    assert not [f for f in win.app_settings.recent_files() if f.endswith(".mwf")]
    assert not [a for a in win.recent_menu.actions() if a.text().endswith("田中.mwf")]


def test_the_worklist_names_and_opens_the_file(qtbot, files: tuple[str, str],
                                               tmp_path: Path) -> None:
    from ecg_viewer.app.worklist_service import WorklistService
    from ecg_viewer.gui.worklist_panel import WorklistPanel
    from ecg_viewer.review import ReviewStore
    from tests.report_fixtures import fixture_analyze

    os.remove(files[1])
    with ReviewStore(tmp_path / "db.sqlite3") as store:
        service = WorklistService(factory=lambda: (fixture_analyze, None))
        panel = WorklistPanel(store, service)
        qtbot.addWidget(panel)
        try:
            with qtbot.waitSignal(service.finished, timeout=60000):
                assert panel.open_folder(tmp_path) == 1
            item = panel.table.item(0, 1)
            assert item.text() == "田中.mwf" and item.toolTip().endswith("/田中.mwf")
            with qtbot.waitSignal(panel.openRequested) as sig:
                panel.table.cellDoubleClicked.emit(0, 1)
            assert sig.args == [files[0]]  # the name on disk
        finally:
            panel.shutdown()
