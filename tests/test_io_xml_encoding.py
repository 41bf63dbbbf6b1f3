"""QA report 22, item 2: ECG XML declared in a multi-byte Japanese encoding (Shift_JIS, CP932,
EUC-JP, ISO-2022-JP) opens (HL7 aECG, Philips, GE MUSE): expat refused it ("multi-byte
encodings are not supported") and the file was called corrupt. The files are made from the real
samples in tmp_path; the XML-safety protections still hold for them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ecg_viewer.core.errors import CorruptFileError, UnsupportedFormatError
from ecg_viewer.io import read_ecg


def _muse(samples: Path, tmp: Path, encoding: str, codec: str, last: str = "髙橋",
          first: str = "花子", extra: str = "") -> Path:
    text = (samples / "ge_muse" / "synthetic_muse.xml").read_bytes().decode("latin-1")
    text = text.replace('encoding="ISO-8859-1"?>', f'encoding="{encoding}"?>{extra}', 1)
    text = text.replace("<PatientLastName>Synthetic<", f"<PatientLastName>{last}<")
    text = text.replace("<PatientFirstName>Example<", f"<PatientFirstName>{first}<")
    out = tmp / f"muse_{codec}.xml"
    out.write_bytes(text.encode(codec))
    return out


@pytest.mark.parametrize(("encoding", "codec", "last"), [
    ("Shift_JIS", "cp932", "髙橋"),  # CP932 character under the name Shift_JIS (Windows)
    ("Shift_JIS", "shift_jis", "高橋"),
    ("Windows-31J", "cp932", "髙橋"),
    ("EUC-JP", "euc_jp", "高橋"),
    ("ISO-2022-JP", "iso2022_jp", "高橋"),
])
def test_muse_in_japanese_encoding(samples: Path, tmp_path: Path, encoding: str, codec: str,
                                   last: str) -> None:
    rec = read_ecg(_muse(samples, tmp_path, encoding, codec, last=last))
    assert rec.meta.patient_name == f"{last} 花子"
    ref = read_ecg(samples / "ge_muse" / "synthetic_muse.xml")
    assert rec.lead_names == ref.lead_names and rec.fs_hz == ref.fs_hz
    assert np.array_equal(rec.signal_mv, ref.signal_mv)


@pytest.mark.parametrize(("encoding", "codec"), [("Shift_JIS", "cp932"), ("EUC-JP", "euc_jp")])
def test_hl7_in_japanese_encoding(samples: Path, tmp_path: Path, encoding: str, codec: str) -> None:
    src = samples / "hl7aecg" / "fda_Example_aECG.xml"
    text = src.read_text(encoding="utf-8")
    assert 'encoding="utf-8"' in text and "<name>Clark</name>" in text
    path = tmp_path / "hl7.xml"
    path.write_bytes(text.replace('encoding="utf-8"', f'encoding="{encoding}"', 1)
                     .replace("<name>Clark</name>", "<name>山田</name>").encode(codec))
    rec, ref = read_ecg(path), read_ecg(src)
    assert "山田" in (rec.meta.patient_name or "")
    assert np.array_equal(rec.signal_mv, ref.signal_mv)


def test_philips_in_shift_jis(samples: Path, tmp_path: Path) -> None:
    src = samples / "philips_xml" / "129DYPRG.xml"
    text = src.read_text(encoding="utf-8")
    path = tmp_path / "philips.xml"
    path.write_bytes(text.replace('encoding="UTF-8"', 'encoding="Shift_JIS"', 1)
                     .replace("<lastname></lastname>", "<lastname>鈴木</lastname>", 1).encode("cp932"))
    rec, ref = read_ecg(path), read_ecg(src)
    assert rec.meta.patient_name == "鈴木"
    assert np.array_equal(rec.signal_mv, ref.signal_mv)


def test_entities_still_refused_in_shift_jis(samples: Path, tmp_path: Path) -> None:
    doctype = '<!DOCTYPE RestingECG [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    path = _muse(samples, tmp_path, "Shift_JIS", "cp932", last="&b;", extra=doctype)
    with pytest.raises(CorruptFileError, match="EntitiesForbidden"):
        read_ecg(path)
    xxe = '<!DOCTYPE RestingECG [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    path = _muse(samples, tmp_path, "EUC-JP", "euc_jp", last="&x;", extra=xxe)
    with pytest.raises(CorruptFileError, match="EntitiesForbidden"):
        read_ecg(path)


def test_bytes_not_in_the_declared_encoding(samples: Path, tmp_path: Path) -> None:
    path = _muse(samples, tmp_path, "Shift_JIS", "cp932")
    data = path.read_bytes().replace("髙橋".encode("cp932"), b"\x81\x7f\x81\x7f")
    path.write_bytes(data)
    with pytest.raises(CorruptFileError, match="Shift_JIS") as info:
        read_ecg(path)
    assert "multi-byte" not in str(info.value)


def test_unknown_encoding_is_named(samples: Path, tmp_path: Path) -> None:
    path = _muse(samples, tmp_path, "X-NO-SUCH-CHARSET", "utf-8", last="Synthetic")
    with pytest.raises(UnsupportedFormatError, match="X-NO-SUCH-CHARSET"):
        read_ecg(path)
