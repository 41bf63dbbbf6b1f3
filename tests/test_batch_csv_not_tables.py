"""QA report 22, item 6: ``batch`` lists every CSV it does not analyse as an error row with the
reader's reason (a zero-byte file, decimal commas, an empty cell in the first row, a header
without a rate) instead of leaving it out silently; a CSV whose rows end in a comma (an Excel
export) is read. The CSVs are written from PTB-XL 00001_lr in tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ecg_viewer.cli import main
from ecg_viewer.io import read_ecg
from ecg_viewer.pipeline.files import find_ecg_files, looks_like_numeric_table


@pytest.fixture(scope="module")
def table(samples: Path) -> tuple[list[str], np.ndarray]:
    rec = read_ecg(samples / "wfdb_ptbxl" / "00001_lr.hea")
    t = np.arange(rec.signal_mv.shape[1]) / rec.fs_hz
    header = ["time_s", *rec.lead_names]
    return header, np.column_stack([t, rec.signal_mv.T.astype(np.float64)])


def _text(header: list[str], data: np.ndarray, sep: str = ",", end: str = "",
          decimal: str = ".") -> str:
    rows = [sep.join(header) + end]
    for row in data:
        rows.append(sep.join(f"{v:.4f}".replace(".", decimal) for v in row) + end)
    return "\n".join(rows) + "\n"


def test_excel_trailing_comma_is_read(table: tuple[list[str], np.ndarray], tmp_path: Path) -> None:
    header, data = table
    plain, excel = tmp_path / "plain.csv", tmp_path / "excel.csv"
    plain.write_text(_text(header, data), encoding="utf-8")
    excel.write_text(_text(header, data, end=","), encoding="utf-8")
    assert looks_like_numeric_table(excel)
    a, b = read_ecg(plain), read_ecg(excel)
    assert b.lead_names == a.lead_names and b.fs_hz == a.fs_hz == 100
    assert np.array_equal(a.signal_mv, b.signal_mv)
    tsv = tmp_path / "excel.tsv"
    tsv.write_text(_text(header, data, sep="\t", end="\t"), encoding="utf-8")
    assert np.array_equal(read_ecg(tsv).signal_mv, a.signal_mv)


def test_batch_lists_every_csv_it_does_not_analyse(table: tuple[list[str], np.ndarray],
                                                   tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    header, data = table
    d = tmp_path / "in"
    d.mkdir()
    (d / "good.csv").write_text(_text(header, data), encoding="utf-8")
    (d / "excel.csv").write_text(_text(header, data, end=","), encoding="utf-8")
    (d / "zero.csv").write_bytes(b"")
    (d / "decimal_comma.csv").write_text(_text(header, data, sep=";", decimal=","), encoding="utf-8")
    first_empty = _text(header, data).splitlines()
    first_empty[1] = first_empty[1].rsplit(",", 1)[0] + ","
    (d / "first_row_empty_cell.csv").write_text("\n".join(first_empty) + "\n", encoding="utf-8")
    (d / "no_rate.tsv").write_text(_text(header[1:], data[:, 1:], sep="\t"), encoding="utf-8")
    (d / "README.txt").write_text("ECGs of ward 3\n", encoding="utf-8")  # a note, by its name
    (d / "old_results.csv").write_text("file,status,error\n/x.hea,ok,\n", encoding="utf-8")

    not_tables: list[Path] = []
    listed = find_ecg_files(d, not_tables=not_tables)
    assert {p.name for p in listed} == {"good.csv", "excel.csv", "no_rate.tsv"}
    assert {p.name for p in not_tables} == {"zero.csv", "decimal_comma.csv",
                                            "first_row_empty_cell.csv"}

    out = tmp_path / "r.jsonl"
    assert main(["batch", str(d), "--out", str(out), "--no-model", "--no-progress"]) == 0
    rows = {Path(r["file"]).name: r for r in map(json.loads, out.read_text().splitlines())}
    assert set(rows) == {"good.csv", "excel.csv", "zero.csv", "decimal_comma.csv",
                         "first_row_empty_cell.csv", "no_rate.tsv"}
    assert "error" not in rows["good.csv"] and "error" not in rows["excel.csv"]
    assert rows["zero.csv"]["error_key"] == "read.empty"
    assert "0,0" in rows["decimal_comma.csv"]["error_ja"]  # names the value it cannot read
    assert "2 行目" in rows["first_row_empty_cell.csv"]["error_ja"]
    assert rows["no_rate.tsv"]["error_key"] == "read.csv_needs_rate"
    err = capsys.readouterr().err
    for name in ("zero.csv", "decimal_comma.csv", "first_row_empty_cell.csv", "no_rate.tsv"):
        assert f"✗ {d / name}" in err
