"""A DICOM PatientName with an ideographic group (ISO 2022 IR 87 or UTF-8:
``Yamada^Tarou=山田^太郎=やまだ^たろう``) is shown in kanji, family name first: the reader
library kept only the alphabetic group ("Yamada Tarou"; QA 2026-12-06)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecg_viewer.io import read_ecg


@pytest.mark.parametrize("charset", [["", "ISO 2022 IR 87"], "ISO_IR 192"])
def test_the_kanji_name_is_shown(samples: Path, tmp_path: Path, charset) -> None:
    import pydicom

    src = next(p for p in sorted((samples / "dicom").iterdir()) if p.is_file())
    ds = pydicom.dcmread(str(src))
    ds.SpecificCharacterSet = charset
    ds.PatientName = "Yamada^Tarou=山田^太郎=やまだ^たろう"
    out = tmp_path / "jp.dcm"
    ds.save_as(str(out))
    assert read_ecg(out).meta.patient_name == "山田 太郎"


def test_a_name_without_an_ideographic_group_stays(samples: Path) -> None:
    src = next(p for p in sorted((samples / "dicom").iterdir()) if p.is_file())
    assert read_ecg(src).meta.patient_name == "Anonymous"
