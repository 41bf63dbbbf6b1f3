"""The bundled window under Xvfb (``QT_QPA_PLATFORM=xcb``): time from launch to the window showing
the sample (its title names the file), then a screenshot of the X screen taken from outside the
app, and the same timing for the source install. Skipped (reported, not passed) without Xvfb."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

GRAB = """
import json, sys
from PySide6.QtGui import QGuiApplication
app = QGuiApplication(sys.argv[:1])
img = app.primaryScreen().grabWindow(0).toImage()
ok = img.save(sys.argv[1], "PNG")
cols = {img.pixel(x, y) for x in range(0, img.width(), 7) for y in range(0, img.height(), 7)}
print(json.dumps({"saved": ok, "width": img.width(), "height": img.height(), "colours": len(cols)}))
"""
SCREEN = (1600, 1000)
# stderr lines that mean the bundle is broken (a logged model-loading failure is not: the
# window says so itself, and the model check reports it)
BAD_STDERR = ("could not load the bundled font", "Could not load the Qt platform plugin",
              "Fatal Python error", "Segmentation fault", "ModuleNotFoundError", "ImportError")


def _free_display() -> int | None:
    for n in range(91, 160):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            return n
    return None


def window_titles(env: dict[str, str]) -> list[str]:
    out = subprocess.run(["xwininfo", "-root", "-tree"], capture_output=True, text=True, env=env,
                         errors="replace").stdout
    return [line.split('"')[1] for line in out.splitlines() if line.count('"') >= 2]


def time_to_window(cmd: list[str], env: dict[str, str], needle: str, timeout_s: float = 180
                   ) -> tuple[float | None, subprocess.Popen]:
    """Launch ``cmd``; seconds until a window whose title contains ``needle`` exists."""
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while time.monotonic() - t0 < timeout_s:
        if any(needle in t for t in window_titles(env)):
            return time.monotonic() - t0, proc
        if proc.poll() is not None:
            return None, proc
        time.sleep(0.05)
    return None, proc


def _stop(proc: subprocess.Popen) -> str:
    if proc.poll() is None:
        proc.terminate()
    try:
        _, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return err or ""


def check_window(rep: Any, exe: Path, source: list[str], sample: str, screenshot: Path,
                 tmp: Path, settle_s: float = 8.0) -> None:
    xvfb = shutil.which("Xvfb")
    if xvfb is None or shutil.which("xwininfo") is None or sys.platform != "linux":
        rep.add("SKIP", "window under Xvfb", "needs Linux with Xvfb and xwininfo (scripts/setup.sh)")
        return
    n = _free_display()
    if n is None:
        rep.add("SKIP", "window under Xvfb", "no free X display number")
        return
    server = subprocess.Popen([xvfb, f":{n}", "-screen", "0", f"{SCREEN[0]}x{SCREEN[1]}x24",
                               "-nolisten", "tcp"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            if Path(f"/tmp/.X11-unix/X{n}").exists():
                break
            time.sleep(0.05)
        env = {**os.environ, "DISPLAY": f":{n}", "QT_QPA_PLATFORM": "xcb",
               "XDG_CONFIG_HOME": str(tmp / "gui-config"), "ECG_VIEWER_DATA_DIR": str(tmp / "gui-data")}
        needle = Path(sample).name
        took, proc = time_to_window([str(exe), sample], env, needle)
        if not rep.ok(took is not None, "bundled window opens under Xvfb (xcb)",
                      f"window showing {needle} after {took:.1f} s" if took is not None
                      else _stop(proc)[-1500:]):
            return
        rep.figures["time_to_window_s"] = round(took, 1)
        time.sleep(settle_s)  # let the suggestions panel fill (model loading on its thread)
        alive = proc.poll() is None
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        grab = subprocess.run([sys.executable, "-c", GRAB, str(screenshot)], capture_output=True,
                              text=True, env=env, timeout=60)
        titles = [t for t in window_titles(env) if needle in t]
        err = _stop(proc)
        info = json.loads(grab.stdout.strip().splitlines()[-1]) if grab.returncode == 0 else {}
        bad = [m for m in BAD_STDERR if m in err]
        logged = sorted({ln for ln in err.splitlines() if ln.startswith(("WARNING", "ERROR"))})
        rep.ok(alive and not bad, "bundled window stays up", f"title {titles[:1]}"
               + (f"; problems: {bad}" if bad else "") + (f"; app log: {logged[:4]}" if logged else ""))
        rep.ok(bool(info.get("saved")) and info.get("colours", 0) > 50, "screenshot of the bundled window",
               f"{screenshot} ({info.get('width')}x{info.get('height')}, {info.get('colours')} colours sampled)"
               if info else grab.stderr[-600:])
        src_took, src_proc = time_to_window([*source, sample], env, needle)
        _stop(src_proc)
        rep.figures["time_to_window_source_s"] = round(src_took, 1) if src_took else None
        rep.add("INFO", "time to window", f"bundle {took:.1f} s, source install "
                + (f"{src_took:.1f} s" if src_took else "did not open"))
    finally:
        server.terminate()
        server.wait(10)
