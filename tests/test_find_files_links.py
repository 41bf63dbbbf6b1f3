"""A folder holding links to files that are gone (QA 45: a PACS mount not mounted): the batch and
the worklist had left them out silently ("1 件を解析、0 件は読めませんでした"); a link with an ECG
file's extension is listed, so that opening it says the file is not found."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from ecg_viewer.pipeline.files import find_ecg_files


def test_a_dangling_link_to_an_ecg_file_is_listed(bundled_samples: Path, tmp_path: Path) -> None:
    if sys.platform == "win32":
        pytest.skip("symbolic links need privileges on Windows")
    d = tmp_path / "d"
    d.mkdir()
    for f in bundled_samples.glob("00009_hr.*"):
        shutil.copy(f, d / f.name)
    (d / "patient1.xml").symlink_to(tmp_path / "pacs" / "gone.xml")
    (d / "x.hea").symlink_to(tmp_path / "missing" / "x.hea")
    (d / "notes.bin").symlink_to(tmp_path / "missing" / "notes.bin")  # no ECG extension
    names = [p.name for p in find_ecg_files(d)]
    assert names == ["00009_hr.hea", "patient1.xml", "x.hea"]
