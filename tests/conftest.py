"""Shared test setup: offscreen Qt, paths to ../shared/data (skipped with a reason when absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("ECG_SHARED_DATA", REPO.parent / "shared" / "data"))
SAMPLES = SHARED_DATA / "samples"
BUNDLED_SAMPLES = REPO / "resources" / "samples"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"../shared/data is not beside this checkout ({SHARED_DATA}); "
                    "set ECG_SHARED_DATA to run tests on the development data")
    return SHARED_DATA


@pytest.fixture(scope="session")
def samples(shared_data: Path) -> Path:
    return shared_data / "samples"


@pytest.fixture(scope="session")
def bundled_samples() -> Path:
    return BUNDLED_SAMPLES


@pytest.fixture(autouse=True)
def _isolated_qsettings(tmp_path_factory: pytest.TempPathFactory):
    """QSettings go to a temporary folder, never the user's (viewer settings, recent files)."""
    try:
        from PySide6.QtCore import QSettings
    except ImportError:  # Qt not installed: nothing to isolate
        yield None
        return
    folder = tmp_path_factory.mktemp("qsettings")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
        QSettings.setPath(fmt, QSettings.Scope.SystemScope, str(folder / "system"))
    yield folder


@pytest.fixture(autouse=True)
def _no_qthread_left_running():
    """Fail a test that leaves a thread of the app running: every background task of the app
    runs on a lane of ``ecg_viewer.app.worker`` (its registry is checked), and no Python thread
    named ``ecg-viewer-*`` may outlive a test either.

    Main windows still open are closed first, as a user would (pytest-qt closes them only after
    the fixtures end); a window stops its lanes when it closes."""
    yield
    import sys
    import threading

    if "PySide6.QtWidgets" in sys.modules:
        from PySide6.QtWidgets import QApplication, QMainWindow

        app = QApplication.instance()
        for w in app.topLevelWidgets() if app is not None else []:
            if isinstance(w, QMainWindow) and w.isVisible():
                w.close()
    worker = sys.modules.get("ecg_viewer.app.worker")
    if worker is not None:
        left = [f"{worker.THREAD_PREFIX}{lane.name}" for lane in worker.running_lanes()]
        if left:
            for lane in worker.running_lanes():
                lane.shutdown(10000)
            pytest.fail(f"test left worker thread(s) running: {left}; wait for their results "
                        "(qtbot.waitSignal) or shut their owner down")
    named = [t.name for t in threading.enumerate() if t.name.startswith("ecg-viewer-")]
    if named:
        pytest.fail(f"test left thread(s) running: {named}")


@pytest.fixture(autouse=True)
def _language_restored():
    """The message language after each test is what it was before: a test that runs a command
    with ``--lang en`` (which sets the process's language) leaves no English to the next one."""
    from ecg_viewer.core.messages import language, set_language

    before = language()
    yield
    set_language(before)


@pytest.fixture(autouse=True)
def _isolated_review_db(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """The review database goes to a temporary folder, never the user's data folder."""
    folder = tmp_path_factory.mktemp("userdata")
    monkeypatch.setenv("ECG_VIEWER_DATA_DIR", str(folder))
    yield folder


@pytest.fixture
def make_window(qtbot):
    """Build, show and register the real main window: ``make_window(size=(w, h), **kwargs)``
    (kwargs go to ``MainWindow``); the language goes back to Japanese after the test."""
    from ecg_viewer.core.messages import set_language
    from ecg_viewer.gui.launch import ensure_app
    from ecg_viewer.gui.main_window import MainWindow

    def make(size: tuple[int, int] | None = None, **kwargs):
        ensure_app()
        w = MainWindow(**kwargs)
        if size is not None:
            w.resize(*size)
        qtbot.addWidget(w)
        w.show()
        qtbot.waitExposed(w)
        return w

    yield make
    set_language("ja")
