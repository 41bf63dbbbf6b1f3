"""`batch` over the real sample folder (bad files included) and `report` end to end.

The analysis is the fixture pipeline (real records, real catalog, no torch) so the tests stay
fast; the batch run covers every sample folder except wfdb_cinc2021, of which it takes 3 of
the 50 records (all 84 files take ~50 s here with measurements)."""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
from pathlib import Path

import pytest

from ecg_viewer.commands import report as report_cmd
from ecg_viewer.pipeline.batch import run_batch
from ecg_viewer.pipeline.files import find_ecg_files
from ecg_viewer.review import AuditContext, ReviewStore
from tests.report_fixtures import fixture_analyze, make_fixture_analyze

BAD = {"test_edfann.edf", "healforce_62.SCP", "healforce_63.SCP"}


@pytest.fixture(scope="module")
def subset(samples: Path) -> list[Path]:
    files = find_ecg_files(samples, recursive=True)
    cinc = [f for f in files if f.parent.name == "wfdb_cinc2021"]
    return [f for f in files if f.parent.name != "wfdb_cinc2021"] + cinc[:3]


def test_find_ecg_files(samples: Path) -> None:
    files = find_ecg_files(samples, recursive=True)
    names = {f.name for f in files}
    # every WFDB record by its header, every file of a format read by extension, nothing else
    headers = {p for p in samples.rglob("*.hea") if not p.name.startswith(".")}
    assert headers <= set(files)
    by_ext = {p for p in samples.rglob("*") if p.suffix.lower() in (".mwf", ".dcm", ".scp", ".edf")
              and not p.name.startswith(".")}
    assert by_ext <= set(files)
    assert not any(f.name.lower().startswith(("readme", "license")) for f in files)
    assert {"100.hea", "s0010_re.hea", "00001_hr.hea", "mferorg_ECG01.mwf",
            "marcodebe_anonymous_ecg.dcm", "ecgtoolkit_Example.scp"} <= names | BAD
    # one entry per WFDB record: the signal files named by the headers are not listed
    assert not any(f.suffix.lower() in (".dat", ".mat", ".xyz", ".atr") for f in files)
    assert BAD <= names  # the bad files are there, to be reported


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_batch_jsonl_lists_errors_and_resumes(samples: Path, subset: list[Path],
                                              tmp_path: Path) -> None:
    out = tmp_path / "results.jsonl"
    seen = []
    summary = run_batch(samples, out, make_fixture_analyze, files=subset,
                        progress=lambda d, t, r: seen.append((d, t)))
    rows = _rows(out)
    assert len(rows) == len(subset) == summary.total
    assert {Path(r["file"]).name for r in rows if "error" in r} == BAD
    assert summary.failed == len(BAD)
    for r in rows:
        if "error" in r:
            assert r["error_ja"] and r["error_type"].endswith("Error")
        elif not r.get("duplicate"):
            assert r["referral"]["level"] and r["labels"][0]["id"] == "sinus_rhythm"
            assert r["sha256"] and r["quality"]["ok"] is True
    # the Philips file copied under another name is the same ECG: listed once as a duplicate
    dups = [r for r in rows if r.get("duplicate")]
    assert summary.duplicates == len(dups) >= 1 and summary.skipped == 0
    assert seen[-1] == (len(subset), len(subset))
    assert summary.rate_per_s > 0

    # interrupted after 5 rows, in the middle of the 6th
    lines = out.read_text(encoding="utf-8").splitlines(keepends=True)
    out.write_text("".join(lines[:5]) + lines[5][:40], encoding="utf-8")
    again = run_batch(samples, out, make_fixture_analyze, files=subset)
    rows2 = _rows(out)
    assert again.skipped >= 5 and again.analysed + again.failed < len(subset)
    assert sorted(r["file"] for r in rows2) == sorted(r["file"] for r in rows)  # no duplicates
    # and a third run has nothing left to do
    third = run_batch(samples, out, make_fixture_analyze, files=subset)
    assert third.analysed == third.failed == 0 and len(_rows(out)) == len(rows)


def test_batch_csv_with_two_workers(samples: Path, subset: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    files = subset[:10] + [f for f in subset if f.name in BAD]
    summary = run_batch(samples, out, make_fixture_analyze, files=files, workers=2)
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(files) == summary.total
    status = {Path(r["file"]).name: r["status"] for r in rows}
    assert all(status[name] == "error" for name in BAD)
    ok = [r for r in rows if r["status"] == "ok"]
    assert ok and all(r["top1_id"] == "sinus_rhythm" and r["referral_level"] for r in ok)
    assert all(r["top1_en"] == "sinus rhythm" and r["top1_ja"] == "洞調律" and r["referral_en"]
               for r in ok)
    assert all("ファイル" in r["error"] or "波形" in r["error"]
               for r in rows if r["status"] == "error")
    # the names of the findings, not only their ids (QA 2026-12-06), and a priority column
    # that sorts as the worklist reads (要至急 1 ... 異常なし 7, unreadable files 8)
    from ecg_viewer.core.prediction import READING_ORDER

    for r in ok:
        assert r["top5_ja"].split("、")[0] == "洞調律" and r["top5_en"].startswith("sinus rhythm")
        assert len(r["top5_ja"].split("、")) == len(r["top5"].split())
        assert len(r["present_ja"].split("、")) == len(r["present"].split()) or not r["present"]
        assert int(r["priority"]) == READING_ORDER[r["referral_level"]] + 1
    assert all(r["priority"] == "8" for r in rows if r["status"] == "error")
    ranked = sorted((r for r in rows if r["status"] != "duplicate"), key=lambda r: int(r["priority"]))
    assert [r["status"] for r in ranked][-len(BAD):] == ["error"] * len(BAD)


def test_batch_csv_resumed_under_an_older_header(samples: Path, subset: list[Path],
                                                 tmp_path: Path) -> None:
    """A CSV that an earlier version began (without the _en columns) is continued under its
    own header: every row keeps the same columns, none shifted."""
    from ecg_viewer.report.batch_output import CSV_COLUMNS

    old = [c for c in CSV_COLUMNS if not c.endswith("_en")]
    out = tmp_path / "results.csv"
    first = subset[:2]
    run_batch(samples, out, make_fixture_analyze, files=first)
    with open(out, encoding="utf-8-sig", newline="") as fh:
        begun = [{k: r[k] for k in old} for r in csv.DictReader(fh)]
    with open(out, "w", encoding="utf-8", newline="") as fh:  # as the older version wrote it
        w = csv.DictWriter(fh, old)
        w.writeheader()
        w.writerows(begun)
    summary = run_batch(samples, out, make_fixture_analyze, files=subset[:4])
    assert summary.skipped == 2 and summary.analysed == 2
    with open(out, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = list(reader)
    assert header == old and len(rows) == 4 and all(len(r) == len(old) for r in rows)
    later = [dict(zip(header, r, strict=True)) for r in rows[2:]]
    assert all(r["top1_id"] == "sinus_rhythm" and r["top1_ja"] == "洞調律" for r in later)


def test_batch_command_refuses_bad_arguments(tmp_path: Path) -> None:
    from ecg_viewer.cli import main

    assert main(["batch", str(tmp_path / "nope"), "--out", str(tmp_path / "r.jsonl")]) == 2
    assert main(["batch", str(tmp_path), "--out", str(tmp_path / "r.txt")]) == 2
    assert main(["batch", str(tmp_path), "--out", str(tmp_path / "r.jsonl")]) == 1  # no ECGs


def _args(file: Path, out: Path, **kw) -> argparse.Namespace:
    p = argparse.ArgumentParser()
    report_cmd.add_arguments(p)
    argv = [str(file), "--out", str(out)]
    for k, v in kw.items():
        argv += [f"--{k.replace('_', '-')}"] + ([] if v is True else [str(v)])
    return p.parse_args(argv)


def test_report_command_end_to_end(samples: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    ecg = samples / "philips_xml" / "3191723_ZZDEMOPTONLY_1-04_orig.xml"
    db = tmp_path / "reviews.sqlite3"
    from ecg_viewer.io import read_ecg

    sha = read_ecg(ecg).sha256
    before = sorted((p.name, p.stat().st_mtime_ns) for p in ecg.parent.iterdir())
    with ReviewStore(db) as s:  # the clinician reviewed this ECG earlier
        s.set_reviewer("佐藤 花子")
        ctx = AuditContext("0.1.0", "x" * 64, "cat")
        s.confirm(s.get(sha).sha256, "sinus_rhythm", ctx)
        s.set_comment(sha, "正常範囲。", ctx)
        s.set_levels(sha, suggested="A", final="A", context=ctx)
    pdf, js, fh = tmp_path / "r.pdf", tmp_path / "r.json", tmp_path / "r.fhir.json"
    args = _args(ecg, pdf, json=js, fhir=fh, db=db)
    assert report_cmd.run(args, analyze=fixture_analyze) == 0
    assert "書き出しました" in capsys.readouterr().out
    d = json.loads(js.read_text(encoding="utf-8"))
    assert d["review"]["comment"] == "正常範囲。" and d["review"]["reviewer"] == "佐藤 花子"
    assert d["record"]["meta"]["patient_name"] == "ZZDEMOPTONLY ADULT"
    from fhir.resources.R4B.bundle import Bundle

    Bundle.model_validate(json.loads(fh.read_text(encoding="utf-8")))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    for expected in ("ZZDEMOPTONLY ADULT", "9999", "佐藤 花子", "正常範囲。", "洞調律", "異常なし"):
        assert expected in text, expected
    # nothing was written or changed beside the ECG
    assert sorted((p.name, p.stat().st_mtime_ns) for p in ecg.parent.iterdir()) == before


def test_report_command_bad_file_and_readonly_target(samples: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    bad = samples / "scp_ecg" / "healforce_62.SCP"
    assert report_cmd.run(_args(bad, tmp_path / "r.pdf", db=tmp_path / "db"),
                          analyze=fixture_analyze) == 1
    assert "壊れている" in capsys.readouterr().err
    good = samples / "wfdb_ptbxl" / "00001_hr.hea"
    assert report_cmd.run(_args(good, tmp_path / "missing" / "r.pdf", db=tmp_path / "db"),
                          analyze=fixture_analyze) == 1
    assert "フォルダがありません" in capsys.readouterr().err


def test_review_follows_the_ecg_when_it_is_moved_and_renamed(samples: Path, tmp_path: Path) -> None:
    import shutil

    from ecg_viewer.commands.report import build_content

    first = tmp_path / "ward_a" / "patient.xml"
    first.parent.mkdir()
    shutil.copy(samples / "ge_muse" / "synthetic_muse.xml", first)
    db = tmp_path / "reviews.sqlite3"
    content = build_content(first, fixture_analyze, db=db)
    with ReviewStore(db) as s:
        s.set_comment(content.record.sha256, "移動前に記入", AuditContext("0.1.0"))
    moved = tmp_path / "archive" / "2025" / "renamed.xml"
    moved.parent.mkdir(parents=True)
    first.rename(moved)
    again = build_content(moved, fixture_analyze, db=db)
    assert again.review is not None and again.review.comment == "移動前に記入"
    assert not any(p.suffix != ".xml" for p in moved.parent.iterdir())  # nothing beside the ECG


@pytest.mark.parametrize("workers", [1, 2])
def test_batch_rows_name_the_patient_and_the_recording_time(samples: Path, subset: list[Path],
                                                            tmp_path: Path, workers: int) -> None:
    """QA 73: the CSV and JSONL rows named only the file, so with a cart's file names (GUIDs,
    129DYPRG.xml) a clinician could not tell whose 要至急 ECG it was, nor when it was taken. Every
    ok and duplicate row now gives the patient ID and the recording time the file gives."""
    import shutil

    from ecg_viewer.io import read_ecg

    with_id = next(f for f in subset if (m := read_ecg(f).meta).patient_id and m.recorded_at)
    meta = read_ecg(with_id).meta
    folder = tmp_path / "in"
    folder.mkdir()
    first = folder / with_id.name
    shutil.copy(with_id, first)
    copy = folder / f"copy_{with_id.name}"  # the same ECG under another name: a duplicate row
    shutil.copy(with_id, copy)
    for kind in ("csv", "jsonl"):
        out = tmp_path / f"w{workers}.{kind}"
        run_batch(folder, out, make_fixture_analyze, files=[first, copy], workers=workers)
        if kind == "csv":
            with open(out, encoding="utf-8-sig", newline="") as fh:
                rows = list(csv.DictReader(fh))
            assert list(rows[0])[:3] == ["file", "patient_id", "recorded_at"]
        else:
            rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert sorted(r.get("status") or ("duplicate" if r.get("duplicate") else "ok")
                      for r in rows) == ["duplicate", "ok"]
        for r in rows:
            assert r["patient_id"] == str(meta.patient_id), (kind, r)
            assert r["recorded_at"] == meta.recorded_at.isoformat(), (kind, r)
