"""A CSV that states no sampling rate, opened in the window (QA 43): the reader is asked for the
rate and the ECG opens at it; cancelled, the error stays in the notices as before."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ecg_viewer.core.leads import CANONICAL_LEADS


def _csv(path: Path) -> Path:
    from ecg_viewer.signal.synthetic import synthetic

    rec = synthetic(fs=250.0, hr=72.0)
    cols = [rec.lead(n) for n in CANONICAL_LEADS]
    np.savetxt(path, np.stack(cols, axis=1), delimiter=",", header=",".join(CANONICAL_LEADS),
               comments="", fmt="%.4f")
    return path


def test_the_window_asks_for_the_rate(make_window, qtbot, tmp_path, monkeypatch) -> None:
    from ecg_viewer.gui import open_errors
    from ecg_viewer.pipeline.analyze import Analyzer

    win = make_window((1200, 800), use_stored_language=False,
                      analyzer_factory=lambda: Analyzer(load_model=False))
    f = _csv(tmp_path / "no_rate.csv")
    asked: list[str] = []
    monkeypatch.setattr(open_errors, "ask_rate", lambda _w, p: asked.append(p) or 250.0)
    with qtbot.waitSignal(win.controller.loadFinished, timeout=30000):
        win.controller.open_file(str(f))
    assert asked == [str(f)] and win.state.record.fs_hz == 250.0
    assert abs(win.state.record.duration_s - 10.0) < 0.01
    monkeypatch.setattr(open_errors, "ask_rate", lambda _w, _p: None)  # cancelled
    g = _csv(tmp_path / "again.csv")
    with qtbot.waitSignal(win.controller.loadFailed, timeout=30000):
        win.controller.open_file(str(g))
    qtbot.waitUntil(lambda: win.notices.count >= 1, timeout=5000)
    assert "サンプリング周波数" in win.notices.messages()[-1]
    assert win.state.record.source_path.endswith("no_rate.csv")  # the ECG on screen stays


def test_a_dropped_folder_opens_as_the_worklist_and_extra_files_are_said(
        make_window, qtbot, tmp_path, bundled_samples) -> None:
    """QA 43: a dropped folder was refused (the command line opens it as the worklist), several
    dropped files opened the first without a word, the caliper hint outlived the caliper and a
    deleted file stayed in the recent files."""
    import shutil

    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    from ecg_viewer.pipeline.analyze import Analyzer

    win = make_window((1200, 800), use_stored_language=False,
                      analyzer_factory=lambda: Analyzer(load_model=False))
    folder = tmp_path / "ward"
    folder.mkdir()
    for f in bundled_samples.glob("E0750[59].*"):
        shutil.copy2(f, folder / f.name)

    def drop(*paths: Path) -> None:
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
        win.dropEvent(QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                                 Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))

    drop(folder)
    assert win.reading_desk.has_worklist() and len(win.reading_desk.worklist.files) == 2
    with qtbot.waitSignal(win.controller.loadFinished, timeout=30000):
        drop(folder / "E07505.hea", folder / "E07509.hea")
    assert win.state.record.source_path.endswith("E07505.hea")
    assert any("ほか 1 件は開いていません" in m for m in win.notices.messages())
    win.set_language("en")  # QA 53: this notice stayed Japanese
    try:
        assert any("Only the first file was opened" in m for m in win.notices.messages())
    finally:
        win.set_language("ja")
    win.set_caliper_mode("time")
    assert win.statusBar().currentMessage()
    win.escape()
    assert win.statusBar().currentMessage() == ""
    (tmp_path / "old").mkdir()
    gone = tmp_path / "old" / "E07509.hea"
    for f in folder.glob("E07509.*"):
        shutil.copy2(f, tmp_path / "old" / f.name)
    with qtbot.waitSignal(win.controller.loadFinished, timeout=30000):
        win.controller.open_file(str(gone))
    assert str(gone.resolve()) in win.app_settings.recent_files()
    gone.unlink()
    with qtbot.waitSignal(win.controller.loadFailed, timeout=30000):
        win.controller.open_file(str(gone))
    qtbot.waitUntil(lambda: str(gone.resolve()) not in win.app_settings.recent_files(), timeout=5000)


def test_an_unsupported_file_is_named_with_its_first_bytes_in_hex(tmp_path) -> None:
    """QA 43: the first bytes as Python wrote them were taken by the notice strip for a path."""
    import pytest

    from ecg_viewer.core.errors import UnsupportedFormatError, user_message
    from ecg_viewer.gui.notice_area import short_paths
    from ecg_viewer.io import read_ecg

    f = tmp_path / "blank.png"
    f.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(32))
    with pytest.raises(UnsupportedFormatError) as info:
        read_ecg(f)
    for lang in ("ja", "en"):
        text = user_message(info.value, lang)
        assert "89 50 4e 47 0d 0a 1a 0a" in text and "b'" not in text
        assert "89 50 4e 47 0d 0a 1a 0a" in short_paths(text)
