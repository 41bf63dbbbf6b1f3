"""A folder holding links to files that are gone (QA 45: a PACS mount not mounted): the batch and
the worklist had left them out silently ("1 件を解析、0 件は読めませんでした"); a link with an ECG
file's extension is listed, so that opening it says the file is not found."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from ecg_viewer.pipeline.files import find_ecg_files


def _folder_with_a_record(bundled_samples: Path, tmp_path: Path) -> Path:
    """``tmp_path``/d holding a copy of 00009_hr (skips where links need privileges)."""
    if sys.platform == "win32":
        pytest.skip("symbolic links need privileges on Windows")
    d = tmp_path / "d"
    d.mkdir()
    for f in bundled_samples.glob("00009_hr.*"):
        shutil.copy(f, d / f.name)
    return d


def test_a_dangling_link_to_an_ecg_file_is_listed(bundled_samples: Path, tmp_path: Path) -> None:
    d = _folder_with_a_record(bundled_samples, tmp_path)
    (d / "patient1.xml").symlink_to(tmp_path / "pacs" / "gone.xml")
    (d / "x.hea").symlink_to(tmp_path / "missing" / "x.hea")
    (d / "notes.bin").symlink_to(tmp_path / "missing" / "notes.bin")  # no ECG extension
    names = [p.name for p in find_ecg_files(d)]
    assert names == ["00009_hr.hea", "patient1.xml", "x.hea"]


def test_batch_records_a_dangling_link_as_an_error_not_a_retry(bundled_samples: Path,
                                                               tmp_path: Path, capsys) -> None:
    """QA 51: `moved.mwf` pointing at a file that is gone was 「一時的な失敗のため未完了」 on
    every run (exit 1 for ever); it is an error row saying the link's target is missing."""
    import json

    from ecg_viewer.cli import main

    d = _folder_with_a_record(bundled_samples, tmp_path)
    (d / "moved.mwf").symlink_to(tmp_path / "old" / "moved.mwf")
    out = tmp_path / "r.jsonl"
    argv = ["batch", str(d), "--out", str(out), "--no-model", "--no-progress"]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "一時的な失敗" not in err and "リンク先のファイルがありません" in err, err
    rows = {Path(r["file"]).name: r for r in map(json.loads, out.read_text().splitlines())}
    moved = rows["moved.mwf"]
    assert moved["error_key"] == "read.broken_link", moved
    assert str(tmp_path / "old" / "moved.mwf") in moved["error_ja"]
    assert "link points to is missing" in moved["error_en"]
    raw = out.read_bytes()
    assert main(argv) == 0  # recorded: the second run retries nothing
    assert out.read_bytes() == raw
