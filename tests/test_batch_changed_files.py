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


# --- QA report 33 ---------------------------------------------------------------------------
def _xml(samples: Path, name: str) -> Path:
    return samples / "hl7aecg" / name


def test_duplicates_of_a_dropped_result_are_analysed_again(samples: Path, tmp_path: Path):
    """c.xml was listed as a duplicate of b.xml; b.xml is replaced by another ECG: c.xml's row
    pointed at a result no row held any more (and a new copy d.xml became a duplicate of
    nothing). Now c.xml is analysed again, d.xml is a duplicate of c.xml's result."""
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(_xml(samples, "fda_Example_aECG.xml"), src / "b.xml")
    out = tmp_path / "r.csv"
    run_batch(src, out, make_fixture_analyze)
    shutil.copy(src / "b.xml", src / "c.xml")
    assert run_batch(src, out, make_fixture_analyze).duplicates == 1
    shutil.copy(_xml(samples, "fda_minimum_aecg.xml"), src / "b.xml")
    third = run_batch(src, out, make_fixture_analyze)
    assert third.changed == 2 and third.analysed == 2  # b (new ECG) and c (its old content)
    shutil.copy(_xml(samples, "fda_Example_aECG.xml"), src / "d.xml")
    run_batch(src, out, make_fixture_analyze)
    rows = _by_file(out)
    assert rows["c.xml"]["status"] == "ok" and rows["d.xml"]["status"] == "duplicate"
    assert rows["d.xml"]["sha256"] == rows["c.xml"]["sha256"]
    results = {r["sha256"] for r in rows.values() if r["status"] == "ok"}
    assert all(r["sha256"] in results for r in rows.values() if r["status"] == "duplicate")


def test_the_rewrite_keeps_a_linked_output_its_mode_and_leaves_no_temporary_file(
        folder: Path, bundled_samples: Path, tmp_path: Path, monkeypatch) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    link = tmp_path / "link.jsonl"
    link.symlink_to(shared / "results.jsonl")
    run_batch(folder, link, make_fixture_analyze)
    os.chmod(shared / "results.jsonl", 0o640)
    _replace_record(folder, bundled_samples, "00009_hr", "00017_hr")
    # Ctrl-C in the middle of the rewrite: the results as they were, no temporary copy left
    from ecg_viewer.report import batch_output

    def interrupted(fd, data):
        os.write(fd, data[: len(data) // 2])
        raise KeyboardInterrupt

    before = (shared / "results.jsonl").read_bytes()
    with monkeypatch.context() as m:
        m.setattr(batch_output, "write_all", interrupted)  # the rewrite comes first
        with pytest.raises(KeyboardInterrupt):
            run_batch(folder, link, make_fixture_analyze)
    assert (shared / "results.jsonl").read_bytes() == before
    assert not [p for p in shared.iterdir() if p.name.endswith(".tmp")]
    # the real rewrite: through the link, the mode kept
    assert run_batch(folder, link, make_fixture_analyze).changed == 1
    assert link.is_symlink() and (os.stat(shared / "results.jsonl").st_mode & 0o777) == 0o640
    assert len(_by_file(shared / "results.jsonl")) == 3
    assert not [p for p in shared.iterdir() if p.name.endswith(".tmp")]


def test_a_results_csv_saved_in_shift_jis_is_never_rewritten(
        folder: Path, bundled_samples: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    from ecg_viewer.cli import main

    out = tmp_path / "r.csv"
    assert main(["--lang", "ja", "batch", str(folder), "--out", str(out), "--no-model",
                 "--no-progress", "--workers", "1"]) == 0
    text = out.read_text(encoding="utf-8-sig")
    out.write_bytes(text.encode("cp932"))  # Excel's 「CSV（コンマ区切り）」
    saved = out.read_bytes()
    _replace_record(folder, bundled_samples, "00009_hr", "00017_hr")
    capsys.readouterr()
    assert main(["--lang", "ja", "batch", str(folder), "--out", str(out), "--no-model",
                 "--no-progress", "--workers", "1"]) == 0
    err = capsys.readouterr().err
    assert "書き直せない" in err and "変更された 1 件は前回の結果のまま残し" in err
    assert out.read_bytes() == saved  # untouched: its Japanese is still readable as cp932


def test_a_header_whose_signal_file_comes_back_is_analysed_again(
        bundled_samples: Path, tmp_path: Path) -> None:
    src = tmp_path / "w"
    src.mkdir()
    shutil.copy(bundled_samples / "00009_hr.hea", src)
    out = tmp_path / "w.jsonl"
    assert run_batch(src, out, make_fixture_analyze).failed == 1  # its .dat is missing
    shutil.copy(bundled_samples / "00009_hr.dat", src)
    again = run_batch(src, out, make_fixture_analyze)
    assert again.changed == 1 and again.analysed == 1
    assert "error" not in _by_file(out)["00009_hr.hea"]


def test_an_older_csv_says_it_cannot_track_changes(
        folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ecg_viewer.cli import main
    from ecg_viewer.report.batch_output import CSV_COLUMNS

    out = tmp_path / "old.csv"
    old = [c for c in CSV_COLUMNS if c not in ("source", "priority") and "_ja" not in c[-3:]]
    with open(out, "w", encoding="utf-8-sig", newline="") as fh:
        csv.DictWriter(fh, old).writeheader()
    assert main(["--lang", "ja", "batch", str(folder), "--out", str(out), "--no-model",
                 "--no-progress", "--workers", "1"]) == 0
    assert "旧版で作られたため" in capsys.readouterr().err
