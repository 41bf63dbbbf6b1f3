"""Guards of the command-line paths that keep the user's files safe and the errors clear: an
export never lands on the ECG it was read from, a batch never appends to a file that is not its
own results, a missing companion file is recorded (not retried for ever), an unreadable prior ECG
is named as the prior, a bad CSV row is named by its line, and render refuses options it cannot
draw. Real sample files; the analysis is the fixture pipeline (no torch) or ``--no-model``."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from ecg_viewer.cli import main
from ecg_viewer.commands import report as report_cmd
from tests.report_fixtures import fixture_analyze
from tests.test_batch_and_report_cli import _args


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture
def record(bundled_samples: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    for p in bundled_samples.glob("00009_hr.*"):
        shutil.copy(p, folder / p.name)
    return folder / "00009_hr.hea"


@pytest.mark.parametrize("kw", [
    {"out": "00009_hr.dat"},                       # the signal file as the PDF
    {"out": "r.pdf", "json": "00009_hr.hea"},      # the header as the JSON
    {"out": "r.pdf", "json": "r.pdf"},             # one file for two exports
    {"out": "r.pdf", "json": "r.json", "fhir": "r.json"},
])
def test_report_never_writes_over_its_source_or_one_target_twice(
        record: Path, kw: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    before = _digests(record.parent)
    out = record.parent / kw.pop("out")
    args = _args(record, out, **{k: record.parent / v for k, v in kw.items()}, no_review=True,
                 prior="none")
    assert report_cmd.run(args, analyze=fixture_analyze) == 2
    err = capsys.readouterr().err
    assert "拡張子" in err or "二つの書き出し先" in err
    assert _digests(record.parent) == before  # nothing written, nothing changed


def test_export_refuses_the_source_file_itself(record: Path, tmp_path: Path) -> None:
    from ecg_viewer.report.atomic import ExportError
    from ecg_viewer.report.export import check_targets

    pdf_named = tmp_path / "ecg.pdf"  # a source with an export's extension
    pdf_named.write_bytes(b"%PDF-1.4 not really an ECG")
    with pytest.raises(ExportError) as exc:
        check_targets(pdf_named, source=pdf_named)
    assert exc.value.key == "report.is_source"
    check_targets(tmp_path / "r.pdf", json_out=tmp_path / "r.json",
                  fhir_out=tmp_path / "r.fhir.json", source=record)  # a good set passes


def test_batch_refuses_to_append_to_a_file_that_is_not_its_results(
        record: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ecg_csv = record.parent / "ward.csv"  # an ECG export, say, given as --out by mistake
    ecg_csv.write_text("fs_hz,I,II\n500,0.1,0.2\n500,0.1,0.25\n", encoding="utf-8")
    before = ecg_csv.read_bytes()
    assert main(["batch", str(record.parent), "--out", str(ecg_csv), "--no-model",
                 "--no-progress"]) == 1
    assert "バッチ結果のファイルではありません" in capsys.readouterr().err
    assert ecg_csv.read_bytes() == before


def test_batch_csv_has_a_bom_resumes_and_records_a_missing_data_file(
        record: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = record.parent
    orphan = folder / "orphan.hea"  # a header whose signal file is missing
    orphan.write_text(record.read_text(encoding="utf-8").replace("00009_hr", "orphan"),
                      encoding="utf-8")
    out = folder / "results.csv"  # inside the folder: not read as an ECG
    argv = ["batch", str(folder), "--out", str(out), "--no-model", "--no-progress"]
    assert main(argv) == 0  # every file recorded, the orphan as an error row
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the Japanese columns as UTF-8
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = {Path(r["file"]).name: r for r in csv.DictReader(fh)}
    assert set(rows) == {"00009_hr.hea", "orphan.hea"}
    assert rows["orphan.hea"]["status"] == "error" and "orphan.dat" in rows["orphan.hea"]["error"]
    assert rows["00009_hr.hea"]["status"] == "ok"
    capsys.readouterr()
    assert main(argv) == 0  # the second run finds both recorded: nothing is retried
    assert out.read_bytes() == raw
    assert "2 件は前回までに解析済み" in capsys.readouterr().out


def test_an_unreadable_prior_named_by_hand_is_named_and_the_ecg_still_analysed(
        record: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "prior.hea"
    bad.write_text(record.read_text(encoding="utf-8").replace("00009_hr", "prior"),
                   encoding="utf-8")  # its prior.dat does not exist
    assert main(["--lang", "en", "analyze", "--json", "--no-model", "--prior", str(bad),
                 str(record)]) == 1
    cap = capsys.readouterr()
    d = json.loads(cap.out.strip().splitlines()[-1])
    assert d["file"] == str(record) and "error" not in d and d["measurements"]["hr_bpm"]
    assert d["comparison"] is None and "prior ECG" in d["comparison_error"]["en"]
    assert str(bad) in d["comparison_error"]["en"] and "前回心電図" in d["comparison_error"]["ja"]
    assert "prior ECG" in cap.err
    # the report, which cannot give the comparison asked for, says the prior is the problem
    from ecg_viewer.core.messages import set_language

    set_language("ja")
    args = _args(record, tmp_path / "r.pdf", no_review=True, prior=bad)
    assert report_cmd.run(args, analyze=fixture_analyze) == 1
    assert "前回心電図として指定したファイル" in capsys.readouterr().err
    assert not (tmp_path / "r.pdf").exists()


def test_an_unusable_prior_found_by_itself_leaves_the_ecg_uncompared(
        record: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """"auto" found an earlier ECG of the patient (here: one whose file has gone since): the
    current ECG is analysed and reported without a comparison, and says why."""
    from dataclasses import replace
    from datetime import datetime

    import ecg_viewer.compare.prior as prior_mod
    from ecg_viewer.compare.pair import compare_with_prior
    from ecg_viewer.io import read_ecg

    gone = tmp_path / "gone.hea"
    monkeypatch.setattr(prior_mod, "find_prior", lambda rec, store=None, unreadable=None: prior_mod.PriorMatch(
        path=gone, recorded_at=datetime(2025, 1, 1), patient_id="P1", sha256=None,
        source="folder"))
    rec = read_ecg(record)
    rec = replace(rec, meta=replace(rec.meta, patient_id="P1",
                                    recorded_at=datetime(2026, 1, 1)))
    comparison, why = compare_with_prior(rec, fixture_analyze(rec), "auto", fixture_analyze)
    assert comparison is None and why == "compare.prior_auto_unusable"


def test_a_bad_csv_row_is_named_by_its_line(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    rows = ["fs_hz,I,II,III", "# exported by hand", ""] + ["500,0.1,0.2,0.1"] * 5
    rows.insert(6, "500,0.1,abc,0.1")  # line 7 of the file
    f = tmp_path / "bad.csv"
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert main(["info", str(f)]) == 1
    err = capsys.readouterr().err
    assert "7 行目に 数値でない値「abc」" in err and "usecols" not in err
    assert main(["--lang", "en", "info", str(f)]) == 1
    assert "'abc' on line 7" in capsys.readouterr().err


@pytest.mark.parametrize("extra", [["--layout", "1", "--lead", "V9"], ["--start", "100"],
                                   ["--dpi", "0"]])
def test_render_refuses_what_it_cannot_draw(record: Path, tmp_path: Path, extra: list[str],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "page.png"
    assert main(["render", str(record), "--out", str(out), *extra]) == 2
    assert extra[-2] in capsys.readouterr().err and not out.exists()


def test_the_japanese_pdf_details_are_japanese(record: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "r.pdf"
    assert report_cmd.run(_args(record, pdf, no_review=True, prior="none"),
                          analyze=fixture_analyze) == 0
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "形式: WFDB" in text and "誘導" in text and "重み sha256" in text
    assert "format: WFDB" not in text and "leads" not in text


def test_analyze_text_marks_low_confidence_values_and_speaks_one_language(
        record: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The text output greys nothing, so a low-confidence value carries its mark there, as in
    the header (00009_hr: its PR onset lies on the P window's edge)."""
    from ecg_viewer.core.messages import set_language

    assert main(["analyze", "--no-model", str(record)]) == 0
    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("HR "))
    assert "PR 200（参考値）" in line and "QRS 104 " in line and "電気軸 P/QRS/T" in line
    assert main(["--lang", "en", "analyze", "--no-model", str(record)]) == 0
    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("HR "))
    assert "PR 200 (low confidence)" in line and "axis P/QRS/T" in line
    set_language("ja")


def test_a_read_only_pdf_is_not_replaced(record: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """QA 45: `report --out signed.pdf` replaced a read-only signed PDF without a word (a rename
    ignores the mode of the file it replaces); the window's export takes the same check."""
    signed = tmp_path / "signed.pdf"
    signed.write_bytes(b"%PDF-1.4 signed\n%%EOF\n")
    signed.chmod(0o444)
    try:
        args = _args(record, signed, no_review=True, prior="none")
        assert report_cmd.run(args, analyze=fixture_analyze) == 2
        assert "書き込み禁止" in capsys.readouterr().err
        assert signed.read_bytes() == b"%PDF-1.4 signed\n%%EOF\n"
    finally:
        signed.chmod(0o644)


def test_render_does_not_replace_a_read_only_image(record: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """QA 47: `render --out signed.png` replaced a read-only PNG, as report had (QA 45): the
    atomic writer every export goes through refuses it."""
    png = tmp_path / "signed.png"
    png.write_bytes(b"not really a png")
    png.chmod(0o444)
    try:
        assert main(["render", str(record), "--out", str(png)]) == 1
        assert "書き込み禁止" in capsys.readouterr().err
        assert png.read_bytes() == b"not really a png"
    finally:
        png.chmod(0o644)


@pytest.mark.parametrize("tail", ["500,0.1,", "500,0.1", "500,0.1,0.2,"])
def test_a_csv_cut_in_its_last_row_says_the_file_ends_early(tmp_path: Path, tail: str,
                                                           capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    """QA 70: a CSV cut after a comma on its last row read 「1604 行目に 数値でない値「」」, true
    but not what happened; the MFER and XML readers say the file ends early. A bad row before
    the last one is still named as it is."""
    rows = ["fs_hz,I,II,III"] + ["500,0.1,0.2,0.1"] * 5 + [tail]
    f = tmp_path / "cut.csv"
    f.write_text("\n".join(rows), encoding="utf-8")  # no newline after the cut
    assert main(["info", str(f)]) == 1
    err = capsys.readouterr().err
    assert "7 行目に 途中で切れた最後の行（ファイルが途中で終わっています）" in err, err
    f.write_text("\n".join([*rows[:3], tail, *rows[3:-1]]) + "\n", encoding="utf-8")
    assert main(["info", str(f)]) == 1
    err = capsys.readouterr().err
    assert "4 行目に" in err and "途中で切れた" not in err, err
