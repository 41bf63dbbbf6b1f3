"""A private X server (Xvfb) for the tests that open the real window with QT_QPA_PLATFORM=xcb.

``with xvfb_display(1600, 1000) as display:`` yields ``":N"`` on a free display number (so
parallel runs do not collide) and stops the server afterwards; skips with a reason when Xvfb is
not installed or does not start.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

#: for the window scripts: ``pump(seconds)`` runs the event loop of the script's ``app``
#: (``QTest.qWait`` holds the GIL and starves the app's worker threads)
PUMP = """
def pump(seconds):
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        app.processEvents()
        time.sleep(0.02)
"""


#: the head of every window script: the app, its main window (not shown yet; the stored language
#: left alone) and ``pump``; the script's own lines follow (:func:`write_window_script`)
WINDOW_HEAD = """
import json, sys, time
from ecg_viewer.gui.launch import ensure_app
from ecg_viewer.gui.main_window import MainWindow

app = ensure_app()
win = MainWindow(use_stored_language=False)
""" + PUMP


def write_window_script(path: Path, body: str) -> Path:
    """``path`` holding :data:`WINDOW_HEAD` and then ``body`` (dedented): a script to run with
    :func:`window_state`."""
    path.write_text(WINDOW_HEAD + textwrap.dedent(body), encoding="utf-8")
    return path


def free_display() -> int:
    # spread by process id so that parallel test runs do not race for one number; a lock file
    # marks a display in use
    for n in range(91 + (os.getpid() % 50) * 4, 400):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            return n
    pytest.skip("no free X display number")


@contextmanager
def xvfb_display(width: int, height: int, dpi: int | None = None) -> Iterator[str]:
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb; scripts/setup.sh does it)")
    n = free_display()
    args = [xvfb, f":{n}", "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"]
    if dpi is not None:
        args[5:5] = ["-dpi", str(dpi)]
    server = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if Path(f"/tmp/.X11-unix/X{n}").exists():
                break
            time.sleep(0.05)
        else:
            pytest.skip("Xvfb did not start")
        yield f":{n}"
    finally:
        server.terminate()
        server.wait(10)


def window_env(display: str, profile: Path, scale: str = "1") -> dict[str, str]:
    """The environment of a real window on ``display``: the xcb platform at ``scale``, and a
    profile (settings, review database) of its own under ``profile``."""
    env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb", QT_SCALE_FACTOR=scale,
               XDG_CONFIG_HOME=str(profile / "config"), XDG_DATA_HOME=str(profile / "data"),
               ECG_VIEWER_DATA_DIR=str(profile / "data"))
    env.pop("QT_AUTO_SCREEN_SCALE_FACTOR", None)
    return env


def window_state(env: dict[str, str], script: Path, *args: object) -> dict:
    """Run a window ``script`` (with ``args``) in ``env`` and return the JSON it printed on its
    ``STATE `` line; the process must exit cleanly."""
    proc = subprocess.run([sys.executable, str(script), *map(str, args)], env=env,
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(next(line[6:] for line in proc.stdout.splitlines() if line.startswith("STATE ")))
