"""QA report 22, item 5: the staged batch (the default, with the model) records a WFDB header
whose signal file is missing as an error row, as the per-file path does: it was marked "retry"
on every run, so the folder never finished with exit 0. A file that vanished is still retried."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ecg_viewer.cli import main
from ecg_viewer.pipeline.batch_staged import prepare_file


@pytest.fixture
def folder(samples: Path, tmp_path: Path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    for ext in (".hea", ".dat"):
        shutil.copy(samples / "wfdb_ptbxl" / f"00001_lr{ext}", d)
    hea = (samples / "wfdb_ptbxl" / "00001_lr.hea").read_text(encoding="utf-8")
    (d / "orphan.hea").write_text(hea.replace("00001_lr", "orphan"), encoding="utf-8")
    return d


def test_prepare_file_records_a_header_without_its_signal_file(folder: Path) -> None:
    path, row, times = prepare_file(folder / "orphan.hea", frozenset(), "zscore")
    assert isinstance(row, dict) and not row.get("retry")
    assert "orphan.dat" in row["error"] and row["error_key"] == "read.not_found"
    assert times == {}


def test_prepare_file_retries_a_file_that_is_gone(folder: Path) -> None:
    _, row, _ = prepare_file(folder / "gone.hea", frozenset(), "zscore")
    assert isinstance(row, dict) and row.get("retry") is True


def test_batch_with_the_model_finishes_with_the_orphan_as_an_error_row(
        folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.jsonl"
    argv = ["batch", str(folder), "--out", str(out), "--no-progress", "--workers", "1"]
    assert main(argv) == 0
    rows = {Path(r["file"]).name: r for r in map(json.loads, out.read_text().splitlines())}
    assert set(rows) == {"00001_lr.hea", "orphan.hea"}
    assert "orphan.dat" in rows["orphan.hea"]["error"]
    raw = out.read_bytes()
    capsys.readouterr()
    assert main(argv) == 0  # nothing is retried on the second run
    assert out.read_bytes() == raw
