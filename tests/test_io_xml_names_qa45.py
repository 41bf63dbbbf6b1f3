"""QA report 45, F4: Japanese patient names in ECG XML (GE MUSE, HL7 aECG) shown as mojibake.

(a) CP932 bytes under the ISO-8859-1 declaration GE MUSE writes were shown as 「\\x8eR\\x93c ÀÛ³」
    (expat read them as Latin-1, and the XML readers did not decode them again as
    ``ecgdatakit_adapter.meta_from`` does for the binary formats); bytes no character set reads
    were shown as they came, not as unreadable.
(b) UTF-8 bytes under a ``Shift_JIS`` declaration (a template's declaration kept) were read as
    CP932: plausible wrong kanji 「螻ｱ逕ｰ」 for 山田.
The files are made from the real samples in tmp_path."""

from __future__ import annotations

from pathlib import Path

from ecg_viewer.core.messages import tr
from ecg_viewer.io import read_ecg

MUSE = ("ge_muse", "synthetic_muse.xml")
HL7 = ("hl7aecg", "fda_Example_aECG.xml")


def _copy(samples: Path, tmp: Path, which: tuple[str, str], *subs: tuple[bytes, bytes]) -> Path:
    data = (samples / which[0] / which[1]).read_bytes()
    for old, new in subs:
        assert old in data
        data = data.replace(old, new, 1)
    out = tmp / which[1]
    out.write_bytes(data)
    return out


def test_cp932_name_under_latin1_declaration_is_decoded(samples: Path, tmp_path: Path) -> None:
    path = _copy(samples, tmp_path, MUSE,
                 (b"<PatientLastName>Synthetic", "<PatientLastName>山田".encode("cp932")),
                 (b"<PatientFirstName>Example", "<PatientFirstName>ﾀﾛｳ".encode("cp932")))
    assert b'encoding="ISO-8859-1"' in path.read_bytes()
    meta = read_ecg(path).meta
    assert meta.patient_name == "山田 ﾀﾛｳ"
    assert not meta.extra.get("text_unreadable")


def test_hl7_cp932_name_under_latin1_declaration(samples: Path, tmp_path: Path) -> None:
    path = _copy(samples, tmp_path, HL7, (b'encoding="utf-8"', b'encoding="ISO-8859-1"'),
                 (b"<name>Clark", "<name>鈴木".encode("cp932")))
    assert read_ecg(path).meta.patient_name == "鈴木"


def test_latin_name_under_latin1_declaration_is_kept(samples: Path, tmp_path: Path) -> None:
    path = _copy(samples, tmp_path, MUSE, (b"<PatientLastName>Synthetic",
                                           "<PatientLastName>Gérard".encode("latin-1")))
    assert read_ecg(path).meta.patient_name == "Gérard Example"


def test_undecodable_name_is_marked_unreadable(samples: Path, tmp_path: Path) -> None:
    path = _copy(samples, tmp_path, MUSE,
                 (b"<PatientLastName>Synthetic", b"<PatientLastName>\x80\x80\xfd"))
    meta = read_ecg(path).meta
    assert meta.patient_name == tr("read.name_unreadable")
    assert meta.extra["text_unreadable"] == ["patient_name"]


def test_utf8_bytes_under_shift_jis_declaration(samples: Path, tmp_path: Path) -> None:
    path = _copy(samples, tmp_path, MUSE, (b'encoding="ISO-8859-1"', b'encoding="Shift_JIS"'),
                 (b"<PatientLastName>Synthetic", "<PatientLastName>山田".encode()))
    meta = read_ecg(path).meta
    assert meta.patient_name == "山田 Example"  # not 「螻ｱ逕ｰ」
    assert meta.extra["xml_declared_encoding"] == "Shift_JIS"
    hl7 = _copy(samples, tmp_path, HL7, (b'encoding="utf-8"', b'encoding="Shift_JIS"'),
                (b"<name>Clark", "<name>佐藤".encode()))
    assert read_ecg(hl7).meta.patient_name == "佐藤"
