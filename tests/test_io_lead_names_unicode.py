"""QA report 45, F7: lead names written as Unicode Roman numerals (Ⅰ Ⅱ Ⅲ, U+2160…, as Japanese
software writes them) or full-width (Ｖ１) were not recognised: a CSV headed ``Ⅰ,Ⅱ,Ⅲ,…`` listed
「その他のチャネル: Ⅰ Ⅱ Ⅲ」 beside 「この記録にない誘導: I, II, III」, and a WFDB header naming a
signal ``Ⅰ`` (UTF-8) was refused as "non-text bytes". Files are made from the real PTB-XL
samples in tmp_path."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from ecg_viewer.core.errors import CorruptFileError
from ecg_viewer.core.leads import CANONICAL_LEADS, canonical_lead_name
from ecg_viewer.io import read_ecg

ROMAN = {"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ"}


@pytest.mark.parametrize(("written", "canon"), [
    ("Ⅰ", "I"), ("Ⅱ", "II"), ("Ⅲ", "III"), ("ⅱ", "II"), ("Ｖ１", "V1"), ("ａＶＲ", "aVR"),
    ("Ｉ", "I"), ("誘導Ⅱ", None),
])
def test_canonical_name_of_unicode_spellings(written: str, canon: str | None) -> None:
    assert canonical_lead_name(written) == canon


@pytest.mark.parametrize("codec", ["utf-8", "cp932"])
def test_csv_with_roman_numeral_names(samples: Path, tmp_path: Path, codec: str) -> None:
    ref = read_ecg(samples / "wfdb_ptbxl" / "00001_lr.hea")
    names = [ROMAN.get(n, n) for n in ref.lead_names]
    names[6] = "Ｖ１"
    rows = "".join(f"{ref.fs_hz:g}," + ",".join(f"{v:.4f}" for v in row) + "\n"
                   for row in ref.signal_mv.T)
    path = tmp_path / "roman.csv"
    path.write_bytes(("fs_hz," + ",".join(names) + "\n" + rows).encode(codec))
    rec = read_ecg(path)
    assert tuple(rec.lead_names) == CANONICAL_LEADS
    assert np.allclose(rec.signal_mv, ref.signal_mv, atol=1e-4)


@pytest.mark.parametrize(("folder", "name", "ext"), [
    ("wfdb_ptbxl", "00001_lr", ".dat"),  # format 16 in one file: read here
    ("wfdb_cinc2021", "E07500", ".mat"),  # read through wfdb
])
def test_wfdb_header_with_utf8_roman_numeral_names(samples: Path, tmp_path: Path, folder: str,
                                                  name: str, ext: str) -> None:
    src = samples / folder / f"{name}.hea"
    shutil.copy(samples / folder / f"{name}{ext}", tmp_path)
    lines = src.read_text(encoding="ascii").splitlines(keepends=True)
    for k, ln in enumerate(lines):
        head, _, lead = ln.rstrip("\n").rpartition(" ")
        if lead in ROMAN:
            lines[k] = f"{head} {ROMAN[lead]}\n"
    hea = tmp_path / f"{name}.hea"
    hea.write_text("".join(lines), encoding="utf-8")
    assert "Ⅱ".encode() in hea.read_bytes()
    rec, ref = read_ecg(hea), read_ecg(src)
    assert rec.lead_names == ref.lead_names
    assert np.array_equal(rec.signal_mv, ref.signal_mv)


def test_wfdb_signal_line_not_utf8_is_named(samples: Path, tmp_path: Path) -> None:
    src = samples / "wfdb_ptbxl" / "00001_lr.hea"
    shutil.copy(samples / "wfdb_ptbxl" / "00001_lr.dat", tmp_path)
    hea = tmp_path / "00001_lr.hea"
    data = src.read_bytes()
    hea.write_bytes(data.replace(b" 0 II\n", " 0 Ⅱ\n".encode("cp932"), 1))
    with pytest.raises(CorruptFileError) as info:
        read_ecg(hea)
    assert "non-ASCII character in a signal line" in info.value.message_en
    assert "ASCII 以外の文字" in info.value.message_ja
