"""``pipeline.files.find_ecg_files``, the one folder lister (next/previous, the worklist,
``batch``), on a folder built from real sample files (copies) and the files that sit beside
ECGs in real folders: READMEs, licences, notes, WFDB signal files, hidden files, sub-folders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ecg_viewer.io import read_ecg
from ecg_viewer.pipeline.files import find_ecg_files, looks_like_numeric_table


def _write_csv(record_path: Path, out: Path, sep: str = ",") -> None:
    """A real record written as the CSV the reader reads (lead-name header, fs_hz column)."""
    rec = read_ecg(record_path)
    n = int(rec.fs_hz * 2)
    lines = [sep.join([*rec.lead_names, "fs_hz"])]
    lines += [sep.join([*(f"{v:.4f}" for v in rec.signal_mv[:, i]), f"{rec.fs_hz:g}"])
              for i in range(n)]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def folder(bundled_samples: Path, samples: Path, tmp_path: Path) -> Path:
    d = tmp_path / "ecgs"
    (d / "sub" / "deeper").mkdir(parents=True)
    (d / ".hidden_dir").mkdir()
    for ext in (".hea", ".dat"):
        shutil.copy(bundled_samples / f"00009_hr{ext}", d)
    shutil.copy(samples / "mfer" / "mferorg_ECG01.mwf", d)
    shutil.copy(samples / "hl7aecg" / "fda_Example_aECG.xml", d / "sub")
    for ext in (".hea", ".mat"):
        shutil.copy(bundled_samples / f"E07505{ext}", d / "sub" / "deeper")
    _write_csv(bundled_samples / "00017_hr.hea", d / "ecg_export.csv")
    _write_csv(bundled_samples / "00017_hr.hea", d / "tab_export.txt", sep="\t")
    shutil.copy(bundled_samples / "00009_hr.dat", d / "orphan.dat")  # no header beside it
    shutil.copy(bundled_samples / "LICENSE-CC-BY-4.0.txt", d)
    (d / "README.txt").write_text("ECGs of ward 3\nexported 2026-12-01\n", encoding="utf-8")
    (d / "LICENSE").write_text("CC BY 4.0\n", encoding="utf-8")
    (d / "notes.txt").write_text("患者 山田さん: 再検予定\n胸痛あり, 要フォロー\n", encoding="utf-8")
    (d / "patients.csv").write_text("name,ward\nyamada,3\nsato,4\n", encoding="utf-8")
    (d / ".~lock.ecg_export.csv#").write_text("user,host\n", encoding="utf-8")
    shutil.copy(samples / "mfer" / "mferorg_ECG02.mwf", d / ".hidden.mwf")
    shutil.copy(samples / "mfer" / "mferorg_ECG03.mwf", d / ".hidden_dir")
    return d


def test_one_level(folder: Path) -> None:
    names = [p.name for p in find_ecg_files(folder)]
    assert names == sorted(names)
    assert set(names) == {"00009_hr.hea", "mferorg_ECG01.mwf", "ecg_export.csv",
                          "tab_export.txt", "orphan.dat"}


def test_recursive(folder: Path) -> None:
    rel = {p.relative_to(folder).as_posix() for p in find_ecg_files(folder, recursive=True)}
    assert rel == {"00009_hr.hea", "mferorg_ECG01.mwf", "ecg_export.csv", "tab_export.txt",
                   "orphan.dat", "sub/fda_Example_aECG.xml", "sub/deeper/E07505.hea"}


def test_every_listed_file_opens_as_an_ecg(folder: Path) -> None:
    for path in find_ecg_files(folder, recursive=True):
        if path.name == "orphan.dat":  # listed: opening it says what is missing
            continue
        assert len(read_ecg(path).lead_names) >= 1, path


def test_text_table_sniff(tmp_path: Path) -> None:
    cases = {
        "a.csv": ("I,II,V1\n0.1,0.2,-0.3\n0.1,0.25,-0.2\n", True),
        "b.txt": ("# exported\n\nI;II\n1;2\n", True),
        "c.csv": ("I,II\n0.1,abc\n", False),  # text in a sample row
        "d.txt": ("just one line of prose", False),
        "e.csv": ("I,II,III\n0.1,0.2\n", False),  # fewer fields than the header
        "f.txt": ("", False),
    }
    for name, (text, expected) in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        assert looks_like_numeric_table(tmp_path / name) is expected, name
    (tmp_path / "g.txt").write_bytes(bytes(range(256)) * 4)  # binary
    assert not looks_like_numeric_table(tmp_path / "g.txt")


def test_missing_folder_lists_nothing(tmp_path: Path) -> None:
    assert find_ecg_files(tmp_path / "absent") == []
