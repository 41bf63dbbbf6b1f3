"""The real window on a real X server (Xvfb, QT_QPA_PLATFORM=xcb): launched as `ecg-viewer FILE`
would launch it, then a screenshot of the screen is saved. Set ECG_VIEWER_SCREENSHOT_DIR to keep it.
Skipped with a reason when Xvfb is not installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.xvfb_server import xvfb_display

SCRIPT = textwrap.dedent("""
    # `ecg-viewer --lang LANG FILE` through the real command-line entry point, then a screenshot
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from ecg_viewer.cli import main
    from ecg_viewer.gui.launch import ensure_app
    from ecg_viewer.gui.main_window import MainWindow
    from ecg_viewer.signal.calipers import Caliper
    from ecg_viewer.signal.filters import FilterSettings

    out, sample, lang = sys.argv[1], sys.argv[2], sys.argv[3]
    app = ensure_app()  # run_gui reuses it
    state = {"ticks": 0, "prepared": False}

    def poll():
        state["ticks"] += 1
        wins = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        if state["ticks"] > 600:
            print("timed out")
            app.exit(4)
            return
        if not wins or wins[0].state.record is None:
            QTimer.singleShot(100, poll)
            return
        win = wins[0]
        if not state["prepared"]:
            state["prepared"] = True
            win.resize(1600, 1000)
            win.move(0, 0)
            win.controller.set_filters(FilterSettings.diagnostic())
            win.controller.add_caliper(Caliper("time", "II", 1.0, 1.8))
            win.controller.add_caliper(Caliper("amplitude", "V2", 5.5, 5.5, 0.0, 1.0))
            QTimer.singleShot(1000, poll)
            return
        img = win.screen().grabWindow(0)
        ok = img.save(out, "PNG")
        print("platform", app.platformName(), "saved", ok, img.width(), img.height())
        print("title", win.windowTitle())
        win.close()

    QTimer.singleShot(100, poll)
    sys.exit(main(["--lang", lang, sample]))
""")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_real_window_under_xvfb_screenshot(tmp_path, bundled_samples, lang):
    with xvfb_display(1600, 1000) as display:
        env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb",
                   XDG_CONFIG_HOME=str(tmp_path / "config"))
        shot = tmp_path / f"window_xvfb_{lang}.png"
        script = tmp_path / "shoot.py"
        script.write_text(SCRIPT, encoding="utf-8")
        proc = subprocess.run([sys.executable, str(script), str(shot), str(bundled_samples / "00017_hr.hea"), lang],
                              env=env, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "platform xcb saved True 1600 1000" in proc.stdout, proc.stdout + proc.stderr
        title = "心電図ビューア" if lang == "ja" else "ECG Viewer"
        assert f"title 00017_hr.hea — {title}" in proc.stdout
        from PySide6.QtGui import QImage

        img = QImage(str(shot))
        assert img.width() == 1600 and img.height() == 1000
        # not a blank screen: many distinct colours (paper, grid, traces, widgets, text)
        colours = {img.pixel(x, y) for x in range(0, 1600, 7) for y in range(0, 1000, 7)}
        assert len(colours) > 50
        keep = os.environ.get("ECG_VIEWER_SCREENSHOT_DIR")
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            shutil.copy(shot, Path(keep) / shot.name)
