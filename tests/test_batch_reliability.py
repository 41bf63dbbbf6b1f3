"""`batch` never lies about its output: whole rows only (full disk, real and injected), one run
per output, model failures stop the run without recording anything, passing failures are tried
again, workers use one thread each and die with their parent."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ecg_viewer.cli import main
from ecg_viewer.pipeline import batch as batch_mod
from ecg_viewer.pipeline.batch import BatchOutput, BatchOutputError, run_batch
from tests.batch_folder import make_batch_folder
from tests.report_fixtures import make_fixture_analyze

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def folder(bundled_samples: Path, tmp_path: Path) -> Path:
    return make_batch_folder(bundled_samples, tmp_path)


def _rows(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    assert text == "" or text.endswith("\n"), "a half-written row was left"
    return [json.loads(line) for line in text.splitlines()]


def test_real_full_device_fails_clearly(folder: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    out = tmp_path / "out.jsonl"
    out.symlink_to("/dev/full")  # every write: ENOSPC, as on a full file system
    rc = main(["batch", str(folder), "--out", str(out), "--no-model", "--no-progress"])
    err = capsys.readouterr().err
    assert rc == 1
    assert "空き容量" in err and "書きかけの行は残していません" in err and "Traceback" not in err


def test_full_disk_mid_row_leaves_whole_rows_then_resumes(folder: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    sizer = tmp_path / "sizer.jsonl"
    run_batch(folder, sizer, make_fixture_analyze)
    first_row = len(sizer.read_bytes().splitlines(keepends=True)[0])
    out = tmp_path / "out.jsonl"
    real_write = os.write
    budget = {"bytes": first_row + 300}  # room for the first row and part of the second

    def write(fd: int, data) -> int:
        try:
            name = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            name = ""
        if name == str(out):
            if budget["bytes"] <= 0:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            chunk = bytes(data)[: budget["bytes"]]
            budget["bytes"] -= len(chunk)
            return real_write(fd, chunk)
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)
    with pytest.raises(BatchOutputError) as info:
        run_batch(folder, out, make_fixture_analyze)
    monkeypatch.undo()
    assert info.value.key == "batch.disk_full" and info.value.rows == 1
    assert len(_rows(out)) == 1  # the failed row was cut away
    run_batch(folder, out, make_fixture_analyze)  # room again: the rest, once each
    files = [r["file"] for r in _rows(out)]
    assert len(files) == len(set(files)) == 3


def test_second_run_into_the_same_output_is_refused(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    holder = BatchOutput(out)  # another run holds the file
    try:
        with pytest.raises(BatchOutputError) as info:
            run_batch(folder, out, make_fixture_analyze)
        assert info.value.key == "batch.in_use"
    finally:
        holder.close()
    assert _rows(out) == []


@pytest.mark.parametrize("suffix", ["jsonl", "csv"])
def test_a_read_only_results_file_is_left_alone(folder: Path, tmp_path: Path, suffix: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """QA 49 F3: run as root, a 0444 results file was appended to (and, after a source
    changed, replaced by rename) while report and render refuse theirs."""
    out = tmp_path / f"signed.{suffix}"
    out.write_bytes(b"")
    out.chmod(0o444)
    try:
        before = (out.read_bytes(), out.stat().st_ino)
        rc = main(["batch", str(folder), "--out", str(out), "--no-model", "--no-progress"])
        err = capsys.readouterr().err
        assert rc != 0 and "書き込み禁止" in err and "Traceback" not in err
        assert (out.read_bytes(), out.stat().st_ino) == before
    finally:
        out.chmod(0o644)


def test_runs_from_another_folder_skip_what_is_done(folder: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out.jsonl"
    monkeypatch.chdir(tmp_path)
    run_batch(Path("in"), out, make_fixture_analyze)  # relative paths
    monkeypatch.chdir(folder)
    again = run_batch(folder, out, make_fixture_analyze)  # absolute paths, other cwd
    assert again.skipped == 3 and again.analysed == again.failed == 0
    assert len(_rows(out)) == 3


def test_io_failures_are_not_marked_done(folder: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out.jsonl"
    real_read = batch_mod.read_ecg

    def flaky(path, **kw):
        if Path(path).name == "00017_hr.hea":
            raise OSError(errno.EIO, "Input/output error")
        return real_read(path, **kw)

    monkeypatch.setattr(batch_mod, "read_ecg", flaky)
    first = run_batch(folder, out, make_fixture_analyze)
    assert [Path(f).name for f, _ in first.retry] == ["00017_hr.hea"]
    retry_text = first.retry[0][1].text("ja")
    assert "入出力エラー" in retry_text and "Input/output" not in retry_text
    assert "00017_hr.hea" not in {Path(r["file"]).name for r in _rows(out)}
    monkeypatch.undo()
    second = run_batch(folder, out, make_fixture_analyze)
    assert second.analysed == 1 and second.skipped == 2 and not second.retry
    assert len(_rows(out)) == 3


def _crashing_analyze():
    def analyze(record):
        raise KeyError("internal bug")

    return analyze


def test_unexpected_analysis_error_is_retried_and_has_no_raw_text(
        folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    summary = run_batch(folder, out, _crashing_analyze)
    assert len(summary.retry) == 2  # the two records; the bad file is a normal error row
    assert all("internal bug" not in msg.text("ja") and "予期しない" in msg.text("ja")
               for _, msg in summary.retry)
    assert [Path(r["file"]).name for r in _rows(out)] == ["bad.xml"]


def test_tampered_weights_stop_the_batch_and_nothing_is_recorded(
        folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from ecg_viewer.core import paths
    from ecg_viewer.model import predictor

    weights = tmp_path / "weights"
    shutil.copytree(paths.model_weights_dir(), weights)
    target = sorted(weights.glob("*.safetensors"))[0]
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    monkeypatch.setattr(predictor, "model_weights_dir", lambda: weights)
    out = tmp_path / "out.jsonl"
    rc = main(["batch", str(folder), "--out", str(out), "--no-progress"])
    err = capsys.readouterr().err
    assert rc == 1
    assert "AI モデルを使えない" in err and "Traceback" not in err
    assert _rows(out) == []  # nothing marked done
    monkeypatch.undo()  # weights restored: the resumed batch does every file
    summary = run_batch(folder, out, make_fixture_analyze)
    assert summary.analysed == 2 and summary.failed == 1 and summary.skipped == 0


# --- worker processes ----------------------------------------------------------------------------
def _children(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(d.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


_SLOW_BATCH = """
import signal, sys, time
from pathlib import Path
from ecg_viewer.commands.batch import _stop_on_sigterm
from ecg_viewer.pipeline.batch import run_batch
import tests.test_batch_reliability as t
signal.signal(signal.SIGTERM, _stop_on_sigterm)  # as the batch command does
try:
    run_batch(Path(sys.argv[1]), Path(sys.argv[2]), t.slow_analyze_factory, workers=2)
except KeyboardInterrupt:
    sys.exit(130)
"""


def slow_analyze_factory():
    def analyze(record):
        time.sleep(60)
        raise RuntimeError("not reached")

    return analyze


def _start_slow_batch(folder: Path, out: Path) -> tuple[subprocess.Popen, list[int]]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_BATCH, str(folder), str(out)],
                            cwd=REPO, env=env)
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while time.monotonic() < deadline:
        # the resource tracker is a child too, and where workers come from a fork server they
        # are its children; the workers are the other two
        kids = {k: Path(f"/proc/{k}/cmdline").read_text() for k in _children(proc.pid)}
        workers = [k for k, cmd in kids.items()
                   if "resource_tracker" not in cmd and "forkserver" not in cmd]
        workers += [g for k, cmd in kids.items() if "forkserver" in cmd for g in _children(k)]
        if len(workers) >= 2:
            break
        time.sleep(0.2)
    assert len(workers) >= 2, "the workers did not start"
    return proc, workers


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_die_when_the_parent_is_killed(folder: Path, tmp_path: Path) -> None:
    proc, workers = _start_slow_batch(folder, tmp_path / "out.jsonl")
    time.sleep(2)  # inside the slow analysis
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(p) for p in workers):
        time.sleep(0.2)
    left = [p for p in workers if _alive(p)]
    for p in left:
        os.kill(p, signal.SIGKILL)
    assert not left, "worker processes outlived their parent"


def _threads_probe_factory():
    import torch

    Path(os.environ["ECGV_PROBE_DIR"], f"{os.getpid()}.json").write_text(json.dumps({
        "omp": os.environ.get("OMP_NUM_THREADS"), "torch": torch.get_num_threads()}))
    return make_fixture_analyze()


def test_each_worker_uses_one_thread(folder: Path, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    probe = tmp_path / "probe"
    probe.mkdir()
    monkeypatch.setenv("ECGV_PROBE_DIR", str(probe))
    run_batch(folder, tmp_path / "out.jsonl", _threads_probe_factory, workers=2)
    seen = [json.loads(p.read_text()) for p in probe.iterdir()]
    assert len(seen) == 2 and all(s == {"omp": "1", "torch": 1} for s in seen)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_stopping_the_batch_stops_its_workers(folder: Path, tmp_path: Path) -> None:
    proc, workers = _start_slow_batch(folder, tmp_path / "out.jsonl")
    time.sleep(2)  # inside the slow (60 s) analysis
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(15)  # without stopping the workers it would wait for them
    finally:
        if proc.poll() is None:
            proc.kill()
    assert rc == 130
    assert not [p for p in workers if _alive(p)]


def test_workers_come_from_a_fork_server_except_in_the_frozen_bundle(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    from ecg_viewer.pipeline.batch import _worker_context

    if "forkserver" in multiprocessing.get_all_start_methods():
        assert _worker_context().get_start_method() == "forkserver"
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert _worker_context().get_start_method() == "spawn"


def test_workers_do_not_import_from_the_working_directory(tmp_path, bundled_samples):
    """`ecg-viewer batch` run in a folder that holds an `ecg_viewer/` of its own (an old checkout)
    or a `numpy.py`: the workers import the installed code, as the command itself does (Python
    3.11's fork server would put the working directory first on its path)."""
    import multiprocessing
    import shutil
    import subprocess
    import sys

    script = Path(sys.executable).with_name("ecg-viewer")
    if not script.is_file() or "forkserver" not in multiprocessing.get_all_start_methods():
        pytest.skip("needs the installed console script and a fork server")
    here = tmp_path / "cwd"
    (here / "ecg_viewer").mkdir(parents=True)
    (here / "ecg_viewer" / "__init__.py").write_text("raise SystemExit('cwd ecg_viewer')\n")
    (here / "numpy.py").write_text("raise SystemExit('cwd numpy')\n")
    src = tmp_path / "in"
    src.mkdir()
    for f in [*bundled_samples.glob("00009_hr.*"), *bundled_samples.glob("00017_hr.*")]:
        shutil.copy(f, src / f.name)  # two files: a pool of workers, not this process
    out = tmp_path / "rows.jsonl"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSAFEPATH")}
    done = subprocess.run([str(script), "batch", str(src), "--out", str(out), "--no-model",
                           "--no-progress", "--workers", "2"], cwd=here, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "cwd " not in done.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 2 and all(r["measurements"]["hr_bpm"] is not None for r in rows)
