"""QA report 45, F8: a Shift_JIS name in an ECG XML without an encoding declaration (XML's
default is UTF-8) or under a UTF-8 declaration refused the whole ECG as "XML syntax error
(not well-formed (invalid token): line 14, column 21)": the clinician could not tell that only
the character set of a name was wrong. The message now names the encoding, the byte offset
and the element, in both languages, as the Shift_JIS-declared path does. Files are made from
the real samples in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecg_viewer.core.errors import CorruptFileError
from ecg_viewer.io import read_ecg


def _refusal(path: Path) -> CorruptFileError:
    with pytest.raises(CorruptFileError) as info:
        read_ecg(path)
    return info.value


def test_shift_jis_name_without_declaration(samples: Path, tmp_path: Path) -> None:
    data = (samples / "ge_muse" / "synthetic_muse.xml").read_bytes()
    decl = b'<?xml version="1.0" encoding="ISO-8859-1"?>'
    assert decl in data
    data = data.replace(decl, b'<?xml version="1.0"?>', 1).replace(
        b"<PatientLastName>Synthetic", "<PatientLastName>山田".encode("cp932"), 1)
    path = tmp_path / "nodecl.xml"
    path.write_bytes(data)
    offset = data.index("山田".encode("cp932"))
    err = _refusal(path)
    assert f"not valid UTF-8 at byte offset {offset}" in err.message_en
    assert "<PatientLastName>" in err.message_en and "declaration" in err.message_en
    assert f"{offset} バイト目" in err.message_ja and "UTF-8 として読めません" in err.message_ja
    assert "syntax" not in err.message_en.lower() and "構文" not in err.message_ja


def test_shift_jis_name_under_utf8_declaration(samples: Path, tmp_path: Path) -> None:
    data = (samples / "ge_muse" / "guangxi_teaching_sinus_rhythm.xml").read_bytes()
    data = data.replace(b"<PatientLastName>Anonymous", "<PatientLastName>佐藤".encode("cp932"), 1)
    path = tmp_path / "gx.xml"
    path.write_bytes(data)
    err = _refusal(path)
    assert "declared UTF-8" in err.message_en
    assert f"byte offset {data.index('佐藤'.encode('cp932'))}" in err.message_en
    assert "宣言どおり UTF-8" in err.message_ja


def test_hl7_shift_jis_name_under_utf8_declaration(samples: Path, tmp_path: Path) -> None:
    data = (samples / "hl7aecg" / "fda_Example_aECG.xml").read_bytes()
    data = data.replace(b"<name>Clark", "<name>鈴木".encode("cp932"), 1)
    path = tmp_path / "hl7.xml"
    path.write_bytes(data)
    err = _refusal(path)
    assert "not valid utf-8" in err.message_en.lower() and "<name>" in err.message_en


def test_syntax_error_in_valid_utf8_is_still_a_syntax_error(samples: Path, tmp_path: Path) -> None:
    data = (samples / "ge_muse" / "guangxi_teaching_sinus_rhythm.xml").read_bytes()
    path = tmp_path / "cut.xml"
    path.write_bytes(data[: len(data) // 2])
    # a truncated file: said as such (QA 45 F9), not as a character the encoding cannot read
    en = _refusal(path).message_en
    assert "the XML stops at line" in en and "UTF-8" not in en
