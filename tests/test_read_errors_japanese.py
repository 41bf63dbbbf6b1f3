"""A file that cannot be read is explained in Japanese in a Japanese message: what the reader
met and what it wanted (``found``/``expected`` of a read error) are given in both languages
(``Bilingual``), so the Japanese message carries no English sentence fragments; the English
message is unchanged (logs, tests, English mode).

Static: every ``found=``/``expected=`` that a reader in ``ecg_viewer/io`` passes is a
``Bilingual(ja, en)`` whose Japanese text has Japanese in it (a plain string literal or
f-string would be English in both). At run time: real bad files, read in Japanese."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from ecg_viewer.core.errors import EcgReadError

IO = Path(__file__).resolve().parents[1] / "ecg_viewer" / "io"
CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
KEYWORDS = ("found", "expected", "field")


def _literal_text(node: ast.AST) -> str | None:
    """The literal text of a str constant or f-string (placeholders dropped); None otherwise."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values
                       if isinstance(v, ast.Constant) and isinstance(v.value, str))
    return None


def _problems(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for call in ast.walk(tree):
        if not isinstance(call, ast.Call):
            continue
        for kw in call.keywords:
            if kw.arg not in KEYWORDS:
                continue
            v = kw.value
            where = f"{path.name}:{kw.lineno} {kw.arg}="
            text = _literal_text(v)
            if text is not None:
                # "" says nothing; a header field may be the file's own name for it (one token
                # such as "SamplingFrequency", kept as is), not a description in English
                plain_name = kw.arg == "field" and isinstance(v, ast.Constant) and " " not in text
                if text and not plain_name:
                    out.append(f"{where} is a plain string: {ast.unparse(v)[:60]}")
                continue
            if isinstance(v, ast.Call) and getattr(v.func, "id", "") == "Bilingual":
                ja = _literal_text(v.args[0]) if v.args else None
                if ja is not None and not CJK.search(ja):  # an expression: not checked here
                    out.append(f"{where} Bilingual without Japanese text: {ast.unparse(v)[:60]}")
    return out


@pytest.mark.parametrize("path", sorted(IO.glob("*.py")), ids=lambda p: p.name)
def test_every_read_error_detail_is_given_in_both_languages(path: Path):
    assert _problems(path) == []


def _english_words(exc: EcgReadError, file: Path) -> list[str]:
    """Runs of two or more English words left in the Japanese message of ``exc``, after the
    file's path, the format's name ("DICOM waveform (.dcm)", "GE MUSE XML"), XML element
    names, quoted values and byte strings are taken out."""
    text = exc.message("ja").replace(str(file), " ")
    if exc.format:
        text = text.replace(exc.format, " ")
    text = re.sub(r"b'[^']*'|b\"[^\"]*\"|'[^']*'|\"[^\"]*\"|<[^>]*>", " ", text)
    return re.findall(r"[A-Za-z]{3,}(?:[ -]+[A-Za-z]{3,})+", text)




@pytest.mark.parametrize(("rel", "kind"), [
    ("samples/scp_ecg/healforce_62.SCP", "corrupt"),
    ("samples/scp_ecg/healforce_63.SCP", "corrupt"),
    ("samples/edf/test_edfann.edf", "no waveform"),
])
def test_real_bad_files_read_in_japanese(shared_data: Path, rel: str, kind: str):
    from ecg_viewer.io import read_ecg

    path = shared_data / rel
    with pytest.raises(EcgReadError) as info:
        read_ecg(path)
    ja, en = info.value.message("ja"), info.value.message("en")
    assert _english_words(info.value, path) == [], ja
    assert CJK.search(ja) and not CJK.search(en), en
    assert info.value.found and not CJK.search(info.value.found)  # the attribute: English


@pytest.mark.parametrize(("name", "data"), [
    ("garbage.xml", b"<?xml version='1.0'?><html><body>not an ECG</body></html>"),
    ("truncated.scp", b"\x00\x01" * 20),
    ("notes.csv", b"\x00\xff\x00\xfe binary"),
    ("bad.hea", b"bad 12 abc 5000\n"),
    ("short.dcm", b"\x00" * 200),
    ("bad.mwf", b"not mfer at all, just text"),
    ("empty_ecg.xml", b"<?xml version='1.0'?><AnnotatedECG xmlns='urn:hl7-org:v3'></AnnotatedECG>"),
])
def test_made_up_bad_files_read_in_japanese(tmp_path: Path, name: str, data: bytes):
    from ecg_viewer.io import read_ecg

    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(EcgReadError) as info:
        read_ecg(path)
    assert _english_words(info.value, path) == [], info.value.message("ja")
    assert info.value.message("en") == str(info.value)  # the English text, unchanged


def test_header_value_error_quotes_a_description_in_the_language_shown(tmp_path: Path):
    """A header error's value is the file's text, quoted as is, or a description where there is
    no one value ("one row" of a CSV time column), which is given in both languages."""
    from ecg_viewer.core.errors import HeaderValueError
    from ecg_viewer.core.messages import Bilingual
    from ecg_viewer.io import read_ecg

    exc = HeaderValueError("x.csv", field=Bilingual("time_s 列", "time_s column"),
                           value=Bilingual("1 行のみ", "one row"),
                           expected=Bilingual("少なくとも 2 つの時刻値", "at least two time values"))
    assert "（time_s 列 = '1 行のみ'／想定: 少なくとも 2 つの時刻値）" in exc.message("ja")
    assert "(time_s column = 'one row'; expected at least two time values)" in exc.message("en")
    assert (exc.field, exc.value, exc.found) == ("time_s column", "one row",
                                                 "time_s column = 'one row'")
    long = HeaderValueError("x.hea", field="fs", value="9" * 60, expected="a rate")
    assert long.value == "9" * 37 + "..." and long.message("en").count("9") == 37
    path = tmp_path / "one_row.csv"
    path.write_text("time_s,I,II\n0.000,0.1,0.2\n", encoding="utf-8")
    with pytest.raises(EcgReadError) as info:
        read_ecg(path)
    assert _english_words(info.value, path) == [], info.value.message("ja")


def test_the_supported_formats_are_named_in_the_language_shown(tmp_path: Path):
    from ecg_viewer.io import read_ecg

    path = tmp_path / "mystery.xyz"
    path.write_bytes(b"\x89ABCDEFGH" * 10)
    with pytest.raises(EcgReadError) as info:
        read_ecg(path)
    ja, en = info.value.message("ja"), info.value.message("en")
    assert "CSV/TSV（誘導名のヘッダー行）" in ja and "lead-name" not in ja
    assert "CSV/TSV (lead-name header)" in en and "拡張子 '.xyz'" in ja
    from ecg_viewer.io.registry import readers

    for spec in readers():  # format names (WFDB, GE MUSE XML, …) are names, not English
        ja = ja.replace(spec.shown_label.ja, " ")
    assert re.findall(r"[A-Za-z]{3,}(?:[ -]+[A-Za-z]{3,})+", ja.replace(str(path), "")) == [], ja
