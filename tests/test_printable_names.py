"""A file whose name is not UTF-8 (QA 45: a ZIP from Japanese Windows unpacked on Linux gives
Shift_JIS names, 田中.mwf as the bytes 93 63 92 86): batch had stopped with a UnicodeEncodeError
and no row for it or any file after it, report wrote no PDF, analyze --json wrote bytes that are
not UTF-8 and a review of it could not be stored. Real files, the real commands in a
subprocess (their stdout as bytes), a real SQLite database."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ecg_viewer.core.printable import printable_path, printable_text

NAME = "田中".encode("cp932") + b".mwf"


@pytest.fixture
def folder(samples: Path, bundled_samples: Path, tmp_path: Path) -> Path:
    if sys.platform == "win32":
        pytest.skip("file names are text on Windows")
    d = tmp_path / "d"
    d.mkdir()
    for f in bundled_samples.glob("00009_hr.*"):
        shutil.copy(f, d / f.name)
    shutil.copy(samples / "mfer" / "mferorg_ECG02.mwf", os.path.join(os.fsencode(d), NAME))
    shutil.copy(samples / "ge_muse" / "synthetic_muse.xml", d / "zz_after.xml")
    return d


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "ecg_viewer", *args], cwd=cwd, env=env,
                          capture_output=True, timeout=300)


def test_the_printable_forms() -> None:
    raw = os.fsdecode(b"/data/" + NAME)
    assert printable_path(raw) == "/data/田中.mwf"
    assert printable_path("/data/心電図.mwf") == "/data/心電図.mwf"  # UTF-8: unchanged
    assert printable_path(os.fsdecode(b"/data/\xff\xfe.csv")) == "/data/\\xff\\xfe.csv"
    assert printable_text(f"読めません: {raw}").encode("utf-8")


def test_batch_resumes_and_writes_utf8_rows(folder: Path, tmp_path: Path) -> None:
    for out in ("res.jsonl", "res.csv"):
        for _ in range(2):  # the second run finds every file already done
            p = _run("batch", str(folder), "--out", out, "--no-model", "--no-progress",
                     cwd=tmp_path)
            assert p.returncode == 0, p.stderr.decode("utf-8", "replace")
        text = (tmp_path / out).read_bytes().decode("utf-8-sig")  # valid UTF-8
        rows = ([json.loads(line) for line in text.splitlines()] if out.endswith("jsonl")
                else list(csv.DictReader(io.StringIO(text))))
        assert len(rows) == 3  # one row per file, none written twice
        assert sorted(Path(r["file"]).name for r in rows) == ["00009_hr.hea", "zz_after.xml",
                                                              "田中.mwf"]
        assert "前回までに解析済み" in p.stdout.decode("utf-8") and "3 件は" in p.stdout.decode()


def test_report_and_analyze_name_the_file_readably(folder: Path, tmp_path: Path) -> None:
    path = os.path.join(os.fsencode(folder), NAME)
    p = subprocess.run([sys.executable, "-m", "ecg_viewer", "analyze", "--json", "--no-model",
                        path], capture_output=True, timeout=300,
                       env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout.decode("utf-8"))["file"].endswith("/d/田中.mwf")
    p = subprocess.run([sys.executable, "-m", "ecg_viewer", "report", "--no-model", path,
                        "--out", str(tmp_path / "r.pdf"), "--json", str(tmp_path / "r.json")],
                       capture_output=True, timeout=300,
                       env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert p.returncode == 0, p.stderr.decode("utf-8", "replace")
    text = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True,
                          text=True).stdout
    assert "田中.mwf" in text
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))


def test_a_review_of_it_is_stored(folder: Path, tmp_path: Path) -> None:
    from dataclasses import replace

    from ecg_viewer.review import ReviewStore

    with ReviewStore(tmp_path / "reviews.sqlite3") as store:
        store.update("c" * 64, lambda r: replace(r, final_level="D"),
                     file_path=os.fsdecode(os.path.join(os.fsencode(folder), NAME)))
        assert store.get("c" * 64).file_path == str(folder / "田中.mwf")


def test_a_reviewed_file_with_such_a_name_is_found_as_a_prior(folder: Path, tmp_path: Path) -> None:
    """QA 47: the review holds the name as it prints (田中.mwf), which is not the name on disk:
    the prior search finds the file whose name prints so."""
    from dataclasses import replace

    from ecg_viewer.compare.prior import database_files
    from ecg_viewer.review import ReviewStore

    real = os.path.join(os.fsencode(folder), NAME)
    with ReviewStore(tmp_path / "reviews.sqlite3") as store:
        store.update("d" * 64, lambda r: replace(r, final_level="D"), file_path=os.fsdecode(real))
        assert [os.fsencode(p) for p in database_files(store)] == [real]
