"""A copy of an ECG in a batch (QA 40): its row names the file whose row holds the ECG
(``duplicate_of``) and carries that row's referral level, so that sorting the CSV by priority
keeps the copy beside its original instead of below the unreadable files; copies analysed side
by side by two worker processes are listed as duplicates too."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from ecg_viewer.pipeline.batch import run_batch
from ecg_viewer.pipeline.batch_staged import AnalyzerSpec
from tests.report_fixtures import make_fixture_analyze


@pytest.fixture
def folder(bundled_samples: Path, tmp_path: Path) -> Path:
    root = tmp_path / "ward"
    for sub in ("a", "b", "c"):
        (root / sub).mkdir(parents=True)
        for f in bundled_samples.glob("E07509.*"):
            shutil.copy2(f, root / sub / f.name)
    for f in bundled_samples.glob("00017_hr.*"):
        shutil.copy2(f, root / "a" / f.name)
    return root


def _check(rows: list[dict], level_of) -> None:
    e = [r for r in rows if r["file"].endswith("E07509.hea")]
    assert len(e) == 3
    originals = [r for r in e if not r.get("duplicate") and r.get("status") != "duplicate"]
    assert len(originals) == 1, rows
    for r in e:
        if r is originals[0]:
            continue
        assert r["duplicate_of"] == originals[0]["file"]
        assert level_of(r) == level_of(originals[0]) and level_of(r)


@pytest.mark.parametrize("workers", [1, 2])
def test_copies_name_their_original_and_carry_its_level(folder, tmp_path, workers) -> None:
    out = tmp_path / f"r{workers}.jsonl"
    summary = run_batch(folder, out, make_fixture_analyze, workers=workers)
    assert summary.duplicates == 2 and summary.analysed == 2
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    _check(rows, lambda r: r["referral"]["level"])


def test_the_staged_run_writes_a_copy_after_its_original(folder, tmp_path) -> None:
    # with the model, files are prepared in parallel and a copy can be found while its original
    # is still being analysed: the copy waits for the original's row
    out = tmp_path / "r.csv"
    summary = run_batch(folder, out, AnalyzerSpec("cpu"), workers=2)
    assert summary.duplicates == 2
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    _check(rows, lambda r: (r["referral_level"], r["priority"]))
    order = [r["file"] for r in rows]
    original = next(r["file"] for r in rows if r["status"] == "ok" and r["file"].endswith("E07509.hea"))
    assert all(order.index(r["file"]) > order.index(original) for r in rows
               if r["status"] == "duplicate")
    # resumed: nothing left to do, the copies stay listed once
    again = run_batch(folder, out, AnalyzerSpec("cpu"), workers=2)
    assert again.skipped == 4 and again.analysed == again.duplicates == 0
