"""QA report 22, item 1: Japanese patient names written in Shift_JIS / CP932 (MFER without a
character-set tag, tagged "JIS X 0208", CP932-only characters such as 髙 and 﨑 under a
"Shift_JIS" tag; EDF; DICOM without SpecificCharacterSet) are decoded, never shown as Latin-1
mojibake; a name no character set reads is shown as unreadable. The files are made from the real
samples in tmp_path."""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from ecg_viewer.core.messages import MESSAGES
from ecg_viewer.io import read_ecg
from ecg_viewer.io.text_decode import redecode

UNREADABLE_JA, UNREADABLE_EN = MESSAGES["read.name_unreadable"]


def _tlv(tag: int, value: bytes) -> bytes:
    assert len(value) < 0x80
    return bytes([tag, len(value)]) + value


def _mfer(samples: Path, tmp: Path, name: bytes, txc: bytes | None, fn: str) -> Path:
    """mferorg_ECG01.mwf with a character-set tag (0x03), a patient name (0x81) and an ID (0x82)
    put after its byte-order tag."""
    src = (samples / "mfer" / "mferorg_ECG01.mwf").read_bytes()
    i = src.index(b"\x01\x01\x01", 0x40) + 3
    extra = (_tlv(0x03, txc) if txc else b"") + _tlv(0x81, name) + _tlv(0x82, b"12345")
    out = tmp / fn
    out.write_bytes(src[:i] + extra + src[i:])
    return out


@pytest.mark.parametrize(("text", "codec", "txc"), [
    ("山田^ヤマダ^太郎^タロウ", "shift_jis", None),
    ("山田^ヤマダ^太郎^タロウ", "shift_jis", b"JIS X 0208"),
    ("髙橋^^﨑子^", "cp932", b"Shift_JIS"),
    ("髙橋^^﨑子^", "cp932", None),
    ("山田^ヤマダ^太郎^タロウ", "shift_jis", b"Shift_JIS"),  # was already right: stays right
    ("山田^ヤマダ^太郎^タロウ", "utf-8", None),
    ("ﾔﾏﾀﾞ^^ﾀﾛｳ^", "shift_jis", b"JIS X 0201"),
])
def test_mfer_japanese_name(samples: Path, tmp_path: Path, text: str, codec: str,
                            txc: bytes | None) -> None:
    path = _mfer(samples, tmp_path, text.encode(codec), txc, "name.mwf")
    rec = read_ecg(path)
    parts = text.split("^")
    assert rec.meta.patient_name == f"{parts[0]} {parts[2]}"
    assert "text_unreadable" not in rec.meta.extra


def test_mfer_undecodable_name_is_marked_unreadable(samples: Path, tmp_path: Path) -> None:
    path = _mfer(samples, tmp_path, b"\x81\x7f\x85\x1b\x9f", None, "bad_name.mwf")
    rec = read_ecg(path)
    assert rec.meta.patient_name in (UNREADABLE_JA, UNREADABLE_EN)
    assert rec.meta.extra["text_unreadable"] == ["patient_name"]


def test_edf_shift_jis_patient(samples: Path, tmp_path: Path) -> None:
    path = tmp_path / "sjis.edf"
    shutil.copy(samples / "edf" / "test_generator_2.edf", path)
    data = bytearray(path.read_bytes())
    field = "MCH-0234567 F 02-MAY-1951 山田_花子".encode("cp932").ljust(80, b" ")
    data[8:88] = field
    path.write_bytes(bytes(data))
    assert read_ecg(path).meta.patient_name == "山田 花子"


def test_dicom_shift_jis_without_character_set(samples: Path, tmp_path: Path) -> None:
    import pydicom

    ds = pydicom.dcmread(samples / "dicom" / "marcodebe_anonymous_ecg.dcm")
    del ds.SpecificCharacterSet
    ds["PatientName"].value = "山田^太郎".encode("cp932")
    path = tmp_path / "sjis.dcm"
    ds.save_as(path)
    assert pydicom.dcmread(path).get("SpecificCharacterSet") is None
    assert read_ecg(path).meta.patient_name == "山田 太郎"


@pytest.mark.parametrize(("text", "charset", "expected"), [
    ("Gérard", None, "Gérard"),  # Latin letters stay: CP932 would give G + kanji + "ard"
    ("Müller", None, "Müller"),
    ("François", "ISO_IR 100", "François"),
    ("山田 太郎".encode("cp932").decode("latin-1"), "ISO 2022 IR 87", "山田 太郎"),
    ("山田".encode("euc_jp").decode("latin-1"), "EUC-JP", "山田"),
    ("\x8e\x00\xff\xfe", None, None),
])
def test_redecode_order(text: str, charset: str | None, expected: str | None) -> None:
    assert redecode(text, charset)[0] == expected


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext not installed")
def test_report_pdf_prints_the_japanese_name(samples: Path, tmp_path: Path) -> None:
    path = _mfer(samples, tmp_path, "山田^ヤマダ^太郎^タロウ".encode("shift_jis"), None, "n.mwf")
    pdf = tmp_path / "r.pdf"
    run = subprocess.run([sys.executable, "-m", "ecg_viewer", "report", str(path), "--out", str(pdf),
                          "--no-model"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "山田 太郎" in text
    assert "\x8e" not in text and "¾" not in text


def test_age_from_struct_is_untouched(samples: Path, tmp_path: Path) -> None:
    """The name tag added before the waveform does not disturb the rest of the file."""
    age = bytes([65]) + struct.pack("<H", 0) + struct.pack("<H", 1958) + bytes([7, 1])
    src = (samples / "mfer" / "mferorg_ECG01.mwf").read_bytes()
    i = src.index(b"\x01\x01\x01", 0x40) + 3
    path = tmp_path / "age.mwf"
    path.write_bytes(src[:i] + _tlv(0x81, "山田^^太郎^".encode("cp932")) + _tlv(0x83, age) + src[i:])
    rec = read_ecg(path)
    assert rec.meta.patient_name == "山田 太郎"
    assert rec.meta.age_years == 65
