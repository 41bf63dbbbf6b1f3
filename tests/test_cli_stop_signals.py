"""SIGTERM and SIGHUP (``timeout``, a closed terminal, a logout) stop ``report`` and ``render``
as Ctrl-C does: the half-written export's hidden temp file is removed, the target is untouched,
and the exit status is 128 + the signal (QA 51: ``.r.pdf.xxxxxxxx.tmp`` had stayed for good).

The signal comes from the export itself, half-way through its bytes (the writer's own seam,
``atomic.write_all``), so the test does not depend on timing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

_HALF_THEN_SIGNAL = """
import os, sys
import ecg_viewer.report.atomic as atomic
_write_all = atomic.write_all
def half_then_signal(fd, data):
    half = len(data) // 2
    _write_all(fd, memoryview(data)[:half])
    os.kill(os.getpid(), int(sys.argv[1]))
    _write_all(fd, memoryview(data)[half:])
atomic.write_all = half_then_signal
from ecg_viewer.cli import main
sys.exit(main(sys.argv[2:]))
"""

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")


@pytest.mark.parametrize("command", ["report", "render"])
@pytest.mark.parametrize("signum", [signal.SIGTERM, getattr(signal, "SIGHUP", 1)],
                         ids=["SIGTERM", "SIGHUP"])
def test_a_stopped_export_leaves_no_temp_file(bundled_samples: Path, tmp_path: Path,
                                              command: str, signum: int) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / ("r.pdf" if command == "report" else "r.png")
    target.write_bytes(b"the previous export")
    argv = [command, str(bundled_samples / "00009_hr.hea"), "--out", str(target)]
    if command == "report":
        argv += ["--json", str(out / "r.json"), "--no-model", "--no-review", "--prior", "none"]
    env = {**os.environ, "PYTHONPATH": str(REPO), "ECG_VIEWER_DATA_DIR": str(tmp_path / "db")}
    run = subprocess.run([sys.executable, "-c", _HALF_THEN_SIGNAL, str(int(signum)), *argv],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 128 + signum, (run.returncode, run.stderr)
    assert sorted(p.name for p in out.iterdir()) == [target.name], run.stderr
    assert target.read_bytes() == b"the previous export"
    assert "Traceback" not in run.stderr
