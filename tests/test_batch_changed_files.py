"""A batch run again over a folder whose files changed since (QA 2026-12-06: the re-run skipped
by path only, so the row of an ECG replaced by another — or of a file fixed since it could not
be read — stayed, with the wrong patient's results, and was never analysed again).

Real bundled WFDB records, the fixture analysis (no torch), JSONL and CSV outputs."""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

import pytest

from ecg_viewer.core.hashing import sha256_files
from ecg_viewer.pipeline.batch import run_batch
from tests.batch_folder import make_batch_folder
from tests.report_fixtures import make_fixture_analyze


@pytest.fixture
def folder(bundled_samples: Path, tmp_path: Path) -> Path:
    return make_batch_folder(bundled_samples, tmp_path)


def _rows(out: Path) -> list[dict]:
    if out.suffix == ".csv":
        with open(out, encoding="utf-8-sig", newline="") as fh:
            return list(csv.DictReader(fh))
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def _by_file(out: Path) -> dict[str, dict]:
    rows = _rows(out)
    names = [Path(r["file"]).name for r in rows]
    assert len(names) == len(set(names)), f"two rows for one file: {names}"
    return {Path(r["file"]).name: r for r in rows}


def _replace_record(folder: Path, bundled_samples: Path, name: str, other: str) -> None:
    """``name``'s signal replaced by ``other``'s (the same header layout: a re-recorded ECG)."""
    shutil.copy(bundled_samples / f"{other}.dat", folder / f"{name}.dat")
    st = os.stat(folder / f"{name}.hea")
    os.utime(folder / f"{name}.hea", ns=(st.st_atime_ns, st.st_mtime_ns))  # header untouched


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_a_changed_file_is_analysed_again_and_its_old_row_goes(
        folder: Path, bundled_samples: Path, tmp_path: Path, suffix: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / f"results{suffix}"
    first = run_batch(folder, out, make_fixture_analyze)
    assert first.analysed == 2 and first.failed == 1
    before = _by_file(out)
    assert all(r.get("source") for r in before.values())

    # nothing changed: all skipped, the file untouched
    data = out.read_bytes()
    again = run_batch(folder, out, make_fixture_analyze)
    assert (again.skipped, again.changed, again.analysed) == (3, 0, 0)
    assert out.read_bytes() == data

    # touched only (same bytes, new time): still skipped
    os.utime(folder / "00009_hr.dat")
    assert run_batch(folder, out, make_fixture_analyze).changed == 0

    # 00009's signal file replaced by another recording; bad.xml fixed into a real ECG
    _replace_record(folder, bundled_samples, "00009_hr", "00017_hr")
    (folder / "bad.xml").unlink()
    shutil.copy(bundled_samples / "E07509.mat", folder / "fixed.mat")
    (folder / "fixed.hea").write_text((bundled_samples / "E07509.hea").read_text().replace(
        "E07509", "fixed"))

    third = run_batch(folder, out, make_fixture_analyze)
    assert third.changed == 1  # 00009; fixed.hea is new, bad.xml is gone (its row kept)
    rows = _by_file(out)
    assert set(rows) == {"00009_hr.hea", "00017_hr.hea", "bad.xml", "fixed.hea"}
    assert rows["00009_hr.hea"]["sha256"] != before["00009_hr.hea"]["sha256"]
    # the new row is of the files now on disk
    now = sha256_files([folder / "00009_hr.hea", folder / "00009_hr.dat"])
    assert rows["00009_hr.hea"]["sha256"] == now
    assert rows["00017_hr.hea"] == before["00017_hr.hea"]  # untouched rows stay as they were
    assert "bad.xml" in rows and "fixed.hea" in rows

    # an unreadable file replaced by a readable one under the same name is tried again
    bad = folder / "bad2.hea"
    bad.write_text("not a header\n")
    run_batch(folder, out, make_fixture_analyze)
    assert _by_file(out)["bad2.hea"].get("error") or \
        _by_file(out)["bad2.hea"].get("status") == "error"
    shutil.copy(bundled_samples / "00009_hr.dat", folder / "bad2.dat")
    bad.write_text((bundled_samples / "00009_hr.hea").read_text().replace("00009_hr", "bad2"))
    fourth = run_batch(folder, out, make_fixture_analyze)
    assert fourth.changed == 1
    row = _by_file(out)["bad2.hea"]
    assert not row.get("error") and row.get("status", "ok") in ("ok", "duplicate")
    assert not list(tmp_path.glob(".results*.tmp"))  # the rewrite left no temporary file


def test_the_cli_says_how_many_changed(folder: Path, bundled_samples: Path, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    from ecg_viewer.cli import main

    out = tmp_path / "r.jsonl"
    assert main(["--lang", "ja", "batch", str(folder), "--out", str(out), "--no-model", "--no-progress", "--workers", "1"]) == 0
    _replace_record(folder, bundled_samples, "00017_hr", "00009_hr")
    capsys.readouterr()
    assert main(["--lang", "ja", "batch", str(folder), "--out", str(out), "--no-model", "--no-progress", "--workers", "1"]) == 0
    text = capsys.readouterr().out
    assert "前回の解析の後に変更された 1 件" in text
    assert len(_by_file(out)) == 3
